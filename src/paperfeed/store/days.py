"""Which days the lists have papers on: the days with visible featured papers (or arXiv announcements),
the newest of them (what the front page, the API and the feeds show; trending's window ends on the newest
with votes), the nearest before and after a period (the lists' "previous" and "next"), whether a run of
days listed any (a daily digest's) and when each day's list last changed (the sitemap).

A day whose papers are all hidden has no list: every query here counts visible papers only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, ScalarSelect, Select, func, or_, select

from ..clock import utc
from ..periods import Period, period_of
from .community import COUNTED_VOTE
from .models import featured, papers, votes

VISIBLE = papers.c.hidden.is_(False)


def listed_days() -> Select:
    """``featured.day`` of the rows whose paper is visible: a day whose papers are all hidden (a moderator
    took today's only paper down) has no list to show, to link to or to land on. Ordered by day and limited,
    it walks ``ix_featured_day`` and stops at the first visible paper, as ``max(day)`` did without the paper:
    a correlated EXISTS, not a join, which SQLite planned as a scan of every paper (or a Bloom filter built
    from them all), 50-140 ms on 77,000 papers for a list page's "previous" and "next" links."""
    visible = select(papers.c.id).where(papers.c.id == featured.c.paper_id, VISIBLE).exists()
    return select(featured.c.day).where(visible)


def _first_day(q: Select, *, newest: bool) -> ScalarSelect:
    return q.order_by(featured.c.day.desc() if newest else featured.c.day).limit(1).scalar_subquery()


def neighbours(conn: Connection, period: Period, *, announced: bool = False) -> tuple[Period | None, Period | None]:
    """The nearest periods of ``period``'s kind before and after it that have visible featured papers (what
    the lists' "previous" and "next" lead to: never a run of empty days or months), with ``announced`` for
    days also papers announced on arXiv (a day page lists them); None at either end."""
    days = listed_days()
    before, after = conn.execute(select(
        _first_day(days.where(featured.c.day < period.start), newest=True),
        _first_day(days.where(featured.c.day > period.end), newest=False),
    )).one()  # fmt: skip
    if announced and period.kind == "day":
        ann = papers.c.announced_on
        ann_before, ann_after = conn.execute(select(
            select(func.max(ann)).where(ann < period.start, VISIBLE).scalar_subquery(),
            select(func.min(ann)).where(ann > period.end, VISIBLE).scalar_subquery(),
        )).one()  # fmt: skip
        before = max(filter(None, (before, ann_before)), default=None)
        after = min(filter(None, (after, ann_after)), default=None)
    return (period_of(period.kind, before) if before else None, period_of(period.kind, after) if after else None)


def featured_days(conn: Connection) -> list[date]:
    """Every day that has visible featured papers, newest first."""
    q = listed_days().distinct().order_by(featured.c.day.desc())
    return list(conn.execute(q).scalars())


def latest_featured_day(conn: Connection, on_or_before: date | None = None) -> date | None:
    """The newest day with a visible featured paper (on or before ``on_or_before``)."""
    q = listed_days()
    if on_or_before:
        q = q.where(featured.c.day <= on_or_before)
    return conn.execute(q.order_by(featured.c.day.desc()).limit(1)).scalar()


def latest_announced_day(conn: Connection) -> date | None:
    """The newest day with a visible paper announced on arXiv (the front page of a site that lists no
    featured papers: one that fetches arXiv only)."""
    return conn.execute(select(func.max(papers.c.announced_on)).where(VISIBLE)).scalar()


def latest_voted_day(conn: Connection, *, imported: bool = False) -> date | None:
    """The newest day on which an upvoted, visible paper first appeared on the daily list (``imported``:
    counting imported upvotes only, not this community's)."""
    voted = papers.c.hf_upvotes > 0
    if not imported:
        voted = or_(voted, papers.c.id.in_(select(votes.c.paper_id).where(votes.c.value == 1, COUNTED_VOTE)))
    first = select(featured.c.paper_id, func.min(featured.c.day).label("day")).group_by(featured.c.paper_id).subquery()
    q = select(func.max(first.c.day)).join(papers, papers.c.id == first.c.paper_id).where(VISIBLE, voted)
    return conn.execute(q).scalar()


def listed_since(conn: Connection, day: date, until: date) -> bool:
    """Were any papers announced on arXiv or featured on a day in ``day..until``? (daily digests skip if not)"""
    if day > until:
        return False
    ann = select(papers.c.id).where(papers.c.announced_on.between(day, until), VISIBLE).limit(1)
    feat = listed_days().where(featured.c.day.between(day, until)).limit(1)
    return conn.execute(ann).first() is not None or conn.execute(feat).first() is not None


def featured_days_modified(conn: Connection) -> list[tuple[date, datetime]]:
    """Every day that has visible featured papers, newest first, with when its list last changed: the newest
    ``modified_at`` of its papers (putting a paper on a day's list moves it, as a change of a paper the list
    shows does)."""
    q = (
        select(featured.c.day, func.max(papers.c.modified_at))
        .join(papers, papers.c.id == featured.c.paper_id)
        .where(VISIBLE)
        .group_by(featured.c.day)
        .order_by(featured.c.day.desc())
    )
    return [(day, utc(modified)) for day, modified in conn.execute(q)]
