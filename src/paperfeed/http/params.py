"""Parameters checked at the edge, shared by the pages and the API, so that what a client sends is a 422
(or a 404), never a database error: a number that names a row must fit the database's integer column,
and no text may hold a NUL character (PostgreSQL refuses one in any text parameter; no id, name or
search has one)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Form, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError

from ..records import MAX_COUNT

MAX_DB_ID = MAX_COUNT  # ids are INTEGER columns too: PostgreSQL's 32 bits (SQLite's is wider)

DbId = Annotated[int, Path(ge=1, le=MAX_DB_ID, description="a row id")]
FormId = Annotated[int, Form(ge=1, le=MAX_DB_ID)]

FORM = "application/x-www-form-urlencoded"

# a search's date filter, as the search page's form sends it: YYYY-MM-DD, empty for no limit (``day_or_none``)
SearchDay = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD (empty: no limit)")]


def day_or_none(value: str | None) -> date | None:
    """A ``SearchDay``'s date; None when empty; 422 for anything but YYYY-MM-DD (a number is not a date)."""
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # fromisoformat would also take 20240101 or 2024-W01
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise HTTPException(422, "dates are written YYYY-MM-DD")


def refuse_nul(where: str, items) -> None:
    """422 for the first ``(name, value)`` of ``items`` whose text holds a NUL character."""
    for name, value in items:
        if isinstance(value, str) and "\x00" in value:
            raise RequestValidationError(
                [{"type": "value_error", "loc": (where, name), "msg": "must not contain a NUL character"}]
            )


async def no_nul(request: Request) -> None:
    """App-wide dependency: no NUL in the path, the query or a form (multipart forms: ``uploads.read_form``;
    JSON bodies: the API's models)."""
    refuse_nul("path", request.path_params.items())
    refuse_nul("query", request.query_params.multi_items())
    if request.headers.get("content-type", "").startswith(FORM):
        refuse_nul("body", (await request.form()).multi_items())
