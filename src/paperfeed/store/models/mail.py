"""Email: subscribers, their alerts, the papers each was sent, the outbox (docs/email.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Subscriber(Base):
    """An address that asked for digests. Nothing but a confirmation is sent before ``status`` is active."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320))  # as typed
    email_key: Mapped[str] = mapped_column(String(320), unique=True)  # lower-cased: one subscriber per address
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # pending | active | unsubscribed | bouncing
    frequency: Mapped[str] = mapped_column(String(10))  # daily | weekly
    trending: Mapped[bool] = mapped_column(default=True)
    personal: Mapped[bool] = mapped_column(default=False)
    send_empty: Mapped[bool] = mapped_column(default=False)
    token_version: Mapped[int] = mapped_column(Integer, default=0)  # bumped to revoke every link sent so far
    bounce_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last digest composed


class Alert(Base):
    """A standing query of a subscriber: keyword/query (search), author, or category; its own frequency."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # keyword | query | author | category
    value: Mapped[str] = mapped_column(String(500))
    frequency: Mapped[str] = mapped_column(String(10))  # daily | weekly
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("subscriber_id", "kind", "value"), {"sqlite_autoincrement": True})


class SentPaper(Base):
    """A paper that went into a digest for a subscriber: it is never sent to that subscriber again."""

    __tablename__ = "sent_papers"

    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True)
    paper_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)  # no FK: history outlives papers
    digest: Mapped[str] = mapped_column(String(40))  # trending | personal | alert:<id>
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """A composed message waiting to go out; see mail/send.py for the exactly-once protocol."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # confirm | manage | digest
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)  # composing twice never queues twice
    to_addr: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)  # the whole RFC 5322 message, CRLF line ends
    status: Mapped[str] = mapped_column(String(20))  # pending | sending | handed | sent | unconfirmed | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


subscribers = Subscriber.__table__
alerts = Alert.__table__
sent_papers = SentPaper.__table__
outbox = OutboxMessage.__table__
