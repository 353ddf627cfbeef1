"""The outbox: composed messages waiting for the SMTP server, and the state of each delivery.

Status of a row (the protocol is in mail/send.py and docs/email.md):

    pending -> sending -> handed -> sent
                  |          \\-> unconfirmed   (the sender died or lost the line after handing it over)
                  \\-> pending (4xx: retry later) | failed (5xx, or too many tries) | cancelled

``sending`` and ``handed`` only exist while a sender holds the outbox lock; the next sender turns the
``sending`` rows of a dead one back into ``pending`` (the server never got their final dot) and its
``handed`` rows into ``unconfirmed`` (it may have: never sent again automatically).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, func, select, update

from ..clock import utc
from .db import chunked, select_in
from .models import outbox, subscribers

STATUSES = ("pending", "sending", "handed", "sent", "unconfirmed", "failed", "cancelled")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    subscriber_id: int | None
    kind: str
    to_addr: str
    subject: str
    message: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _row(r) -> OutboxRow:
    return OutboxRow(
        r.id, r.subscriber_id, r.kind, r.to_addr, r.subject, r.message, r.status, r.attempts,
        utc(r.next_attempt_at), r.last_error, utc(r.created_at), utc(r.sent_at),
    )  # fmt: skip


def _insert(conn: Connection):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(outbox)


def queue(
    conn: Connection,
    *,
    subscriber_id: int | None,
    kind: str,
    dedupe_key: str,
    to_addr: str,
    subject: str,
    message: str,
    now: datetime | None = None,
) -> int | None:
    """Queue a message; returns its id, or None when ``dedupe_key`` was queued before (nothing is added)."""
    now = now or datetime.now(UTC)
    q = (
        _insert(conn)
        .values(
            subscriber_id=subscriber_id,
            kind=kind,
            dedupe_key=dedupe_key,
            to_addr=to_addr,
            subject=subject,
            message=message,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )  # fmt: skip
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(outbox.c.id)
    )
    return conn.execute(q).scalar()


def queue_many(conn: Connection, rows: list[dict], *, now: datetime, chunk: int = 100) -> set[str]:
    """Queue many messages (``subscriber_id, kind, dedupe_key, to_addr, subject, message``) in a few
    statements; returns the dedupe keys actually added (the others were queued before)."""
    added: set[str] = set()
    for part in chunked(rows, chunk):
        values = [{**r, "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now} for r in part]
        q = (
            _insert(conn)
            .values(values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(outbox.c.dedupe_key)
        )
        added.update(conn.execute(q).scalars())
    return added


def queued_keys(conn: Connection, keys: list[str]) -> set[str]:
    return {k for (k,) in select_in(conn, select(outbox.c.dedupe_key), outbox.c.dedupe_key, keys)}


def recover(conn: Connection) -> tuple[int, list[int]]:
    """After a sender died: ``sending`` rows go back to pending, ``handed`` rows become unconfirmed.

    Call only while holding the outbox lock (no live sender owns those rows). Returns the number of rows
    requeued and the ids of the rows now unconfirmed.
    """
    requeued = conn.execute(update(outbox).where(outbox.c.status == "sending").values(status="pending")).rowcount
    ids = list(conn.execute(select(outbox.c.id).where(outbox.c.status == "handed")).scalars())
    if ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(status="unconfirmed", last_error="the sender stopped after handing the message to the server")
        )
    return requeued, ids


def due(conn: Connection, *, now: datetime, limit: int = 100, ids: list[int] | None = None) -> list[int]:
    q = select(outbox.c.id).where(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
    if ids is not None:
        q = q.where(outbox.c.id.in_(ids))
    return list(conn.execute(q.order_by(outbox.c.id).limit(limit)).scalars())


def claim(conn: Connection, row_id: int, *, now: datetime) -> OutboxRow | None:
    """Take a due pending row for sending; None when another sender took it first (or it is not due)."""
    res = conn.execute(
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
        .values(status="sending", attempts=outbox.c.attempts + 1)
    )
    if res.rowcount != 1:
        return None
    return get(conn, row_id)


def get(conn: Connection, row_id: int) -> OutboxRow | None:
    r = conn.execute(select(outbox).where(outbox.c.id == row_id)).first()
    return _row(r) if r else None


def recipient_status(conn: Connection, subscriber_id: int | None) -> str | None:
    if subscriber_id is None:
        return None
    return conn.execute(select(subscribers.c.status).where(subscribers.c.id == subscriber_id)).scalar()


def set_status(
    conn: Connection,
    row_id: int,
    status: str,
    *,
    expect: str | None = None,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
    sent_at: datetime | None = None,
) -> bool:
    values: dict = {"status": status}
    if error is not None:
        values["last_error"] = error[:2000]
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    if sent_at is not None:
        values["sent_at"] = sent_at
    q = update(outbox).where(outbox.c.id == row_id)
    if expect is not None:
        q = q.where(outbox.c.status == expect)
    return conn.execute(q.values(**values)).rowcount == 1


def cancel_for(conn: Connection, subscriber_id: int) -> int:
    """Cancel what is still waiting for this subscriber (after an unsubscribe or a bounce)."""
    return conn.execute(
        update(outbox)
        .where(outbox.c.subscriber_id == subscriber_id, outbox.c.status == "pending")
        .values(status="cancelled")
    ).rowcount


def retry_unconfirmed(conn: Connection) -> int:
    """Queue the unconfirmed rows again (after checking the SMTP server's log that they never arrived)."""
    return conn.execute(
        update(outbox).where(outbox.c.status == "unconfirmed").values(status="pending", last_error=None)
    ).rowcount


def counts(conn: Connection) -> dict[str, int]:
    q = select(outbox.c.status, func.count()).group_by(outbox.c.status)
    return {s: 0 for s in STATUSES} | dict(conn.execute(q).all())


def waiting(conn: Connection) -> tuple[int, datetime | None, str | None]:
    """The pending messages: how many, when the first is due, and why that one's last try failed (if)."""
    pending = outbox.c.status == "pending"
    n = conn.execute(select(func.count()).where(pending)).scalar_one()
    q = select(outbox.c.next_attempt_at, outbox.c.last_error).where(pending)
    first = conn.execute(q.order_by(outbox.c.next_attempt_at, outbox.c.id).limit(1)).first()
    return n, (utc(first.next_attempt_at) if first else None), (first.last_error if first else None)


def problems(conn: Connection, *, limit: int = 50) -> list[OutboxRow]:
    """Unconfirmed and failed rows, newest first."""
    q = select(outbox).where(outbox.c.status.in_(("unconfirmed", "failed"))).order_by(outbox.c.id.desc()).limit(limit)
    return [_row(r) for r in conn.execute(q)]


def messages_to(conn: Connection, to_addr: str) -> list[OutboxRow]:
    q = select(outbox).where(func.lower(outbox.c.to_addr) == to_addr.lower()).order_by(outbox.c.id)
    return [_row(r) for r in conn.execute(q)]


def prune(conn: Connection, *, now: datetime, blank_after: timedelta, delete_after: timedelta) -> tuple[int, int]:
    """Forget delivered mail: the text of sent and cancelled messages after ``blank_after``, the rows after
    ``delete_after`` (their dedupe keys name past days, so nothing can be queued twice because of it).
    Failed and unconfirmed rows stay until someone looks at them. Returns (blanked, deleted)."""
    done = ("sent", "cancelled")
    old = func.coalesce(outbox.c.sent_at, outbox.c.created_at)
    deleted = conn.execute(outbox.delete().where(outbox.c.status.in_(done), old < now - delete_after)).rowcount
    blanked = conn.execute(
        update(outbox)
        .where(outbox.c.status.in_(done), old < now - blank_after, outbox.c.message != "")
        .values(message="")
    ).rowcount
    return blanked, deleted
