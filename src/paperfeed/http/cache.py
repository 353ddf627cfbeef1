"""A small page cache for anonymous visitors: list and paper pages, and the JSON lists of the API, are read far
more often than written.

A rendered page is reused for ``ttl`` seconds for visitors who are not signed in, keyed by the full URL; any
write (a vote, a comment, a submission, an admin action) expires it, in every process: on PostgreSQL the others
hear of it through LISTEN/NOTIFY (``store.events``: ``actions`` publish every write) within a second; several
workers on one SQLite file see it within ``ttl`` seconds. Signed-in users always get a fresh page (their own
votes are marked on it). The pages kept carry no visitor's CSRF token (their forms for signed-out readers need
none: ``web.subscriptions``' footer form), so they set no cookie and say that shared caches may keep them too
(``http.headers``): pages and the API's answers for ``public_cache_seconds``, feeds and sitemaps, which change
when papers arrive, for ``feed_cache_seconds``. A page ``render`` made a visitor's own (a form with their
token, a signed link's page: ``private``) is never kept. Feeds and sitemaps are the same for every client,
signed in or not (their views never ask who asks): everybody gets them from the cache.
Cached answers carry an ``ETag`` of the page: a client that sends it back in
``If-None-Match`` gets ``304 Not Modified``, without the body (crawlers and proxies revalidating unchanged
pages). They also carry ``Last-Modified``: when this process first rendered the page as it is now (a re-render
that changes nothing keeps the time). A client without a tag but with ``If-Modified-Since`` at or after it gets
the 304. The time is this process's: another worker, or this one after the page left the cache, answers in full
once (never a 304 for a page that changed). A page that carries anything else of one visitor's (a flash message:
``render`` marks it ``per_visitor``) is never kept, and a visitor with a message waiting gets a fresh page that
shows it.

Every other successful GET of the JSON API (a signed-in or token client's answer, a collection, comments)
is tagged on its way out by ``TaggedAnswers``: an ``ETag`` of the body as this client gets it, a 304 for
``If-None-Match``, and ``Cache-Control: private`` when the answer is a signed-in client's (no shared proxy
keeps it); an anonymous client's says ``public`` as a kept one does. Those carry no ``Last-Modified``: no
time moves with every change of them (a vote, a deleted comment), and no copy is kept here to remember one.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from email.utils import formatdate, parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response
from pydantic import TypeAdapter

from ..store import users as store_users
from .headers import shared_page_headers

HTML = "text/html; charset=utf-8"
JSON = "application/json"
FEEDS_AND_SITEMAPS = ("application/atom+xml", "application/rss+xml", "application/xml")


class PageCache:
    """Rendered pages by URL. An expired page is still served while one request renders its successor
    (stale-while-revalidate): when a busy page expires, or a write expires them all, one request re-renders
    it instead of every request in flight at once (a burst of renders at each expiry made the p99 of busy
    pages twenty times worse: bench/web.py, docs/benchmarks.md)."""

    refresh_timeout = 30.0  # a renderer that never came back stops holding the others off after this

    def __init__(self, ttl: float = 10.0, max_entries: int = 2_000, max_bytes: int = 64 << 20):
        """At most ``max_entries`` pages and ``max_bytes`` of them (a crawler walking every paper page
        would otherwise hold ~50 kB per paper): when either is reached, everything is dropped and refilled."""
        self.ttl, self.max_entries, self.max_bytes = ttl, max_entries, max_bytes
        self._bytes = 0
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[float, bytes, str, float]] = {}  # key -> (expires, body, type, modified)
        self._refreshing: dict[str, float] = {}  # key -> when a request started re-rendering it

    def lookup(self, key: str, *, claim: bool = True) -> tuple[bytes, str, float] | None:
        """``(body, media type, modified)`` of the page if fresh, or of its expired copy while another
        request re-renders it; else None. ``modified``: when this body was first rendered (epoch seconds).

        With ``claim``, None for an expired page makes the caller its renderer: it must ``put`` the new
        page or ``release`` the key. Without, the caller only peeks (the cache middleware)."""
        hit = self._pages.get(key)
        if hit is None:
            return None
        now = time.monotonic()
        if hit[0] > now:
            return hit[1:]
        with self._lock:
            since = self._refreshing.get(key)
            if since is not None and now - since < self.refresh_timeout:
                return hit[1:]
            if claim:
                self._refreshing[key] = now
        return None

    def get(self, key: str, *, claim: bool = True) -> bytes | None:
        """The body ``lookup`` finds."""
        found = self.lookup(key, claim=claim)
        return found[0] if found else None

    def put(self, key: str, body: bytes, media_type: str = HTML) -> float:
        """Keep the page; returns when its body was first rendered (now, unless the body is unchanged)."""
        with self._lock:
            old = self._pages.get(key)
            self._bytes -= len(old[1]) if old else 0
            modified = old[3] if old and old[1] == body and old[2] == media_type else time.time()
            if len(self._pages) >= self.max_entries or self._bytes + len(body) > self.max_bytes:
                self._pages.clear()
                self._refreshing.clear()
                self._bytes = 0
            self._pages[key] = (time.monotonic() + self.ttl, body, media_type, modified)
            self._bytes += len(body)
            self._refreshing.pop(key, None)
            return modified

    def release(self, key: str) -> None:
        """Give up re-rendering ``key`` (the render failed or was not cacheable)."""
        with self._lock:
            self._refreshing.pop(key, None)

    def clear(self) -> None:
        """Expire every page: the next request for each renders it afresh (see the class docstring)."""
        with self._lock:
            self._pages = {key: (0.0, *page) for key, (_, *page) in self._pages.items()}


def clear(request: Request) -> None:
    """Forget this process's cached pages after a write, at once (the action that wrote told the other
    processes through ``store.events``)."""
    request.app.state.page_cache.clear()


def _anonymous(request: Request, *, check_token: bool = True) -> bool:
    """Whether the answer is the same for every visitor: not signed in, no API token that authenticates,
    and no flash message waiting in the session (a page that shows one is that visitor's own).

    Any other ``Authorization`` header (``Basic``, junk, a bad bearer token) is served, and cached, as an
    anonymous request is (the API answered a bad token 401 before its view). Without ``check_token``
    (before routing, no database) a request with a bearer token counts as signed in: its view decides."""
    if "uid" in request.session or "flash" in request.session:
        return False
    if hasattr(request.state, "user"):  # ``current_user`` ran: signed in by a valid token, or nobody
        return request.state.user is None
    from .auth import _bearer

    token = _bearer(request)
    if token is None or not check_token:
        return token is None
    with request.app.state.store.read() as conn:
        return not store_users.token_is_valid(conn, token)


def _etag(body: bytes) -> str:
    """The entity tag of a cached answer (the same for every anonymous visitor)."""
    return f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


def _not_modified(request: Request, etag: str, modified: float | None) -> bool:
    """Whether the client has this version: its ``If-None-Match`` holds the tag, or (without one, as RFC
    9110 says) its ``If-Modified-Since`` is at or after ``modified`` (if the answer has a time)."""
    sent = request.headers.get("if-none-match")
    if sent:
        tags = {t.strip().removeprefix("W/") for t in sent.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if not since or modified is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False  # not an HTTP date: answer in full
    return when.tzinfo is not None and int(modified) <= when.timestamp()


def _validators(etag: str, modified: float) -> dict:
    return {"ETag": etag, "Last-Modified": formatdate(int(modified), usegmt=True)}


def _shared(request: Request, media_type: str) -> dict:
    """What a kept answer says to shared caches: a page (as ``render`` said of it), a paper's Markdown or
    BibTeX and an API answer may be kept ``public_cache_seconds``; a feed or a sitemap ``feed_cache_seconds``.
    Pages ``render`` made this visitor's own (a form with their CSRF token, a signed link's page) are never
    kept (``per_visitor``)."""
    s = request.app.state.settings
    lists = media_type.split(";")[0].strip() in FEEDS_AND_SITEMAPS
    return shared_page_headers(s.feed_cache_seconds if lists else s.public_cache_seconds)


def _answer(request: Request, body: bytes, media_type: str, modified: float, headers: dict) -> Response:
    """The answer with its ``ETag`` and ``Last-Modified``, or ``304 Not Modified`` when the client has
    that version already."""
    etag = _etag(body)
    headers = {**_validators(etag, modified), **_shared(request, media_type), **headers}
    if _not_modified(request, etag, modified):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _hit(request: Request, body: bytes, media_type: str, modified: float) -> Response:
    return _answer(request, body, media_type, modified, {"X-Cache": "hit"})


def _through_cache(request: Request, render, *, everyone: bool = False) -> Response:
    """An anonymous visitor's answer from the cache, or ``render()``'s: ``(response, (body, media type)
    to keep, or None)``. One request at a time re-renders an expired entry (see ``PageCache``). With
    ``everyone`` (the view's answer is the same for every client), every visitor counts as anonymous."""
    cache: PageCache = request.app.state.page_cache
    anonymous, key = everyone or _anonymous(request), str(request.url)
    if anonymous and (found := cache.lookup(key)) is not None:
        return _hit(request, *found)
    modified = time.time()
    try:
        response, keep = render()
        if anonymous and keep is not None and cache.ttl > 0:
            modified = cache.put(key, *keep)
    finally:
        if anonymous:
            cache.release(key)
    if anonymous and keep is not None:  # tagged like a hit, for revalidation
        etag = _etag(keep[0])
        headers = {**_validators(etag, modified), **_shared(request, keep[1])}
        if _not_modified(request, etag, modified):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
    return response


def tagged_afresh(request: Request, response: Response, max_age: int) -> Response:
    """A whole answer made afresh for each request, the same for every client (a collection's feed, never
    kept, so that an edit shows at once): its ``ETag``, a 304 for the client that has it, and ``max_age``
    seconds for shared caches. No ``Last-Modified``: no time here moves with every change of it."""
    if response.status_code != 200:
        return response
    etag = _etag(bytes(response.body))
    headers = {"ETag": etag, **shared_page_headers(max_age)}
    if _not_modified(request, etag, None):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


def cached_page(view):
    """Serve anonymous GETs of the page ``view`` from the app's page cache. A view's other answers (a paper's
    .md or .bib) are kept too when their type is all a copy needs: one with more headers (a download's
    ``Content-Disposition``) or without a body in hand is answered afresh each time, untagged."""

    @functools.wraps(view)
    def wrapper(request: Request, *args, **kwargs) -> Response:
        def render():
            response = view(request, *args, **kwargs)
            kind = response.headers.get("content-type", "")
            if response.status_code != 200 or getattr(request.state, "per_visitor", False):
                return response, None
            if kind.startswith("text/html"):
                return response, (bytes(response.body), HTML)
            plain = set(response.headers.keys()) <= {"content-type", "content-length"}
            body = getattr(response, "body", None)
            return response, ((bytes(body), kind) if plain and isinstance(body, bytes) else None)

        return _through_cache(request, render)

    return wrapper


def cached_json(model):
    """Serve anonymous GETs of an API view from the page cache: the view's result (of type ``model``, e.g.
    ``list[HFDailyItem]``) is serialised once, as FastAPI would (by alias, without None fields)."""
    adapter = TypeAdapter(model)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: Request, *args, **kwargs) -> Response:
            def render():
                body = adapter.dump_json(view(request, *args, **kwargs), by_alias=True, exclude_none=True)
                return Response(body, media_type=JSON), (body, JSON)

            return _through_cache(request, render)

        return wrapper

    return decorate


def cached_response(view):
    """Serve GETs of a view that answers a whole ``Response`` whose type depends on the URL (a feed: Atom or
    RSS), the same for every client, from the cache, with ``ETag``/``Last-Modified`` and 304s for feed readers."""

    @functools.wraps(view)
    def wrapper(request: Request, *args, **kwargs) -> Response:
        def render():
            response = view(request, *args, **kwargs)
            keep = (bytes(response.body), response.media_type) if response.status_code == 200 else None
            return response, keep

        return _through_cache(request, render, everyone=True)

    return wrapper


def cached_body(media_type: str):
    """Serve GETs of a view that returns ``bytes`` of ``media_type`` (a sitemap), the same for every client,
    from the cache."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: Request, *args, **kwargs) -> Response:
            def render():
                body = view(request, *args, **kwargs)
                return Response(body, media_type=media_type), (body, media_type)

            return _through_cache(request, render, everyone=True)

        return wrapper

    return decorate


class CachedPagesMiddleware:
    """Answer anonymous GETs that hit the page cache before routing, dependencies and the thread pool.

    The same answer ``cached_page`` would give (only URLs its views cached are ever found), at a fifth of
    the CPU (bench/web.py, docs/benchmarks.md). Must sit inside SessionMiddleware,
    which decodes the session it reads ("uid": signed in).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            request = Request(scope)
            if _anonymous(request, check_token=False):
                found = scope["app"].state.page_cache.lookup(str(request.url), claim=False)
                if found is not None:
                    await _hit(request, *found)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class TaggedAnswers:
    """Pure ASGI, inside the session middleware: a successful GET of a JSON answer under ``prefix`` that the
    cache did not tag (a signed-in client's, or one never cached) gets the ``ETag`` of its body, and the
    client that has that version (``If-None-Match``) gets ``304 Not Modified`` without it. The answer of a
    signed-in client (a session, an API token) is ``Cache-Control: private``, an anonymous one's ``public``
    (``public_cache_seconds``). ``http.openapi.declare_api``
    lists the 304 of every GET under ``/api/``."""

    def __init__(self, app, prefix: str = "/api/"):
        self.app, self.prefix = app, prefix

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body = bytearray()

        async def tag(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                mine = message["status"] == 200 and b"etag" not in headers
                if mine and headers.get(b"content-type", b"").startswith(JSON.encode()):
                    start = message  # held until the whole body is here
                    return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                await _send_tagged(Request(scope), start, bytes(body), send)

        await self.app(scope, receive, tag)


async def _send_tagged(request: Request, start: dict, body: bytes, send) -> None:
    etag = _etag(body)
    headers = [*start.get("headers", []), (b"etag", etag.encode())]
    if not any(k.lower() == b"cache-control" for k, _ in headers):
        if _anonymous(request, check_token=False):  # every anonymous client gets this answer
            shared = shared_page_headers(request.app.state.settings.public_cache_seconds)
            headers += [(k.lower().encode(), v.encode()) for k, v in shared.items()]
        else:
            headers.append((b"cache-control", b"private"))
    if _not_modified(request, etag, None):  # what a 304 repeats of the answer it stands for (RFC 9110)
        kept = [(k, v) for k, v in headers if k.lower() in (b"etag", b"cache-control", b"vary")]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
