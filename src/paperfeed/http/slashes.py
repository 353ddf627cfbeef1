"""One URL per page: a trailing slash is never part of one, and a slash is written as a slash.

A ``GET`` or ``HEAD`` of ``/trending/``, ``/papers/2401.00001/`` or ``/authors/Ada Lovelace/`` is a
permanent redirect (301) to the path without its trailing slashes, the query kept; ``/`` is the only path
that ends in one. So is a page whose path escapes a slash (``/papers/hep-th%2F9901001``): routing reads it
as a slash anyway, so it is the same page under a second URL (and the page cache, keyed by the decoded URL,
would serve it as the other). Other methods get a 308 for a trailing slash, which keeps the method and
body (a client posting to ``/mcp/``), and are routed as they are for an escaped one (a form posted to
``/papers/hep-th%2F9901001/vote`` votes). Starlette's own redirect (a temporary 307 to the other
spelling, which sent ``/papers`` to ``/papers/``, a 404) is off (``create_app``).

The JSON API (``/api/...``) is left alone: a program that escapes an id's slash (``hep-th%2F9901001``, as
``quote(id, safe="")`` does) gets its answer, not a redirect its client may not follow (a ``POST`` vote),
and a path with a trailing slash is an unknown route there (404 in JSON), as APIs answer.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse

API = "/api/"


class SlashRedirect:
    """Pure ASGI: ``/path/`` and ``/a%2Fb`` -> ``/path`` and ``/a/b`` (301 for GET and HEAD, 308 otherwise),
    before routing; see the module docstring for what it leaves alone."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path, raw = scope.get("path", ""), (scope.get("raw_path") or b"").lower()
        page = scope.get("method") in ("GET", "HEAD")
        trailing = len(path) > 1 and (raw.endswith(b"/") if raw else path.endswith("/"))
        escaped = page and b"%2f" in raw
        if scope["type"] != "http" or path.startswith(API) or not (trailing or escaped):
            await self.app(scope, receive, send)
            return
        # the leading slashes go too: "//evil.example/" must not become a link to another site
        target = "/" + quote(path.strip("/"), safe="/:@!$&'()*+,;=")
        query = scope.get("query_string", b"").decode("latin-1")
        status = 301 if scope["method"] in ("GET", "HEAD") else 308
        await RedirectResponse(f"{target}?{query}" if query else target, status)(scope, receive, send)
