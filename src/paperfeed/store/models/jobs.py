"""What the jobs record to go on where they stopped: a harvest's resume point (``store.fetch_state``), each
scheduled job's runs across machines (``store.jobs``, scheduler.py, docs/operations.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class FetchState(Base):
    """Where a network harvest stopped: the cursor to resume from, saved with the page it follows."""

    __tablename__ = "fetch_state"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    cursor: Mapped[dict | None] = mapped_column(JSON)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRun(Base):
    """A scheduled job's run for one slot (a day, an hour, a minute): who ran it, when it finished.

    The machines that share a database run each slot of each job once: the one holding the job's lock
    runs it and records the slot here; the others find it recorded and skip it (``store.jobs``)."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[str] = mapped_column(String(40), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


fetch_state = FetchState.__table__
job_runs = JobRun.__table__
