"""Security headers on every response (pages, API, feeds, static files, cache hits); cross-origin reads
of the API and feeds (``PublicReadCORS``).

- ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``: no other site frames a page, so one-button
  forms (vote, ban, unsubscribe) cannot be clickjacked.
- CSP ``base-uri 'self'; object-src 'none'; form-action 'self'``: injected markup, if any ever got
  through, could not re-point links or forms elsewhere.
- CSP ``script-src 'self'``: only the site's own script files run; an inline script or a ``javascript:``
  link that got into a page (an imported record's link, say) does not. ``/docs`` (Swagger UI starts itself
  with an inline script) goes without it.
- ``X-Content-Type-Options: nosniff``: a response is read as the type it says.
- ``Referrer-Policy: strict-origin-when-cross-origin``: links out of a page (arXiv, code) never carry its
  path, which for settings pages holds a signed token.
- ``Vary: Authorization, Cookie`` on every answer of the JSON API (cache hits, 304s and errors included): a
  shared proxy must not give an anonymous answer (a private collection's 404) to its owner's token, nor
  the other way round. Every answer that shared caches may keep says the same (``shared_page_headers``).
- An answer that sets a cookie (a session's) is never ``public``: its ``Cache-Control`` says ``private``
  instead, so no shared cache keeps one visitor's session for the next. An anonymous page that carries a
  form (log in, sign up, subscribe) sets one; so does any answer that changes a visitor's session (a
  new CSRF token, a message).
- An error (4xx, 5xx) says ``Cache-Control: no-store``: nobody keeps it, the rate limit's 429 (one
  client's, with its ``Retry-After``) least of all.
"""

from __future__ import annotations

_CSP = b"frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", _CSP + b"; script-src 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
_DOCS_HEADERS = [(n, _CSP if n == b"content-security-policy" else v) for n, v in SECURITY_HEADERS]
_NAMES = {name for name, _ in SECURITY_HEADERS}


class SecurityHeadersMiddleware:
    """Pure ASGI: adds ``SECURITY_HEADERS`` to every HTTP response start (a view's own values win)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        wanted = _DOCS_HEADERS if scope["path"] in ("/docs", "/docs/oauth2-redirect") else SECURITY_HEADERS
        by_client = scope["path"].startswith("/api/")

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in wanted if n not in names]
                if b"set-cookie" in names:
                    headers = _private(headers)
                if message["status"] >= 400:
                    headers = _never_kept(headers)
                if by_client or b"vary" in names:  # the session adds "Cookie" to a page's own Vary
                    headers = varied(headers, BY_CLIENT if by_client else ())
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


BY_CLIENT = ("Authorization", "Cookie")


def varied(headers: list[tuple[bytes, bytes]], names: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    """``headers`` with one ``Vary`` that names ``names`` beside what it named already, each name once."""
    kept = [(k, v) for k, v in headers if k.lower() != b"vary"]
    given = [n.strip() for k, v in headers if k.lower() == b"vary" for n in v.decode("latin-1").split(",")]
    seen, unique = set(), []
    for name in [*given, *names]:
        if name and name.lower() not in seen:
            seen.add(name.lower())
            unique.append(name)
    return [*kept, (b"vary", ", ".join(unique).encode("latin-1"))]


def shared_page_headers(max_age: int) -> dict[str, str]:
    """What an answer the same for every anonymous client says to caches (a page, an API answer, a feed, a
    sitemap): a shared cache (a proxy, a CDN) and the browser may keep it ``max_age`` seconds
    (``public_cache_seconds``, ``feed_cache_seconds``; 0: ask the server each time, which answers a 304 while
    it is unchanged), for requests without the cookie or token that make an answer somebody's own."""
    control = f"public, max-age={max_age}" if max_age > 0 else "no-cache"
    return {"Cache-Control": control, "Vary": ", ".join(BY_CLIENT)}


def _private(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with a ``Cache-Control`` that says ``private`` (instead of ``public``): the answer sets a
    cookie. Its other directives (a static file's ``max-age``) stay for the browser."""
    kept = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
    given = [p.strip() for k, v in headers if k.lower() == b"cache-control" for p in v.split(b",")]
    given = [p for p in given if p and p.lower() != b"public"]
    if not any(p.lower() in (b"private", b"no-store") for p in given):
        given.insert(0, b"private")
    return [*kept, (b"cache-control", b", ".join(given))]


def _never_kept(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Cache-Control: no-store`` (an error's), unless they say it already."""
    given = [p.strip().lower() for k, v in headers if k.lower() == b"cache-control" for p in v.split(b",")]
    if b"no-store" in given:
        return headers
    return [*((k, v) for k, v in headers if k.lower() != b"cache-control"), (b"cache-control", b"no-store")]


# the public, read-only surfaces another site's page may fetch (a paper widget, a feed reader in a browser)
CORS_PATHS = ("/api/", "/feeds/", "/openapi.json")
SEARCH_HEADERS = {  # what a search answer says beside its items (api/routes.search); cross-origin readable
    "X-Total-Count": "All matches (a lower bound when X-Total-Is-Estimate is true)",
    "X-Total-Is-Estimate": "true when X-Total-Count is the count of the query's commonest word, not of every match",
    "X-Search-Lexical-Only": "true when meaning-based search was not used",
    "X-Search-Not-Embedded": "Papers not yet indexed for meaning",
}


class PublicReadCORS:
    """Cross-origin reads of ``CORS_PATHS`` (``Access-Control-Allow-Origin: *``, GET and HEAD only, no
    cookies): pages and every write stay same-origin. An API token is sent as a header, never ambient, so a
    page elsewhere can act only with a token it was given.

    Every answer there says so, whether or not the request named an ``Origin``: a shared cache that kept
    a feed a feed reader fetched (no ``Origin``) gives the same copy to a page elsewhere, which can read it
    (nginx's lines in docs/deploy.md ignore ``Vary``, so a copy without the header would not do)."""

    def __init__(self, app):
        from starlette.middleware.cors import CORSMiddleware

        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD"],
            allow_headers=["Authorization", "If-None-Match", "If-Modified-Since"],
            expose_headers=["ETag", "Last-Modified", "Retry-After", *SEARCH_HEADERS],
            max_age=86_400,
        )
        # what every GET and HEAD answer there carries, made once
        self.readable = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.cors.simple_headers.items()
        ]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PATHS):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):  # a preflight; a write (its preflight refused it)
            await self.cors(scope, receive, send)
            return

        async def send_readable(message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.readable if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_readable)
