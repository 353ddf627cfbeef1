"""An account's own address: ``POST /account/email`` (signed in, with the account's password) mails a
confirmation link to the address typed, and a notice to the confirmed address it would replace;
``/account/email/confirm/{token}`` (GET one button, POST confirms) makes it the account's address. Until
then the address is the account's in nothing: no subscription is linked or shown by it (docs/email.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from ..http.auth import CSRF, LOGIN, RequireUser, login_allowed, note_login_failure
from ..http.openapi import page
from ..mail import notices, tokens
from ..mail.tokens import TokenError
from ..store import users as store_users
from ..store.passwords import verify_password
from .render import flash, render
from .subscriptions import ACCOUNT_REQUESTS_PER_HOUR, LINK, client_quota, deliver_now, in_minutes

router = APIRouter(default_response_class=HTMLResponse)


def address_cancelled(before) -> str:
    """What a password change's message adds when it cancelled the address change ``before`` (the account
    as it was) waited for (``store.users.set_password``)."""
    if not before.pending_email:
        return ""
    return (f" The change of the account's address to {before.pending_email} was cancelled with it: type the "
            "address again on your profile if you still want it.")  # fmt: skip


def send_account_confirmation(request: Request, user, email: str) -> BackgroundTask | None:
    """Record ``email`` as the account's pending address, mail it a confirmation link and tell the confirmed
    address it would replace (``notices.queue_address_changing``)."""
    store, settings = request.app.state.store, request.app.state.settings
    with store.transaction() as conn:
        email = store_users.set_pending_email(conn, user.id, email)
        row_id = notices.queue_account_confirmation(
            conn, settings, user_id=user.id, username=user.username, email=email
        )
        notice = notices.queue_address_changing(conn, settings, user, email)
    flash(request, f"We sent a confirmation link to {email}: the address counts once you open it.")
    return deliver_now(store, settings, row_id, notice)


@router.post(
    "/account/email",
    dependencies=[LOGIN, CSRF],
    responses=page(303, 400, 401, 403, 422, 429),
    summary="Set the account's address (with the password; confirmed by mail)",
)
def set_account_email(
    request: Request,
    user: RequireUser,
    email: Annotated[str, Form(max_length=400)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """The address is where password reset links go, so the account's password is asked, as to delete it: a
    copied cookie or a leaked API token alone must not be able to take the account over. A wrong one changes
    nothing (400, the form again) and counts as a failed login; too many, 429. Then limited per client
    address together with sign-ups (``ACCOUNT_REQUESTS_PER_HOUR``), and per address mailed
    (``notices.ACCOUNT_MAILS_PER_ADDRESS``): the form must not become a way to mail strangers."""
    response = RedirectResponse(f"/users/{user.username}", status_code=303)
    try:
        typed = store_users.check_email(email.strip() or user.pending_email or "")
    except store_users.AccountError as exc:
        flash(request, str(exc), "error")
        return response
    if not login_allowed(request, user.username, user.id):
        error = "Too many wrong passwords; wait a few minutes and try again."
        return render(request, "account_email.html", change=True, email=typed, error=error, status_code=429)
    with request.app.state.store.read() as conn:
        stored = store_users.password_hash(conn, user.id)
    if not verify_password(stored, password):
        note_login_failure(request, user.username)
        error = "That is not your password: the address did not change."
        return render(request, "account_email.html", change=True, email=typed, error=error, status_code=400)
    wait = client_quota(request, "account", ACCOUNT_REQUESTS_PER_HOUR)
    if wait:
        flash(request, "Too many sign-ups and address changes from your network in the last hour; "
              f"try again {in_minutes(wait)}.", "error")  # fmt: skip
        return response
    try:
        response.background = send_account_confirmation(request, user, typed)
    except store_users.AccountError as exc:
        flash(request, str(exc), "error")
    return response


def _account_link(request: Request, token: str) -> tuple[int, str]:
    try:
        return tokens.read_account(request.app.state.settings, token)
    except TokenError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/account/email/confirm/{token}", responses=LINK, summary="Address confirmation page (one button)")
def account_email_page(request: Request, token: str) -> Response:
    _, email = _account_link(request, token)
    return render(request, "account_email.html", email=email, token=token, shared=False)


@router.post("/account/email/confirm/{token}", responses=LINK, summary="Confirm the account's address")
def confirm_account_email(request: Request, token: str) -> Response:
    user_id, email = _account_link(request, token)
    try:
        user = notices.confirm_account_email(request.app.state.store, request.app.state.settings, user_id, email)
    except store_users.AccountError as exc:
        raise HTTPException(400, str(exc)) from None
    return render(request, "account_email.html", email=email, confirmed=True, account=user)
