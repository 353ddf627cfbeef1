"""An account's whole footprint: what its owner downloads (``export_account``) and what deleting it removes
(``delete_account``).

A deleted account keeps its row as a tombstone: the id, the username and ``created_at``, nothing else (no
address, no password that any login matches). The username stays reserved, never given to a new account:
pages, feeds and the moderation log name people as text (a daily list's "submitted by", a log's actor or
target), and a newcomer under a departed user's name would inherit those and could pass for them. The
row also keeps the comments' threads: a deleted account's comments stay as "[deleted]" placeholders
while replies hang on them, and a placeholder points at its author's row, not at a name. Its reports of
others' items stay the same way, without their notes and named in the queue as a deleted account's.

Only mail to an address the account proved is its own goes with it: an unconfirmed (pending) address
may be anyone's, so of the mail to it only the account's own confirmation links are removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, delete, func, or_, select, update

from ..clock import utc
from . import reports as store_reports
from .community import COMMUNITY_SOURCES
from .models import (
    alerts,
    api_tokens,
    collection_items,
    collections,
    comments,
    featured,
    follows,
    outbox,
    sent_papers,
    subscribers,
    user_models,
    users,
    votes,
)
from .users import AccountError

IN_FLIGHT = ("sending", "handed")  # a sender holds these now: they go out, and are pruned like any sent mail


@dataclass(frozen=True)
class Deleted:
    """What deleting an account removed (``comments``: those made "[deleted]" placeholders)."""

    username: str
    votes: int
    comments: int
    collections: int
    tokens: int
    subscriptions: int
    mails: int


def _iso(value: datetime | None) -> str | None:
    return utc(value).isoformat() if value is not None else None


def _subscriber_ids(conn: Connection, user_id: int, email: str | None) -> list[int]:
    """The account's subscriptions: linked to it, or to its confirmed address (a pending one is unproven)."""
    mine = subscribers.c.user_id == user_id
    if email:
        mine = or_(mine, subscribers.c.email_key == email.lower())
    return list(conn.execute(select(subscribers.c.id).where(mine).order_by(subscribers.c.id)).scalars())


def delete_account(conn: Connection, user_id: int) -> Deleted:
    """Delete an account, in the caller's transaction (so a failure anywhere leaves everything as it was).

    Removed: API tokens (and every session: the account reads as missing), votes (counts follow at once),
    collections and their papers, follows, the trained "for you" model, the subscriptions of the account
    and of its confirmed address (alerts and sent-paper history with them) and the mail not yet sent to
    that address or those subscriptions, and its own confirmation links (whatever the address); its
    comments become "[deleted]" placeholders (text wiped, no name shown) whose open reports close; its
    reports lose their notes; its submissions stay on their daily lists without its name. The moderation
    log is left alone (it names people as text)."""
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.deleted_at.is_(None))).first()
    if row is None:
        raise AccountError("no such account")
    now = datetime.now(UTC)
    subs = _subscriber_ids(conn, user_id, row.email)
    # its confirmation links (mail.notices: kind "account", keyed "account:<user id>:<address>:<hour>")
    to_them = [and_(outbox.c.kind == "account", outbox.c.dedupe_key.startswith(f"account:{user_id}:"))]
    to_them += [func.lower(outbox.c.to_addr) == row.email.lower()] if row.email else []
    to_them += [outbox.c.subscriber_id.in_(subs)] if subs else []
    mails = conn.execute(delete(outbox).where(or_(*to_them), outbox.c.status.not_in(IN_FLIGHT))).rowcount
    if subs:
        conn.execute(delete(alerts).where(alerts.c.subscriber_id.in_(subs)))
        conn.execute(delete(sent_papers).where(sent_papers.c.subscriber_id.in_(subs)))
        conn.execute(delete(subscribers).where(subscribers.c.id.in_(subs)))
    colls = select(collections.c.id).where(collections.c.user_id == user_id).scalar_subquery()
    conn.execute(delete(collection_items).where(collection_items.c.collection_id.in_(colls)))
    n_colls = conn.execute(delete(collections).where(collections.c.user_id == user_id)).rowcount
    n_votes = conn.execute(delete(votes).where(votes.c.user_id == user_id)).rowcount
    n_tokens = conn.execute(delete(api_tokens).where(api_tokens.c.user_id == user_id)).rowcount
    conn.execute(delete(follows).where(follows.c.user_id == user_id))
    conn.execute(delete(user_models).where(user_models.c.user_id == user_id))
    store_reports.forget_comments(conn, user_id=user_id, by=row.username)
    store_reports.forget_reporter(conn, user_id)
    n_comments = conn.execute(
        update(comments)
        .where(comments.c.user_id == user_id, comments.c.deleted_at.is_(None))
        .values(deleted_at=now, body="")
    ).rowcount
    conn.execute(
        update(featured)
        .where(featured.c.submitted_by == row.username, featured.c.source.in_(COMMUNITY_SOURCES))
        .values(submitted_by=None)
    )
    conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(email=None, pending_email=None, password_hash="", is_admin=False, deleted_at=now,
                session_epoch=users.c.session_epoch + 1)
    )  # fmt: skip
    return Deleted(row.username, n_votes, n_comments, n_colls, n_tokens, len(subs), mails)


def export_account(conn: Connection, user_id: int) -> dict:
    """Everything the account holds, as plain JSON values: what its owner downloads. API tokens are listed
    by name (the tokens themselves are not stored); comments deleted by their author are gone (no text)."""
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.deleted_at.is_(None))).first()
    if row is None:
        raise AccountError("no such account")
    q_votes = select(votes).where(votes.c.user_id == user_id).order_by(votes.c.created_at, votes.c.paper_id)
    q_comments = (
        select(comments).where(comments.c.user_id == user_id, comments.c.deleted_at.is_(None)).order_by(comments.c.id)
    )
    q_colls = select(collections).where(collections.c.user_id == user_id).order_by(collections.c.id)
    q_items = (
        select(collection_items)
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .where(collections.c.user_id == user_id)
        .order_by(collection_items.c.added_at, collection_items.c.paper_id)
    )
    items: dict[int, list] = {}
    for it in conn.execute(q_items):
        items.setdefault(it.collection_id, []).append({"paper_id": it.paper_id, "added_at": _iso(it.added_at)})
    q_submitted = (
        select(featured.c.paper_id, featured.c.day)
        .where(featured.c.submitted_by == row.username, featured.c.source == "submission")
        .order_by(featured.c.day, featured.c.paper_id)
    )
    q_follows = select(follows).where(follows.c.user_id == user_id).order_by(follows.c.created_at, follows.c.value)
    q_tokens = select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
    subs = _subscriber_ids(conn, user_id, row.email)
    q_subs = select(subscribers).where(subscribers.c.id.in_(subs)).order_by(subscribers.c.id)
    q_alerts = select(alerts).where(alerts.c.subscriber_id.in_(subs)).order_by(alerts.c.id)
    sub_alerts: dict[int, list] = {}
    for a in conn.execute(q_alerts):
        sub_alerts.setdefault(a.subscriber_id, []).append(
            {"kind": a.kind, "value": a.value, "frequency": a.frequency, "created_at": _iso(a.created_at)}
        )
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {
            "username": row.username, "email": row.email, "pending_email": row.pending_email,
            "is_admin": row.is_admin, "created_at": _iso(row.created_at),
        },
        "api_tokens": [{"name": t.name, "created_at": _iso(t.created_at), "last_used_at": _iso(t.last_used_at)}
                       for t in conn.execute(q_tokens)],
        "votes": [{"paper_id": v.paper_id, "value": v.value, "created_at": _iso(v.created_at)}
                  for v in conn.execute(q_votes)],
        "comments": [{"id": c.id, "paper_id": c.paper_id, "parent_id": c.parent_id, "body": c.body,
                      "created_at": _iso(c.created_at), "edited_at": _iso(c.edited_at), "hidden": c.hidden}
                     for c in conn.execute(q_comments)],
        "collections": [{"id": c.id, "name": c.name, "description": c.description, "public": c.is_public,
                         "created_at": _iso(c.created_at), "papers": items.get(c.id, [])}
                        for c in conn.execute(q_colls)],
        "submissions": [{"paper_id": s.paper_id, "day": s.day.isoformat()} for s in conn.execute(q_submitted)],
        "follows": [{"kind": f.kind, "value": f.value, "created_at": _iso(f.created_at)}
                    for f in conn.execute(q_follows)],
        "subscriptions": [{"email": s.email, "status": s.status, "frequency": s.frequency, "trending": s.trending,
                           "personal": s.personal, "created_at": _iso(s.created_at),
                           "confirmed_at": _iso(s.confirmed_at), "alerts": sub_alerts.get(s.id, [])}
                          for s in conn.execute(q_subs)],
        "reports": store_reports.of_user(conn, user_id),
    }  # fmt: skip
