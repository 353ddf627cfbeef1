"""The API's account endpoints (``/api/account``): download your data, delete your account.

Both act on the account the request is signed in as (an API token, or a session cookie plus the
``X-CSRF-Token`` header for the delete). Deleting asks for the account's password in the body, as the
settings page does: a leaked token can read, but not wipe, an account (``actions.accounts``).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from ..actions import accounts as account_actions
from ..http import auth, cache
from ..http.auth import CSRF, LOGIN, RequireUser
from ..http.openapi import api
from .schemas import AccountDeleteIn

router = APIRouter(tags=["paperfeed"])


@router.get(
    "/account/export",
    response_model=dict,
    responses=api(403),
    summary="Download your data",
    description="Everything your account holds, as one JSON object: `account` (username, addresses, since "
    "when), `votes`, `comments` (deleted ones are gone), `collections` with their papers, `submissions`, "
    "`follows`, `subscriptions` with their alerts, and `api_tokens` by name (the tokens themselves are "
    "never stored). The settings page offers the same file.",
)
def export_account(request: Request, user: RequireUser) -> dict:
    return account_actions.export(request.app.state.store, user)


@router.delete(
    "/account",
    dependencies=[LOGIN, CSRF],
    status_code=204,
    responses=api(400, 403),
    summary="Delete your account",
    description="Confirmed with the account's `password` (400 when wrong: nothing is deleted; it counts as a "
    "failed login, 429 after too many). Deleted at once, in one transaction: your API tokens and sessions "
    "stop working, your votes, collections, follows, subscriptions and alerts and the mail waiting for your "
    'address go, your comments stay as "[deleted]" placeholders (their replies kept), and your username stays '
    "reserved: no new account takes it.",
)
def delete_account(request: Request, user: RequireUser, body: AccountDeleteIn) -> Response:
    if not auth.login_allowed(request, user.username, user.id):
        wait = str(60 * request.app.state.settings.login_window_minutes)
        raise HTTPException(429, "too many wrong passwords; wait and try again", headers={"Retry-After": wait})
    try:
        account_actions.delete_own_account(request.app.state.store, user, body.password)
    except account_actions.WrongPassword:
        auth.note_login_failure(request, user.username)
        raise
    cache.clear(request)
    return Response(status_code=204)
