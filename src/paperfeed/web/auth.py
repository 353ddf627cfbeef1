"""Who is asking: session cookies (signed), API tokens, CSRF tokens, password hashing, login limits.

- Sessions are signed cookies (Starlette's SessionMiddleware, itsdangerous) holding the user id and the
  user's session epoch: changing the password or a ban bumps the epoch and ends every session.
- Every form carries a CSRF token tied to the session; state-changing requests without it get 403.
  Requests authenticated by an API token (``Authorization: Bearer pf_...``) carry no cookie and need none.
- Passwords are hashed with argon2id (argon2-cffi); failed logins are counted in the database so the
  limit holds across workers.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request

from ..store import users as store_users
from ..store.users import UserView

hasher = PasswordHasher()
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


class LoginRequired(Exception):
    """Raised by ``require_user``; pages redirect to /login, JSON clients get 401."""


def hash_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValueError(f"passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash or len(password) > MAX_PASSWORD:
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or request.url.path.startswith("/api/")


def local_path(url: str | None, *, host: str | None = None, default: str = "/") -> str:
    """The path (with query and fragment) of ``url`` when it stays on this site, else ``default``.

    The one check behind every redirect target (``next=``, the Referer): a relative path must start
    with one "/" and hold no backslash (browsers read "/\\" as "//"); an absolute URL counts only when
    its host is ``host``.
    """
    if not url:
        return default
    parts = urlsplit(url)
    if (parts.scheme or parts.netloc) and (host is None or parts.netloc != host):
        return default
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in url:
        return default
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return None


def current_user(request: Request) -> UserView | None:
    """The signed-in user (session or API token), or None. Banned users count as signed out."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = None
    store = request.app.state.store
    token = _bearer(request)
    if token:
        with store.transaction() as conn:
            user = store_users.user_for_token(conn, token)
        if user is None:
            raise HTTPException(401, "invalid API token", headers={"WWW-Authenticate": "Bearer"})
        request.state.via_token = True
    elif "uid" in request.session:
        with store.read() as conn:
            user = store_users.get_user(conn, request.session["uid"])
        if user is None or user.session_epoch != request.session.get("epoch"):
            request.session.pop("uid", None)
            user = None
    if user is not None and user.banned:
        user = None
    request.state.user = user
    return user


def require_user(request: Request) -> UserView:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def require_admin(request: Request) -> UserView:
    user = require_user(request)
    if not user.is_admin:
        raise HTTPException(403, "only administrators can do that")
    return user


def log_in(request: Request, user: UserView) -> None:
    request.session.clear()
    request.session.update({"uid": user.id, "epoch": user.session_epoch, "csrf": secrets.token_urlsafe(32)})


def log_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Dependency for every state-changing route: the form field or header must match the session's token."""
    if _bearer(request):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get("csrf_token")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "the form expired or came from another site (CSRF check failed); reload and retry")


def login_allowed(request: Request, username: str) -> bool:
    s = request.app.state.settings
    window = timedelta(minutes=s.login_window_minutes)
    with request.app.state.store.read() as conn:
        by_user = store_users.recent_failures(conn, f"user:{username.lower()}", window=window)
        by_addr = store_users.recent_failures(conn, f"addr:{client_addr(request)}", window=window)
    return by_user < s.login_max_failures and by_addr < 4 * s.login_max_failures


def note_login_failure(request: Request, username: str) -> None:
    with request.app.state.store.transaction() as conn:
        store_users.note_failure(conn, f"user:{username.lower()}")
        store_users.note_failure(conn, f"addr:{client_addr(request)}")


def client_addr(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CurrentUser = Annotated[UserView | None, Depends(current_user)]
RequireUser = Annotated[UserView, Depends(require_user)]
RequireAdmin = Annotated[UserView, Depends(require_admin)]
CSRF = Depends(check_csrf)
LOGIN = Depends(require_user)  # list before CSRF: a signed-out visitor is sent to log in, not told "CSRF"
