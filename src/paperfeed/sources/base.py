"""What sources share: the item and page types and the record check that names where a record came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from ..clock import utc
from ..errors import RecordError
from ..records import PaperRecord, checked

Item = PaperRecord | RecordError


@dataclass
class Page:
    """One network page: its records, where it came from, and the cursor to resume after it."""

    location: str
    items: list[Item] = field(default_factory=list)
    next_cursor: dict | None = None  # None: nothing more to fetch
    total: int | None = None  # total results when the source says


def build(source: str, location: str, make: Callable[[], PaperRecord], record: str | None = None) -> Item:
    """Run ``make`` and check its record; any failure becomes a ``RecordError`` naming the record."""
    try:
        rec = checked(make())
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        msg = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        return RecordError(source, location, msg or type(exc).__name__, record)
    rec.source = source
    return rec


def parse_datetime(value: str | None) -> datetime | None:
    """Parse ISO 8601 (``2024-01-02``, ``...T10:00:00Z``, ``....000Z``) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    s = str(value).strip().replace("Z", "+00:00")
    try:
        return utc(datetime.fromisoformat(s))
    except (ValueError, OverflowError):  # OverflowError: out of range once in UTC (9999-12-31T23:00-02:00)
        raise ValueError(f"bad date {str(value)[:40]!r}") from None


def parse_date(value: str | None) -> date | None:
    dt = parse_datetime(value)
    return dt.date() if dt else None
