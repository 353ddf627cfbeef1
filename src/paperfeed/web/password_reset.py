"""Forgot your password? A reset link by mail (``mail.resets``), linked from the log-in form.

- ``/account/reset``: the form takes an address and answers "if an account has this confirmed address, we
  sent it a link" whatever the address; the look-up and the mail happen after the answer is sent, so a real
  account's answer takes no longer. Limited per client (``ACCOUNT_REQUESTS_PER_HOUR``: 429) and per
  address (``resets.RESET_MAILS_PER_ADDRESS``: silently, the same answer).
- ``/account/reset/{token}``: GET shows the form (changes nothing: mail scanners open links), POST sets
  the password (twice, the sign-up rules), which ends every session of the account and the link with
  them, and mails the "your password was changed" notice (after the answer); then the reader logs in
  with it at /login (OWASP: no log-in by the reset itself). The page says ``Referrer-Policy:
  no-referrer`` and ``no-store``: its address holds the token. A link that no longer works (expired,
  used, damaged) gets a 400 page that says so and offers a new one.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from ..http import auth
from ..http.auth import CSRF
from ..http.openapi import page
from ..mail import notices, resets
from ..mail.tokens import TokenError
from ..store import users as store_users
from .account_email import address_cancelled
from .render import flash, render
from .subscriptions import ACCOUNT_REQUESTS_PER_HOUR, client_quota, deliver_now, in_minutes

log = logging.getLogger(__name__)
router = APIRouter(default_response_class=HTMLResponse)
Password = Annotated[str, Form(max_length=1024)]
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "private, no-store"}


@router.get("/account/reset", summary="Forgot your password? The form that mails a reset link")
def reset_form(request: Request) -> Response:
    return render(request, "reset_request.html")


@router.post(
    "/account/reset", dependencies=[CSRF], responses=page(400, 403, 422, 429), summary="Mail a password reset link"
)
def request_reset(request: Request, email: Annotated[str, Form(max_length=400)]) -> Response:
    store, settings = request.app.state.store, request.app.state.settings
    try:
        email = store_users.check_email(email)
    except store_users.AccountError as exc:
        return render(request, "reset_request.html", error=str(exc), email=email, status_code=400)
    wait = client_quota(request, "reset", ACCOUNT_REQUESTS_PER_HOUR)
    if wait:
        error = f"Too many reset requests from your network in the last hour; try again {in_minutes(wait)}."
        response = render(request, "reset_request.html", error=error, email=email, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    response = render(request, "reset_request.html", sent=True, email=email, minutes=settings.reset_link_minutes)
    response.background = BackgroundTask(_mail_link, store, settings, email)
    return response


def _mail_link(store, settings, email: str) -> None:
    """After the answer: queue the link if the address is an account's, and send it (the scheduler's
    delivery runs retry it if this fails)."""
    try:
        run = notices.sender(store, settings, resets.request_reset(store, settings, email))
    except Exception:
        log.exception("password reset for an address: not queued")
        return
    if run:
        run()


def _form(request: Request, token: str, *, status_code: int = 200, error: str | None = None) -> Response:
    """The new-password form of a working link, else the page that says the link no longer works (400)."""
    try:
        account = resets.check_link(request.app.state.store, request.app.state.settings, token)
    except TokenError as exc:
        response = render(request, "reset_password.html", invalid=str(exc), status_code=400)
    else:
        ctx = {"account": account, "token": token, "error": error}
        response = render(request, "reset_password.html", **ctx, status_code=status_code)
    response.headers.update(PRIVATE)
    return response


@router.get("/account/reset/{token}", responses=page(400, 422), summary="The new-password form of a reset link")
def reset_page(request: Request, token: str) -> Response:
    return _form(request, token)


@router.post(
    "/account/reset/{token}",
    dependencies=[CSRF],
    responses=page(303, 400, 403, 422),
    summary="Set a new password with a reset link",
)
def reset_password(request: Request, token: str, new: Password, again: Password) -> Response:
    store, settings = request.app.state.store, request.app.state.settings
    if new != again:
        return _form(request, token, status_code=400, error="The two passwords differ; type the same one twice.")
    try:
        account, notice = resets.reset_password(store, settings, token, new)
    except TokenError:
        return _form(request, token)  # the page that says so
    except ValueError as exc:
        return _form(request, token, status_code=400, error=str(exc))
    auth.forget_login_failures(request, account.username)  # wrong guesses before the reset keep nobody out
    flash(request, "Your password was changed and every session of the account was logged out: log in with "
          "the new password. Your API tokens still work: revoke any you do not recognise on your profile."
          + address_cancelled(account))  # fmt: skip
    response = RedirectResponse("/login", status_code=303)
    response.headers.update(PRIVATE)
    auth.remember_device(request, response, account.id)  # the owner's browser: a stranger's guesses lock it out less
    response.background = deliver_now(store, settings, notice)  # "your password was changed", after the answer
    return response
