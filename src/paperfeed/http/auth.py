"""Who is asking: session cookies (signed), API tokens, CSRF tokens, login limits.

- Sessions are signed cookies (Starlette's SessionMiddleware, itsdangerous) holding the user id and the
  user's session epoch: changing the password or a ban bumps the epoch and ends every session.
- Every form carries a CSRF token: a signed-in session's own, or a signed-out visitor's in a signed cookie
  of its own (``http.csrf``: the session cookie, which proxies pass by, stays unset); state-changing
  requests without it get 403.
  Requests that a valid API token (``Authorization: Bearer pf_...``) authenticated carry no cookie and
  need none; a header with an invalid token changes nothing: the API answers 401, pages ignore it.
  A token that is not paperfeed's at all (no ``pf_``: a Hugging Face ``hf_...`` token that a script
  written for HF's API sends) is ignored on reads, so those scripts work unchanged, anonymously.
- Passwords are hashed with argon2id (``store.passwords``); failed logins are counted in the database
  so the limit holds across workers. The limit is per client and account together (and per client overall): a
  stranger's wrong guesses never lock the owner out. Past a high account-wide count, clients that never
  logged in to the account wait too, but a browser that did (a signed "device" cookie, as OWASP
  describes) still gets in.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer

from ..store import users as store_users
from ..store.users import TOKEN_PREFIX, UserView
from . import csrf


class LoginRequired(Exception):
    """Raised by ``require_user``; pages redirect to /login, JSON clients get 401."""


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


_READS = ("GET", "HEAD", "OPTIONS")


def _bad_token(token: str) -> HTTPException:
    why = "invalid API token"
    if not token.startswith(TOKEN_PREFIX):
        kind = "a Hugging Face token" if token.startswith("hf_") else "not a paperfeed token"
        why += f": this is {kind}; paperfeed's API tokens start with {TOKEN_PREFIX} (made on your profile page)"
    return HTTPException(401, why, headers={"WWW-Authenticate": "Bearer"})


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
        foreign_read = not token.startswith(TOKEN_PREFIX) and request.method in _READS
        if user is None:
            if wants_json(request) and not foreign_read:
                request.state.user = None  # the error page asks again: answer, don't raise twice
                raise _bad_token(token)
            request.state.foreign_token = token if foreign_read else None  # require_user says why
            token = None  # pages ignore bad credentials: the visitor is who their cookie says
        else:
            request.state.via_token = True
    if not token and "uid" in request.session:
        sid = request.session.get("sid")
        with store.read() as conn:
            user = store_users.get_user(conn, request.session["uid"])
            ended = sid is not None and store_users.session_ended(conn, str(sid))
        if user is None or ended or user.session_epoch != request.session.get("epoch"):
            request.session.clear()  # signed out for good: the cookie goes, and with it the proxy's bypass
            user = None
    if user is not None and user.banned:
        if token and wants_json(request):  # an API client: say why, rather than act as if signed out
            request.state.user = None
            raise HTTPException(403, "this account is suspended: its API tokens do nothing")
        user = None
    request.state.user = user
    return user


def require_user(request: Request) -> UserView:
    user = current_user(request)
    if user is None:
        foreign = getattr(request.state, "foreign_token", None)
        if foreign and wants_json(request):  # a read that needs an account, with somebody else's token
            raise _bad_token(foreign)
        raise LoginRequired()
    return user


def require_admin(request: Request) -> UserView:
    user = require_user(request)
    if not user.is_admin:
        raise HTTPException(403, "only administrators can do that")
    return user


def log_in(request: Request, user: UserView) -> None:
    """A new session: the user, their session epoch (a password change or ban ends every session), a
    random session id (logging out ends this one: ``log_out``) and a CSRF token, which replaces a
    signed-out visitor's (its cookie is deleted)."""
    request.session.clear()
    csrf.forget(request)
    request.session.update({"uid": user.id, "epoch": user.session_epoch, "sid": secrets.token_urlsafe(16),
                            "csrf": secrets.token_urlsafe(32)})  # fmt: skip


def log_out(request: Request) -> None:
    """End the session for good: a copy of its cookie, kept or stolen, signs nobody in afterwards."""
    sid = request.session.get("sid")
    if sid is not None and "uid" in request.session:
        with request.app.state.store.transaction() as conn:
            store_users.end_session(conn, str(sid))
    request.session.clear()


def _session_signed_in(request: Request) -> bool:
    """Whether the session signs somebody in (``current_user`` drops the user id of one that ended)."""
    current_user(request)
    return "uid" in request.session


def csrf_token(request: Request) -> str:
    """The token a form on this page carries: the signed-in session's, else the visitor's cookie's."""
    if not _session_signed_in(request):
        return csrf.anonymous_token(request)
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def check_csrf(request: Request) -> None:
    """Dependency for every state-changing route: the form field or header must match the signed-in
    session's token, or, with no signed-in session, the token of the visitor's signed CSRF cookie.

    Skipped only for a request that a valid API token authenticated (browsers never send one by themselves)."""
    if _bearer(request) and current_user(request) is not None and getattr(request.state, "via_token", False):
        return
    # a session whose user id ``current_user`` dropped while rendering the form no longer holds it here
    expected = request.session.get("csrf") if "uid" in request.session else csrf.cookie_token(request)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get("csrf_token")
    # tokens are ASCII (compare_digest raises on other text: a 500 for a token with an accent)
    if not expected or not isinstance(sent, str) or not sent.isascii() or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "the form expired or came from another site (CSRF check failed); reload and retry")


def same_origin(request: Request) -> bool:
    """Whether the browser says this request comes from one of the site's own pages: it was sent to the
    site's own name (``Host`` is ``base_url``'s: a page on another name that resolves to this server, DNS
    rebinding, is not the site) with ``Sec-Fetch-Site: same-origin`` or ``base_url``'s ``Origin``. Pages
    cannot forge either header in a browser, so a form with no CSRF token may act on it (OWASP's
    "verifying origin with standard headers"); a request with neither header is not from the site."""
    base = urlsplit(request.app.state.settings.base_url)
    if request.headers.get("host", "").lower() != base.netloc.lower():
        return False
    if request.headers.get("sec-fetch-site") == "same-origin":
        return True
    return request.headers.get("origin", "").rstrip("/").lower() == f"{base.scheme}://{base.netloc}".lower()


SESSION_COOKIE = "paperfeed_session"  # a proxy cache passes requests that carry it by (docs/deploy.md)
DEVICE_COOKIE = "paperfeed_device"
ACCOUNT_WIDE_FACTOR = 10  # account-wide failures (all clients) past max * this hold off unknown clients


def _device_serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.settings.signing_key(), salt="paperfeed.login.device")


def known_device(request: Request, user_id: int) -> bool:
    """Whether this browser logged in to account ``user_id`` before (its signed device cookie says so)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return False
    try:
        return user_id in _device_serializer(request).loads(raw)
    except BadSignature:
        return False


def remember_device(request: Request, response: Response, user_id: int) -> None:
    """After a successful login: mark this browser as one the account's owner uses (a year, up to 5 accounts)."""
    ids = [user_id]
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            ids += [i for i in _device_serializer(request).loads(raw) if isinstance(i, int) and i != user_id][:4]
        except BadSignature:
            pass
    response.set_cookie(
        DEVICE_COOKIE, _device_serializer(request).dumps(ids), max_age=365 * 24 * 3600, httponly=True,
        samesite="lax", secure=request.app.state.settings.cookie_secure,
    )  # fmt: skip


def _failure_keys(request: Request, username: str) -> tuple[str, str, str]:
    name, addr = username.lower(), client_addr(request)
    return f"user:{name}|addr:{addr}", f"addr:{addr}", f"user:{name}"


def login_allowed(request: Request, username: str, user_id: int | None = None) -> bool:
    """Whether this client may try to log in to ``username`` now.

    Failures count per (client, account) and per client; a client that hit either waits for the window
    to pass. The account-wide count (every client) stops only clients without a device cookie for the
    account, so guessing from many addresses slows down while the owner's own browser still gets in."""
    s = request.app.state.settings
    window = timedelta(minutes=s.login_window_minutes)
    pair, addr, account = _failure_keys(request, username)
    with request.app.state.store.read() as conn:
        if store_users.recent_failures(conn, pair, window=window) >= s.login_max_failures:
            return False
        if store_users.recent_failures(conn, addr, window=window) >= 4 * s.login_max_failures:
            return False
        if user_id is not None and known_device(request, user_id):
            return True
        return store_users.recent_failures(conn, account, window=window) < ACCOUNT_WIDE_FACTOR * s.login_max_failures


def note_login_failure(request: Request, username: str) -> None:
    with request.app.state.store.transaction() as conn:
        for key in _failure_keys(request, username):
            store_users.note_failure(conn, key)


def forget_login_failures(request: Request, username: str) -> None:
    """This client's failed logins to ``username`` stop counting (its owner just reset the password by mail)."""
    pair, _, _ = _failure_keys(request, username)
    with request.app.state.store.transaction() as conn:
        store_users.clear_failures(conn, pair)


def client_addr(request: Request) -> str:
    return request.client.host if request.client else "unknown"


CurrentUser = Annotated[UserView | None, Depends(current_user)]
RequireUser = Annotated[UserView, Depends(require_user)]
RequireAdmin = Annotated[UserView, Depends(require_admin)]
CSRF = Depends(check_csrf)
LOGIN = Depends(require_user)  # list before CSRF: a signed-out visitor is sent to log in, not told "CSRF"
