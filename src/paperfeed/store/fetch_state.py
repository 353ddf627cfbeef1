"""Resume points of network harvests, saved in the same transaction as the page they follow."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from .models import fetch_state


def load(conn: Connection, key: str) -> dict | None:
    """The saved state of harvest ``key``: {"cursor", "pages", "records", "done"} or None."""
    row = conn.execute(select(fetch_state).where(fetch_state.c.key == key)).first()
    return dict(row._mapping) if row else None


def save(conn: Connection, key: str, *, cursor: dict | None, pages: int, records: int, done: bool) -> None:
    values = {"cursor": cursor, "pages": pages, "records": records, "done": done, "updated_at": datetime.now(UTC)}
    if conn.execute(update(fetch_state).where(fetch_state.c.key == key).values(**values)).rowcount == 0:
        conn.execute(fetch_state.insert().values(key=key, **values))


def forget(conn: Connection, key: str) -> None:
    conn.execute(fetch_state.delete().where(fetch_state.c.key == key))
