"""A signed-out visitor's CSRF token: a signed cookie of its own (OWASP's signed double-submit cookie).

A signed-out reader who opens a form (log in, sign up, subscribe, a mailed link's settings) gets
``paperfeed_csrf``: the form's token, signed with the site's key and the time (itsdangerous), HttpOnly,
SameSite=Lax, Secure with ``cookie_secure``, for ``SECONDS``. A POST without a signed-in session must send
the same token (form field or ``X-CSRF-Token``) with a cookie whose signature holds and has not expired
(``http.auth.check_csrf``). The session cookie stays unset, so the reader's other pages are the ones a proxy
cache keeps for every signed-out reader (docs/deploy.md bypasses it for ``paperfeed_session`` only).

Each form page reuses the cookie's token and signs it anew: two open tabs both work, and the hours count
from the last form shown; past them a post gets the "reload and retry" 403, and the reload a fresh token.
A signed-in session keeps a token of its own (``auth.log_in``), and logging in deletes this cookie.
"""

from __future__ import annotations

import secrets

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "paperfeed_csrf"
SECONDS = 12 * 3600  # a form left open overnight still posts; a day-old one asks for a reload
_ASKED = "csrf_cookie"  # request.state: the token to sign into the answer's cookie; "" deletes the cookie


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.signing_key(), salt="paperfeed.csrf")


def cookie_token(request: Request) -> str | None:
    """The token in this request's cookie, if its signature holds and it is younger than ``SECONDS``."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _serializer(request).loads(raw, max_age=SECONDS)
    except BadSignature:  # forged, another site's key, or expired (SignatureExpired is one)
        return None
    return token if isinstance(token, str) and token else None


def anonymous_token(request: Request) -> str:
    """The token for a signed-out visitor's form: the cookie's, else a new one; the answer carries it in
    the cookie, signed anew (``CsrfCookie``)."""
    token = getattr(request.state, _ASKED, None) or cookie_token(request) or secrets.token_urlsafe(32)
    setattr(request.state, _ASKED, token)
    return token


def forget(request: Request) -> None:
    """The answer deletes the cookie, if the visitor has one (they just logged in: the session has its own token)."""
    setattr(request.state, _ASKED, "" if COOKIE in request.cookies else None)


class CsrfCookie:
    """Pure ASGI, just inside the session middleware: the answer sets or deletes ``paperfeed_csrf`` as the
    handler asked (``anonymous_token``, ``forget``), and a session that holds a CSRF token and nothing else
    (where paperfeed used to keep a signed-out visitor's: 30 days of requests a proxy passes by) is
    emptied, so the session middleware deletes its cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = scope.get("session")
        if session is not None and list(session) == ["csrf"]:
            session.pop("csrf")
        state = scope.setdefault("state", {})
        request = Request(scope)

        async def send_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get(_ASKED) is not None:
                token, secure = state[_ASKED], request.app.state.settings.cookie_secure
                cookie = Response()
                if token:
                    value = _serializer(request).dumps(token)
                    cookie.set_cookie(COOKIE, value, max_age=SECONDS, httponly=True, samesite="lax", secure=secure)
                else:
                    cookie.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=secure)
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_cookie)
