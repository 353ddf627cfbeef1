"""What every answer tells caches whatever its view said (an error is kept by nobody, an answer that sets a
cookie by no shared cache), and the API's and feeds' cross-origin reads, the same with or without ``Origin``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from paperfeed.http.headers import PublicReadCORS, SecurityHeadersMiddleware


def _answer(request):
    """An answer that says shared caches may keep it, with the status (and cookie) the query asks for."""
    headers = {"Cache-Control": "public, max-age=60"}
    if "cookie" in request.query_params:
        headers["Set-Cookie"] = "s=1"
    return PlainTextResponse("x", status_code=int(request.query_params.get("status", 200)), headers=headers)


def _client() -> TestClient:
    app = Starlette(routes=[Route("/api/x", _answer), Route("/feeds/x.atom", _answer), Route("/page", _answer)])
    return TestClient(PublicReadCORS(SecurityHeadersMiddleware(app)))


def test_an_error_is_kept_by_nobody_and_a_cookie_by_no_shared_cache():
    client = _client()
    assert client.get("/page").headers["cache-control"] == "public, max-age=60"
    for status in (400, 404, 429, 500, 503):
        r = client.get(f"/api/x?status={status}")
        assert r.status_code == status and r.headers["cache-control"] == "no-store", status
    assert client.get("/page?cookie=1").headers["cache-control"] == "private, max-age=60"


def test_the_api_and_feeds_are_readable_elsewhere_with_or_without_origin():
    """A shared cache keeps the copy a feed reader fetched (no ``Origin``) and gives it to a page on another
    site: it must say already that the page may read it (nginx's lines ignore ``Vary``)."""
    client = _client()
    for path in ("/api/x", "/feeds/x.atom"):
        plain, elsewhere = client.get(path), client.get(path, headers={"Origin": "https://widget.example.net"})
        for r in (plain, elsewhere):
            assert r.headers["access-control-allow-origin"] == "*", path
            assert "Retry-After" in r.headers["access-control-expose-headers"], path
    assert "access-control-allow-origin" not in client.get("/page", headers={"Origin": "https://x.example"}).headers
