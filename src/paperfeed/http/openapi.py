"""What a route answers besides its success, for the OpenAPI description (``/openapi.json``).

app.py's handlers answer an error as JSON ``{"error": "..."}`` (plus ``detail`` for a 422) to the API and
to clients that accept JSON, and as an HTML error page to the others; a page that needs a sign-in
redirects (303) to the login page, a form redirects (303) after it changed something. Each route names
the statuses it can answer, ``responses=api(404)`` or ``responses=page(303, 403, 422)``, so the schema
lists every answer a client can get (``tests/api/test_openapi_fuzz.py`` holds the app to it).
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

WHY = {
    200: "The page",
    201: "Created",
    303: "See Other: where to go next (after a form, or the login page when signed out)",
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


def content(*media_types: str, code: int = 200) -> dict[int | str, dict]:
    """``responses=`` for a success in other media types (a paper as Markdown or BibTeX, a feed, a JSON export)."""
    schemas = {m: {"schema": {"type": "object" if m == "application/json" else "string"}} for m in media_types}
    return {code: {"description": WHY.get(code, "OK"), "content": schemas}}
