"""Time helpers: every timestamp paperfeed keeps or compares is aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime (None stays None): SQLite gives naive datetimes back, PostgreSQL aware ones,
    parsers either; naive ones are taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(), UTC)
