"""The trending score: upvotes decayed by age, Hacker-News style.

    score = upvotes / (age_hours + 2) ** gravity        (gravity = 1.8 by default)

``age_hours`` counts from when the paper entered the daily list (its first featured day, else its
arXiv announcement or publication). Why this shape: a paper's votes arrive mostly in its first days;
dividing by a power of age lets a fresh paper with a handful of votes pass an old one with many, and the
``+ 2`` keeps a brand-new paper from dividing by ~0. Gravity 1.8 is Hacker News's long-used constant: with
it a day-old paper needs about 49x the votes of one posted an hour ago to rank level with it.

Only upvoted papers of the last ``window_days`` compete. When an instance has none that recent (a demo
or an archive), "now" becomes the newest featured day with imported votes (else with this community's),
so the page still ranks a real week.
See docs/trending.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from ..clock import day_start
from ..store import days as store_days
from ..store import papers as store_papers


@dataclass(frozen=True)
class Trending:
    paper_id: str
    score: float
    upvotes: int
    age_hours: float


def score(upvotes: int, age_hours: float, gravity: float = 1.8) -> float:
    return upvotes / (max(age_hours, 0.0) + 2.0) ** gravity


def reference_time(conn: Connection, now: datetime, window_days: int) -> datetime:
    """``now``, or the end of the newest featured day with votes when none lies within the window: with
    imported votes, the newest such day of the archive's own (a vote cast here today for an old paper
    listed later would otherwise make its day the week, with that one paper in it)."""
    latest = store_days.latest_voted_day(conn, imported=True) or store_days.latest_voted_day(conn)
    if latest is None or latest >= (now - timedelta(days=window_days)).date():
        return now
    return day_start(latest + timedelta(days=1))


def trending(
    conn: Connection,
    *,
    now: datetime | None = None,
    gravity: float = 1.8,
    window_days: int = 7,
    category: str | None = None,
) -> list[Trending]:
    """All competing papers, best first (ties: more upvotes, then id)."""
    at = reference_time(conn, now or datetime.now(UTC), window_days)
    return trending_at(conn, at, gravity=gravity, window_days=window_days, category=category)


def trending_at(
    conn: Connection, now: datetime, *, gravity: float = 1.8, window_days: int = 7, category: str | None = None
) -> list[Trending]:
    """``trending`` as of ``now``, a ``reference_time`` the caller has already found."""
    since = (now - timedelta(days=window_days)).date()
    out = []
    for row in store_papers.trending_candidates(conn, since=since, category=category):
        if row.since > now:
            continue
        age = (now - row.since).total_seconds() / 3600
        out.append(Trending(row.paper_id, score(row.upvotes, age, gravity), row.upvotes, age))
    out.sort(key=lambda t: (-t.score, -t.upvotes, t.paper_id))
    return out


def in_period(views: list[store_papers.PaperView], start: date, end: date, gravity: float = 1.8) -> list:
    """A listed period's papers (a day, week or month) ranked by the trending score as of the period's end,
    each paper's age counted from its last featuring within the period (else its first); ties: more
    upvotes, then id: ``sort=trending`` of a period's list, as ``/api/daily_papers`` ranks it."""
    now = day_start(end + timedelta(days=1))

    def key(v: store_papers.PaperView):
        days = [f.day for f in v.featured if start <= f.day <= end] or [f.day for f in v.featured[:1]]
        since = day_start(days[-1]) if days else now
        return -score(v.upvotes, (now - since).total_seconds() / 3600, gravity), -v.upvotes, v.id

    return sorted(views, key=key)
