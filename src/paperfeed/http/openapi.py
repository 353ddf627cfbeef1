"""What a route answers besides its success, for the OpenAPI description (``/openapi.json``).

app.py's handlers answer an error as JSON ``{"error": "..."}`` (plus ``detail`` for a 422) to the API and
to clients that accept JSON, as one line of plain text under ``/feeds/`` (``http.errors``), and as an HTML
error page to the others; a page that needs a sign-in redirects (303) to the login page, a form redirects
(303) after it changed something. Each route names the statuses it can answer, ``responses=api(404)``,
``responses=page(303, 403, 422)`` or ``responses=feed(404, 422)``, so the schema lists every answer a
client can get (``tests/api/test_openapi_fuzz.py`` holds the app to it). ``NOT_MODIFIED``: the 304 of a
client revalidating its copy (``http.cache``).
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "What went wrong, in one line"},
        "detail": {"type": "array", "items": {"type": "object"}, "description": "422: each invalid field"},
    },
}
HTML = {"text/html": {"schema": {"type": "string"}}}
TEXT = {"text/plain": {"schema": {"type": "string", "description": "What went wrong, in one line"}}}

WHY = {
    200: "The page",
    201: "Created",
    303: "See Other: where to go next (after a form, or the login page when signed out)",
    304: "Not Modified: the copy the client has (If-None-Match, or If-Modified-Since) is current; no body",
    400: "Bad request: the message says what to change",
    401: "Not signed in, or an invalid API token",
    403: "Not allowed (CSRF check failed, or not an administrator)",
    404: "Not found",
    413: "Too large",
    422: "Invalid parameters",
    429: "Too many requests: retry later (see Retry-After)",
    503: "Not ready, or a service it relies on (arXiv) did not answer: retry later (see Retry-After)",
}
_REDIRECT = {
    "description": WHY[303],
    "headers": {"Location": {"description": "The next page", "schema": {"type": "string"}}},
}


def api(*codes: int) -> dict[int | str, dict]:
    """``responses=`` for JSON errors ``{"error": ...}``."""
    return {code: {"description": WHY[code], "content": {"application/json": {"schema": ERROR}}} for code in codes}


def page(*codes: int) -> dict[int | str, dict]:
    """``responses=`` for a page: 303 redirects, errors as an HTML page (JSON to clients that accept it)."""
    out: dict[int | str, dict] = {}
    for code in codes:
        if code == 303:
            out[code] = _REDIRECT
        else:
            out[code] = {"description": WHY[code], "content": {**HTML, "application/json": {"schema": ERROR}}}
    return out


def feed(*codes: int) -> dict[int | str, dict]:
    """``responses=`` for a feed's errors: one line of plain text (a feed reader shows it as it is)."""
    return {code: {"description": WHY[code], "content": TEXT} for code in codes}


_TAG = {"description": "The version's tag, for If-None-Match", "schema": {"type": "string"}}
NOT_MODIFIED: dict[int | str, dict] = {304: {"description": WHY[304], "headers": {"ETag": _TAG}}}


def content(*media_types: str, code: int = 200) -> dict[int | str, dict]:
    """``responses=`` for a success in other media types (a paper as Markdown or BibTeX, a feed, a JSON export)."""
    schemas = {m: {"schema": {"type": "object" if m == "application/json" else "string"}} for m in media_types}
    return {code: {"description": WHY.get(code, "OK"), "content": schemas}}


BEARER = {"type": "http", "scheme": "bearer", "description": "An API token (`pf_...`), made on your profile page"}


def _needs(dependant, call) -> bool:
    return any(d.call is call or _needs(d, call) for d in dependant.dependencies)


def _api_routes(app):
    """(path as the schema names it, methods, dependant) of every JSON API route in the schema."""
    from fastapi import routing

    if hasattr(routing, "iter_route_contexts"):  # FastAPI >= 0.165 keeps included routers unflattened
        routes = [(c.path_format, c.methods, c.original_route) for c in routing.iter_route_contexts(app.routes)]
    else:
        routes = [(r.path_format, getattr(r, "methods", None), r) for r in app.routes]
    for path, methods, route in routes:
        if isinstance(route, routing.APIRoute) and route.include_in_schema and (path or "").startswith("/api/"):
            yield path, methods or set(), route.dependant


def declare_api(app) -> None:
    """List the API token as the JSON API's security scheme in ``/openapi.json``: required where a route
    needs an account, optional (``{}`` or the token) on public reads. Swagger UI at /docs then offers
    "Authorize", and generated clients know how to send it. Pages sign in with a session cookie instead.
    Every GET of the API lists ``NOT_MODIFIED`` too (``http.cache`` tags each answer)."""
    from .auth import require_user

    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        schema.setdefault("components", {})["securitySchemes"] = {"bearer": BEARER}
        for path, methods, dependant in _api_routes(app):
            security = [{"bearer": []}] if _needs(dependant, require_user) else [{}, {"bearer": []}]
            for method in methods:
                op = schema["paths"].get(path, {}).get(method.lower())
                if op is not None:
                    op["security"] = security
                    if method == "GET":
                        op["responses"]["304"] = NOT_MODIFIED[304]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
