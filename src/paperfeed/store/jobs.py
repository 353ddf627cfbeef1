"""Each scheduled job runs once per slot across every machine that shares the database.

- ``held(store, job)``: a lock on the job, held for as long as the ``with`` block runs and released by the
  database or the OS when the holder dies (kill -9, a lost machine): PostgreSQL's session advisory lock
  on a connection of its own; on SQLite (one machine) an ``flock`` on a file beside the database.
- ``finished(conn, job, slot)`` / ``record(...)``: the slot's run, written when it completed.

A machine that finds the lock taken waits for it (``scheduler.exclusive``); when it gets it, a recorded
slot means the holder finished (skip), an unrecorded one means the holder died (run it: every job is
idempotent, so the work of a dead holder is completed, never doubled: the outbox sends a message once).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, make_url, select, text

from ..clock import utc
from . import Store
from .events import channel_name
from .models import job_runs


def _key(store: Store, job: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``: per job, and per schema named in the URL (advisory
    locks are database-wide)."""
    name = channel_name(store.url, f"job_{job}")
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def held(store: Store, job: str) -> Iterator[bool]:
    """``True`` inside the block when this process holds ``job``'s lock, ``False`` when another does."""
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(store, job)}).scalar()
            conn.commit()
            try:
                yield bool(got)
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(store, job)})
                    conn.commit()
        return
    import fcntl

    database = make_url(store.url).database or "paperfeed.db"
    path = Path(f"{database}.{job}.lock") if database != ":memory:" else Path(f"/tmp/paperfeed-{os.getpid()}.lock")
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def finished(conn: Connection, job: str, slot: str) -> bool:
    return (
        conn.execute(select(job_runs.c.host).where(job_runs.c.job == job, job_runs.c.slot == slot)).first() is not None
    )


def record(conn: Connection, job: str, slot: str, *, host: str, started_at: datetime, finished_at: datetime) -> None:
    conn.execute(job_runs.insert().values(job=job, slot=slot, host=host[:200], started_at=started_at,
                                          finished_at=finished_at))  # fmt: skip


def runs(conn: Connection, job: str | None = None, *, limit: int = 20) -> list[dict]:
    """The latest recorded runs, newest first (``paperfeed jobs status``)."""
    q = select(job_runs).order_by(job_runs.c.finished_at.desc()).limit(limit)
    if job:
        q = q.where(job_runs.c.job == job)
    return [{**r._mapping, "started_at": utc(r.started_at), "finished_at": utc(r.finished_at)} for r in conn.execute(q)]
