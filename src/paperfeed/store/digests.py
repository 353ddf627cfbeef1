"""What composing digests reads and writes of subscriptions, in bulk (``mail.compose``): every active
subscriber with its alerts, which candidate papers each already got, the papers a run sent, when each
subscriber and alert last had a digest, and the linked accounts' recent upvotes (never sent back to them).
Each is a query or two whatever the number of subscribers (docs/email.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from .db import select_in
from .models import alerts, sent_papers, subscribers, votes
from .subscriptions import SubscriberView, subscriber_view


def active(conn: Connection, *, ids: Iterable[int] | None = None) -> list[SubscriberView]:
    """Every active subscriber with its alerts (two queries, whatever the number)."""
    q = select(subscribers).where(subscribers.c.status == "active").order_by(subscribers.c.id)
    if ids is not None:
        q = q.where(subscribers.c.id.in_(list(ids)))
    rows = conn.execute(q).all()
    by_sub: dict[int, list] = defaultdict(list)
    aq = (
        select(alerts)
        .join(subscribers, subscribers.c.id == alerts.c.subscriber_id)
        .where(subscribers.c.status == "active")
        .order_by(alerts.c.id)
    )
    if ids is not None:
        aq = aq.where(subscribers.c.id.in_([r.id for r in rows]))
    for a in conn.execute(aq):
        by_sub[a.subscriber_id].append(a)
    return [subscriber_view(r, by_sub.get(r.id, ())) for r in rows]


def sent_history(conn: Connection, paper_ids: Iterable[str]) -> dict[int, set[str]]:
    """Which of ``paper_ids`` each subscriber already got: ``{subscriber_id: {paper_id, ...}}``."""
    out: dict[int, set[str]] = defaultdict(set)
    q = select(sent_papers.c.subscriber_id, sent_papers.c.paper_id)
    for sid, pid in select_in(conn, q, sent_papers.c.paper_id, sorted(set(paper_ids))):
        out[sid].add(pid)
    return out


def record_sent(conn: Connection, rows: Sequence[dict]) -> None:
    """Insert ``{subscriber_id, paper_id, digest, sent_at}`` rows; a paper already recorded is skipped."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(sent_papers).on_conflict_do_nothing(), list(rows))


def mark_composed(conn: Connection, subscriber_ids: Sequence[int], alert_ids: Sequence[int], now: datetime) -> None:
    if subscriber_ids:
        conn.execute(update(subscribers).where(subscribers.c.id.in_(list(subscriber_ids))).values(last_digest_at=now))
    if alert_ids:
        conn.execute(update(alerts).where(alerts.c.id.in_(list(alert_ids))).values(last_digest_at=now))


def sent_count(conn: Connection, subscriber_id: int) -> int:
    return conn.execute(select(func.count()).where(sent_papers.c.subscriber_id == subscriber_id)).scalar_one()


def recent_upvotes(conn: Connection, user_ids: Iterable[int], *, per_user: int = 5) -> dict[int, list[str]]:
    """The ``per_user`` most recent upvotes of each user, newest first (one query)."""
    ids = list(set(user_ids))
    out: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return out
    q = (
        select(votes.c.user_id, votes.c.paper_id)
        .where(votes.c.user_id.in_(ids), votes.c.value == 1)
        .order_by(votes.c.user_id, votes.c.created_at.desc(), votes.c.paper_id)
    )
    for uid, pid in conn.execute(q):
        if len(out[uid]) < per_user:
            out[uid].append(pid)
    return out
