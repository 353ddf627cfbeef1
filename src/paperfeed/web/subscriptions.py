"""The pages behind the subscribe form and the links in mails.

- ``POST /subscribe``: the subscribe form, a signed-in reader's footer form (and the profile page). Always
  answers "check your inbox", whether the address was new, pending, active or bouncing, so the form
  reveals nothing. A signed-out reader's footer form, on a page without a CSRF token, goes to
  ``POST /subscribe/start``: the same from the site's own pages (``http.auth.same_origin``), else the
  subscribe form filled in.
- ``/subscribe/confirm/{token}``: GET shows one button, POST confirms (mail scanners open every link
  in a mail; a GET that confirmed would let them confirm on the owner's behalf).
- ``/subscription/{token}``: settings and alerts, no login needed: the signed link is the key.
- ``/unsubscribe/{token}``: GET shows one button; POST unsubscribes with the signed token alone (no
  login, no CSRF token: RFC 8058 one-click, which mail clients send from ``List-Unsubscribe-Post``).
- An account's own address: ``web.account_email`` (its mails go through ``deliver_now`` too).

Forged, damaged, expired or revoked links get a 400 page that says which.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask, BackgroundTasks

from ..http.auth import CSRF, CurrentUser, client_addr, same_origin
from ..http.openapi import page
from ..http.params import DbId
from ..mail import alerts, due, notices, tokens
from ..mail.tokens import TokenError
from ..store import subscriptions as subs
from ..store import users as store_users
from ..store.subscriptions import SubscriberView, SubscriptionError
from .render import flash, render, templates

router = APIRouter(default_response_class=HTMLResponse)
LINK = page(400, 422)  # a page of a signed link: 400 when the link is not (or no longer) valid
Short = Annotated[str, Form(max_length=1000)]
SUBSCRIBES_PER_HOUR = 20  # per client address: the form must not become a way to mail strangers
ACCOUNT_REQUESTS_PER_HOUR = 10  # per client address, sign-ups and address changes together (each may mail)


def client_quota(request: Request, kind: str, limit: int) -> int:
    """0 when this client may go on (this request counts), else the seconds until it may: ``limit`` an hour
    per client address, counted in the database so that it holds across workers."""
    key, hour = f"{kind}:{client_addr(request)}", timedelta(hours=1)
    with request.app.state.store.transaction() as conn:
        return store_users.take_quota(conn, key, limit=limit, window=hour)


def in_minutes(seconds: int) -> str:
    """When a client over a limit may try again: "in a minute", "in 12 minutes"."""
    minutes = -(-seconds // 60)
    return "in a minute" if minutes <= 1 else f"in {minutes} minutes"


def deliver_now(store, settings, *row_ids: int | None) -> BackgroundTask | None:
    """Send fresh mails right after the response; the scheduler's retries cover failures."""
    runs = [BackgroundTask(run) for row_id in row_ids if (run := notices.sender(store, settings, row_id))]
    return (runs[0] if len(runs) == 1 else BackgroundTasks(runs)) if runs else None


def _subscriber(request: Request, purpose: str, token: str, *, any_version: bool = False) -> SubscriberView:
    settings = request.app.state.settings
    try:
        data = tokens.read(settings, purpose, token)
    except TokenError as exc:
        raise HTTPException(400, str(exc)) from None
    with request.app.state.store.read() as conn:
        sub = subs.get(conn, data.subscriber_id)
    if sub is None:
        raise HTTPException(400, "This link is not valid any more: the subscription no longer exists.")
    if not any_version and data.version != sub.token_version:
        raise HTTPException(400, "This link was replaced by a newer one: use the link in your latest mail.")
    request.state.token_version = data.version
    return sub


# --- subscribing ------------------------------------------------------------------------------------------


@router.get("/subscribe", summary="The subscribe form")
def subscribe_form(request: Request, user: CurrentUser) -> Response:
    return render(request, "subscribe.html", email=user.email if user and user.email else "")


@router.post("/subscribe/start", responses=page(422), summary="The subscribe form, with the address typed in a footer")
def subscribe_start(request: Request, email: Annotated[str, Form(max_length=400)] = "") -> Response:
    """The footer's form on a signed-out reader's page carries no CSRF token (the page sets no cookie, so
    shared caches may keep it). Sent from one of the site's pages (the browser's ``Origin`` or
    ``Sec-Fetch-Site`` says so: ``same_origin``), it subscribes at once, as ``POST /subscribe`` does;
    otherwise it changes nothing and brings the address to the subscribe form, which has the token."""
    email = email.strip()[:320]
    if email and same_origin(request):
        return subscribe(request, None, email)
    return render(request, "subscribe.html", email=email, confirm=bool(email))


@router.post(
    "/subscribe",
    dependencies=[CSRF],
    responses=page(400, 403, 422, 429),
    summary="Subscribe an address (double opt-in)",
)
def subscribe(request: Request, user: CurrentUser, email: Annotated[str, Form(max_length=400)] = "") -> Response:
    store, settings = request.app.state.store, request.app.state.settings
    wait = client_quota(request, "subscribe", SUBSCRIBES_PER_HOUR)
    if wait:
        error = f"Too many subscriptions from your network in the last hour; try again {in_minutes(wait)}."
        response = render(request, "subscribe.html", error=error, email=email[:320], status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    link_user = None
    if user and user.email and user.email.strip().lower() == email.strip().lower():
        link_user = user.id  # only the account's own address is linked (personal digests read its upvotes)
    try:
        row_id = notices.request(store, settings, email, user_id=link_user)
    except SubscriptionError as exc:
        return render(request, "subscribe.html", error=str(exc), email=email[:320], status_code=400)
    if link_user is not None and row_id is None:  # the account's own address, subscribed at once: say so
        with store.read() as conn:
            return _confirmed_page(request, subs.by_email(conn, subs.check_address(email)), already=False)
    # a signed-in reader subscribing another address than the account's confirmed one: say what it lacks
    unlinked = user is not None and link_user is None
    response = render(request, "subscribe.html", sent_to=subs.check_address(email), unlinked=unlinked)
    response.background = deliver_now(store, settings, row_id)
    return response


@router.get("/subscribe/confirm/{token}", responses=LINK, summary="Confirmation page (one button)")
def confirm_page(request: Request, token: str) -> Response:
    sub = _subscriber(request, "confirm", token, any_version=True)
    if sub.status == "active" and request.state.token_version == sub.token_version - 1:
        return _confirmed_page(request, sub, already=True)  # the link of this period, opened again
    if sub.status != "pending" or request.state.token_version != sub.token_version:
        raise HTTPException(400, "This confirmation link is not valid any more. Subscribe again to get a new one.")
    return render(request, "subscribe_confirm.html", sub=sub, token=token, shared=False)


@router.post("/subscribe/confirm/{token}", responses=LINK, summary="Confirm a subscription")
def confirm(request: Request, token: str) -> Response:
    sub = _subscriber(request, "confirm", token, any_version=True)
    with request.app.state.store.transaction() as conn:
        ok = subs.confirm(conn, sub.id, request.state.token_version)
        fresh = subs.get(conn, sub.id)
    if not ok and (fresh is None or fresh.status != "active" or request.state.token_version != fresh.token_version - 1):
        raise HTTPException(400, "This confirmation link is not valid any more. Subscribe again to get a new one.")
    return _confirmed_page(request, fresh, already=not ok)


def _confirmed_page(request: Request, sub: SubscriberView, *, already: bool) -> Response:
    links = tokens.links(request.app.state.settings, sub.id, sub.token_version)
    return render(
        request, "subscribe_confirm.html", sub=sub, confirmed=True, already=already, links=links, shared=False
    )


# --- settings ---------------------------------------------------------------------------------------------


def _settings_page(
    request: Request,
    sub: SubscriberView,
    token: str,
    *,
    error: str | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
):
    """The settings page; ``typed``: the alert form as it was sent (a refused alert stays in the form)."""
    unsub = tokens.make(request.app.state.settings, "unsubscribe", sub.id, sub.token_version)
    return render(
        request,
        "subscription.html",
        sub=sub,
        token=token,
        unsubscribe_token=unsub,
        error=error,
        kinds=subs.ALERT_KINDS,
        typed=typed or {},
        when_sent=due.when_sent(request.app.state.settings),
        status_code=status,
        shared=False,
    )


@router.get("/subscription/{token}", responses=LINK, summary="Subscription settings (signed link, no login)")
def settings_page(request: Request, token: str) -> Response:
    return _settings_page(request, _subscriber(request, "manage", token), token)


@router.post(
    "/subscription/{token}",
    dependencies=[CSRF],
    responses=page(303, 400, 403, 422),
    summary="Save subscription settings",
)
def save_settings(
    request: Request,
    token: str,
    frequency: Annotated[str, Form(max_length=10)] = "daily",
    trending: Annotated[bool, Form()] = False,
    personal: Annotated[bool, Form()] = False,
    send_empty: Annotated[bool, Form()] = False,
) -> Response:
    sub = _subscriber(request, "manage", token)
    try:
        with request.app.state.store.transaction() as conn:
            subs.update_settings(
                conn, sub.id, frequency=frequency, trending=trending, personal=personal, send_empty=send_empty
            )
    except SubscriptionError as exc:
        return _settings_page(request, sub, token, error=str(exc), status=400)
    if personal and sub.user_id is None:
        flash(request, "Saved. “For you” starts once this address is an account's confirmed address (Add address "
                       "on your profile, then open that mail's link); until then the digest has trending papers and "
                       "your alerts.")  # fmt: skip
    else:
        flash(request, "Saved.")
    return RedirectResponse(f"/subscription/{token}", status_code=303)


@router.post(
    "/subscription/{token}/alerts", dependencies=[CSRF], responses=page(303, 400, 403, 422), summary="Add an alert"
)
def add_alert(
    request: Request,
    token: str,
    kind: Annotated[str, Form(max_length=20)] = "keyword",
    value: Short = "",
    frequency: Annotated[str, Form(max_length=10)] = "daily",
) -> Response:
    sub = _subscriber(request, "manage", token)
    try:
        kind, value, frequency = alerts.check_alert(kind, value, frequency)
        with request.app.state.store.transaction() as conn:
            alert = subs.add_alert(conn, sub.id, kind=kind, value=value, frequency=frequency)
    except SubscriptionError as exc:
        typed = {"kind": kind, "value": value, "frequency": frequency}
        return _settings_page(request, sub, token, error=str(exc), status=400, typed=typed)
    flash(request, f"Alert added: {alert.kind} “{alert.value}”.")
    return RedirectResponse(f"/subscription/{token}", status_code=303)


@router.post(
    "/subscription/{token}/alerts/{alert_id}/delete",
    dependencies=[CSRF],
    responses=page(303, 400, 403, 404, 422),
    summary="Remove an alert",
)
def remove_alert(request: Request, token: str, alert_id: DbId) -> Response:
    sub = _subscriber(request, "manage", token)
    with request.app.state.store.transaction() as conn:
        if not subs.remove_alert(conn, sub.id, alert_id):
            raise HTTPException(404, "no such alert")
    flash(request, "Alert removed.")
    return RedirectResponse(f"/subscription/{token}", status_code=303)


@router.post(
    "/subscription/{token}/resubscribe",
    dependencies=[CSRF],
    responses=page(400, 403, 422),
    summary="Subscribe again (confirm by mail)",
)
def resubscribe(request: Request, token: str) -> Response:
    sub = _subscriber(request, "manage", token)
    store, settings = request.app.state.store, request.app.state.settings
    row_id = notices.request(store, settings, sub.email) if sub.status in ("unsubscribed", "bouncing") else None
    response = render(request, "subscribe.html", sent_to=sub.email)
    response.background = deliver_now(store, settings, row_id)
    return response


# --- unsubscribing ------------------------------------------------------------------------------------------


@router.get("/unsubscribe/{token}", responses=LINK, summary="Unsubscribe page (one button; GET changes nothing)")
def unsubscribe_page(request: Request, token: str) -> Response:
    sub = _subscriber(request, "unsubscribe", token, any_version=True)
    return render(request, "unsubscribe.html", sub=sub, token=token, done=sub.status == "unsubscribed", shared=False)


@router.post(
    "/unsubscribe/{token}", responses=LINK, summary="Unsubscribe (RFC 8058 one-click: the signed token is enough)"
)
def unsubscribe(request: Request, token: str) -> Response:
    """The link of any mail ever sent unsubscribes (an old digest's too, after a new confirmation); only the
    current period's link leads on to the settings (older links were revoked for everything else)."""
    sub = _subscriber(request, "unsubscribe", token, any_version=True)
    with request.app.state.store.transaction() as conn:
        subs.unsubscribe(conn, sub.id)
    current = request.state.token_version == sub.token_version
    manage = tokens.make(request.app.state.settings, "manage", sub.id, sub.token_version) if current else None
    return render(request, "unsubscribe.html", sub=sub, token=token, done=True, manage_token=manage)


# --- the profile page's box ----------------------------------------------------------------------------------


def _profile_subscription(request: Request, user) -> dict | None:
    """For the signed-in user's own profile: their subscription (if any) and its settings link."""
    if user is None:
        return None
    with request.app.state.store.read() as conn:
        sub = subs.for_user(conn, user.id)
        if sub is None and user.email:
            sub = subs.by_email(conn, user.email)
    if sub is None:
        return {"sub": None, "email": user.email or user.pending_email or ""}
    manage = tokens.make(request.app.state.settings, "manage", sub.id, sub.token_version)
    return {"sub": sub, "email": sub.email, "manage_url": f"/subscription/{manage}"}


templates.env.globals["email_subscription"] = _profile_subscription
