"""When digests are due: daily ones on weekdays, weekly ones on ``weekly_day``, at ``digest_time`` UTC (the
scheduler's hour); what composing serves on a day and what a subscriber's settings page says."""

from __future__ import annotations

from datetime import date

from ..settings import Settings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def due_frequencies(day: date, settings: Settings) -> tuple[str, ...]:
    """What is due on ``day``: daily digests on weekdays, weekly ones on ``weekly_day``."""
    out = []
    if day.weekday() < 5:
        out.append("daily")
    if WEEKDAYS[day.weekday()] == settings.weekly_day:
        out.append("weekly")
    return tuple(out)


def when_sent(settings: Settings) -> str:
    """When digests go out, for the subscriber's settings page (the scheduler runs at ``digest_time``)."""
    day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[
        WEEKDAYS.index(settings.weekly_day)
    ]
    return f"Digests go out at {settings.digest_time} UTC: daily ones on weekdays, weekly ones on {day}s."
