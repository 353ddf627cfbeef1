"""Accounts: sign up, log in and out, password change, profile pages, API tokens; download one's data,
delete one's account (``actions.accounts``, shared with the API and the CLI)."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..actions import accounts as account_actions
from ..http import auth, cache
from ..http.auth import CSRF, LOGIN, CurrentUser, RequireUser, local_path
from ..http.openapi import content, page
from ..http.params import DbId
from ..mail import notices
from ..store import cards as store_cards
from ..store import collections as store_collections
from ..store import community
from ..store import users as store_users
from ..store.passwords import hash_password, needs_rehash, verify_password
from ..store.users import UserView
from .account_email import address_cancelled
from .render import flash, render
from .subscriptions import ACCOUNT_REQUESTS_PER_HOUR, client_quota, deliver_now, in_minutes

router = APIRouter(default_response_class=HTMLResponse)
Text = Annotated[str, Form(max_length=1024)]


@router.get("/signup", responses=page(422), summary="Sign-up form")
def signup_form(request: Request, next: str = "/") -> Response:
    return render(request, "signup.html", next=local_path(next))


@router.post("/signup", dependencies=[CSRF], responses=page(303, 400, 403, 422, 429), summary="Create an account")
def signup(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Text,
    email: Annotated[str, Form(max_length=400)] = "",
    next: Text = "/",
) -> Response:
    """Everything cheap is checked before the password is hashed (argon2: half a second of CPU), and a
    client address makes at most ``ACCOUNT_REQUESTS_PER_HOUR`` accounts (and address changes) an hour."""
    store, settings = request.app.state.store, request.app.state.settings
    form = {"username": username, "email": email, "next": local_path(next)}
    try:
        with store.read() as conn:
            typed = store_users.check_new_account(conn, username=username.strip(), email=email.strip() or None)
            if typed:
                notices.check_account_mail(conn, typed)
        wait = client_quota(request, "account", ACCOUNT_REQUESTS_PER_HOUR)
        if wait:
            error = f"Too many sign-ups from your network in the last hour; try again {in_minutes(wait)}."
            response = render(request, "signup.html", error=error, **form, status_code=429)
            response.headers["Retry-After"] = str(wait)
            return response
        hashed = hash_password(password, settings)
        with store.transaction() as conn:
            user = store_users.create_user(conn, username=username.strip(), password_hash=hashed, email=typed)
            row_id = None
            if user.pending_email:  # the address counts once its owner confirms it (docs/email.md)
                row_id = notices.queue_account_confirmation(
                    conn, settings, user_id=user.id, username=user.username, email=user.pending_email
                )
    except (ValueError, store_users.AccountError) as exc:
        return render(request, "signup.html", error=str(exc), **form, status_code=400)
    auth.log_in(request, user)
    flash(request, f"Welcome, {user.username}!")
    if user.pending_email:
        flash(request, f"We sent a confirmation link to {user.pending_email}: the address counts once you open it.")
    response = RedirectResponse(local_path(next), status_code=303)
    response.background = deliver_now(store, settings, row_id)
    return response


@router.get("/login", responses=page(422), summary="Log-in form")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=local_path(next))


@router.post("/login", dependencies=[CSRF], responses=page(303, 401, 403, 422, 429), summary="Log in")
def login(
    request: Request, username: Annotated[str, Form(max_length=100)], password: Text, next: Text = "/"
) -> Response:
    username = username.strip()
    with request.app.state.store.read() as conn:
        user = store_users.get_user_by_name(conn, username)
        stored = store_users.password_hash(conn, user.id) if user else None
    if not auth.login_allowed(request, username, user.id if user else None):
        return render(
            request,
            "login.html",
            error="Too many failed logins; wait a few minutes and try again.",
            username=username,
            next=local_path(next),
            status_code=429,
        )
    if user is None or not verify_password(stored, password):
        auth.note_login_failure(request, username)
        return render(
            request,
            "login.html",
            error="Wrong username or password.",
            username=username,
            next=local_path(next),
            status_code=401,
        )
    if user.banned:
        return render(
            request,
            "login.html",
            error="This account is banned.",
            username=username,
            next=local_path(next),
            status_code=403,
        )
    if needs_rehash(stored, settings := request.app.state.settings):  # the operator changed the cost
        with request.app.state.store.transaction() as conn:
            store_users.rehash_password(conn, user.id, stored, hash_password(password, settings))
    auth.log_in(request, user)
    response = RedirectResponse(local_path(next), status_code=303)
    auth.remember_device(request, response, user.id)
    return response


@router.get("/logout", summary="Log-out page (one button; GET changes nothing)")
def logout_page(request: Request) -> Response:
    """A typed or bookmarked /logout: a button to confirm, as a GET must not change anything."""
    return render(request, "logout.html")


@router.post("/logout", dependencies=[CSRF], responses=page(303, 403), summary="Log out")
def logout(request: Request) -> Response:
    auth.log_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/account/password", responses=page(303, 401), summary="Password change form")
def password_form(request: Request, user: RequireUser) -> Response:
    return render(request, "password.html")


@router.post(
    "/account/password",
    dependencies=[LOGIN, CSRF],
    responses=page(303, 400, 401, 403, 422, 429),
    summary="Change password",
)
def change_password(request: Request, user: RequireUser, current: Text, new: Text) -> Response:
    """Ends every other session; API tokens keep working (as on GitHub): the message says so and points to
    them, for an owner who changes the password because someone else got in. The account's confirmed
    address is told (``actions.accounts``), by a mail sent after the answer. A wrong current password
    counts as a failed login, as at /account/delete: a borrowed session guesses no faster here than at /login."""
    store, settings = request.app.state.store, request.app.state.settings
    if not auth.login_allowed(request, user.username, user.id):
        error = "Too many wrong passwords; wait a few minutes and try again."
        return render(request, "password.html", error=error, status_code=429)
    try:
        done = account_actions.change_own_password(store, settings, user, current, new)
    except account_actions.WrongPassword as exc:
        auth.note_login_failure(request, user.username)
        return render(request, "password.html", error=str(exc), status_code=400)
    except ValueError as exc:
        return render(request, "password.html", error=str(exc), status_code=400)
    auth.log_in(request, done.user)  # this session stays; every other one ends
    flash(request, "Password changed. Other sessions were logged out. Your API tokens still work: revoke any "
          "you do not recognise in the list of API tokens below." + address_cancelled(user))  # fmt: skip
    response = RedirectResponse(f"/users/{user.username}", status_code=303)
    response.background = deliver_now(store, settings, done.notice)  # "your password was changed", after the answer
    return response


@router.get(
    "/users/{username}",
    responses=page(404, 422),
    summary="A user's profile: upvotes, submissions, comments, collections",
)
def profile(request: Request, user: CurrentUser, username: str) -> Response:
    with request.app.state.store.read() as conn:
        prof = store_users.get_user_by_name(conn, username[:100])
    if prof is None:
        raise HTTPException(404, f"No user {username[:40]!r}")
    return _profile_page(request, user, prof)


def _profile_page(request: Request, user: UserView | None, prof: UserView, *, new_token: str | None = None):
    """``prof``'s profile as ``user`` sees it; ``new_token``: a token just made, shown this once."""
    store = request.app.state.store
    with store.read() as conn:
        upvoted = store_cards.cards(conn, community.upvoted_by(conn, prof.id, limit=30))  # hidden papers skipped
        submissions = store_cards.cards(conn, community.submissions_by(conn, prof.username, limit=30))
        said = community.comments_by(conn, prof.id, limit=30)
        colls = store_collections.for_user(conn, prof.id, viewer_id=user.id if user else None)
        tokens = store_users.list_tokens(conn, prof.id) if user and user.id == prof.id else []
        votes = community.user_votes(conn, user.id, [p.id for p in upvoted + submissions]) if user else {}
    return render(
        request,
        "profile.html",
        profile=prof,
        upvoted=upvoted,
        submissions=submissions,
        said=said,
        collections=colls,
        tokens=tokens,
        votes=votes,
        new_token=new_token,
    )


@router.post(
    "/account/tokens", dependencies=[LOGIN, CSRF], responses=page(303, 401, 403, 422), summary="Create an API token"
)
def create_token(request: Request, user: RequireUser, name: Annotated[str, Form(max_length=100)]) -> Response:
    """The profile page, with the new token shown once in this answer (never in the session cookie, which is
    signed but readable; only its hash is stored)."""
    with request.app.state.store.transaction() as conn:
        token = store_users.create_token(conn, user.id, name)
    return _profile_page(request, user, user, new_token=token)


@router.post(
    "/account/tokens/{token_id}/delete",
    dependencies=[LOGIN, CSRF],
    responses=page(303, 401, 403, 404, 422),
    summary="Revoke an API token",
)
def delete_token(request: Request, user: RequireUser, token_id: DbId) -> Response:
    with request.app.state.store.transaction() as conn:
        if not store_users.delete_token(conn, user.id, token_id):
            raise HTTPException(404, "no such token")
    flash(request, "Token revoked.")
    return RedirectResponse(f"/users/{user.username}", status_code=303)


# --- one's own data: download it, delete the account ----------------------------------------------------


@router.get(
    "/account/export",
    response_class=Response,
    responses={**content("application/json"), **page(303, 401)},
    summary="Download your data (JSON)",
)
def export_account(request: Request, user: RequireUser) -> Response:
    """Profile, votes, comments, collections, follows, subscriptions, token names: a JSON file to keep."""
    data = account_actions.export(request.app.state.store, user)
    return Response(
        orjson.dumps(data, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="paperfeed-{user.username}.json"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip


@router.get("/account/delete", responses=page(303, 401), summary="Account deletion form")
def delete_form(request: Request, user: RequireUser) -> Response:
    return render(request, "account_delete.html")


@router.post(
    "/account/delete",
    dependencies=[LOGIN, CSRF],
    responses=page(303, 400, 401, 403, 422, 429),
    summary="Delete your account (confirmed with your password)",
)
def delete_account(request: Request, user: RequireUser, password: Text) -> Response:
    """A wrong password deletes nothing (400, the form again) and counts as a failed login (a borrowed
    session cannot guess the password here faster than at /login). Done, this session ends with the others."""
    if not auth.login_allowed(request, user.username, user.id):
        error = "Too many wrong passwords; wait a few minutes and try again."
        return render(request, "account_delete.html", error=error, status_code=429)
    try:
        account_actions.delete_own_account(request.app.state.store, user, password)
    except account_actions.WrongPassword as exc:
        auth.note_login_failure(request, user.username)
        return render(request, "account_delete.html", error=str(exc), status_code=400)
    except account_actions.AccountError as exc:
        return render(request, "account_delete.html", error=str(exc), status_code=400)
    cache.clear(request)
    request.session.clear()
    flash(request, f"Your account {user.username} was deleted.")
    return RedirectResponse("/", status_code=303)
