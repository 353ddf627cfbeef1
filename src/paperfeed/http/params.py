"""Parameter types checked at the edge, shared by the pages and the API: a number that names a row must
fit the database's integer column, so a huge or negative id is a 422/404, never a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path

MAX_DB_ID = 2_147_483_647  # PostgreSQL's INTEGER (SQLite's is wider)

DbId = Annotated[int, Path(ge=1, le=MAX_DB_ID, description="a row id")]
FormId = Annotated[int, Form(ge=1, le=MAX_DB_ID)]
