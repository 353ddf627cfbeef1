"""Daily, weekly and monthly lists: parsing ``2024-03-18``, ``2024-W12``, ``2024-03`` into day ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

FIRST = date(1991, 1, 1)  # arXiv's first year


@dataclass(frozen=True)
class Period:
    kind: str  # day | week | month
    start: date
    end: date
    key: str  # as written in URLs
    label: str

    def shifted(self, step: int) -> Period:
        if self.kind == "day":
            return day_period(self.start + timedelta(days=step))
        if self.kind == "week":
            return week_period(self.start + timedelta(weeks=step))
        y, m = divmod(self.start.year * 12 + self.start.month - 1 + step, 12)
        return month_period(date(y, m + 1, 1))

    @property
    def url(self) -> str:
        return f"/papers/{'date' if self.kind == 'day' else self.kind}/{self.key}"


def day_period(d: date) -> Period:
    return Period("day", d, d, d.isoformat(), d.strftime("%a %d %b %Y"))


def week_period(d: date) -> Period:
    year, week, _ = d.isocalendar()
    start = date.fromisocalendar(year, week, 1)
    end = start + timedelta(days=6)
    return Period("week", start, end, f"{year}-W{week:02d}", f"Week {week}, {year} ({start:%d %b} – {end:%d %b})")


def month_period(d: date) -> Period:
    start = d.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period("month", start, end, f"{start:%Y-%m}", start.strftime("%B %Y"))


def period_of(kind: str, d: date) -> Period:
    """The day, ISO week or month (``kind``) that holds ``d``."""
    return {"day": day_period, "week": week_period, "month": month_period}[kind](d)


def parse(kind: str, value: str, *, today: date) -> Period:
    """Parse a URL's period; ``ValueError`` for malformed values or dates outside arXiv's lifetime."""
    if kind == "day":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("days are written YYYY-MM-DD, e.g. 2024-03-18")
        try:
            p = day_period(date.fromisoformat(value))
        except ValueError:
            raise ValueError(f"there is no day {value}") from None
    elif kind == "week":
        m = re.fullmatch(r"(\d{4})-W(\d{2})", value)
        if not m:
            raise ValueError("weeks are written YYYY-Www, e.g. 2024-W12")
        try:
            p = week_period(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        except ValueError:
            raise ValueError(f"{m[1]} has no week {int(m[2])}") from None
    elif kind == "month":
        m = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not m:
            raise ValueError("months are written YYYY-MM, e.g. 2024-03")
        if not 1 <= int(m[2]) <= 12:
            raise ValueError(f"there is no month {int(m[2])}")
        p = month_period(date(int(m[1]), int(m[2]), 1))
    else:
        raise ValueError(f"unknown period {kind!r}")
    if p.end < FIRST or p.start > today + timedelta(days=1):
        raise ValueError(f"no papers in {p.label}")
    return p
