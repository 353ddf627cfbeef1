"""What readers add to papers: votes, comments, collections; and its moderation: the moderation log,
readers' reports. Never written by imports, so an import can never lose it."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Vote(Base):
    """One vote per user per paper: +1 upvote, -1 "not interested"."""

    __tablename__ = "votes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True)
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(default=False)  # by an admin
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # by its author; body wiped
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # last edit by its author


class Collection(Base):
    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # a deleted collection's id (and share link) is never given to a new one (SQLite reuses ids without it)
    __table_args__ = (UniqueConstraint("user_id", "name"), {"sqlite_autoincrement": True})


class CollectionItem(Base):
    __tablename__ = "collection_items"

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ModerationEntry(Base):
    """One moderation action, recorded in the transaction that did it (``store.modlog``): when, by whom (an
    admin's username, or ``cli:<OS user>`` from the shell), what (``hide-paper``, ``ban``, ...) to which
    paper id, comment id or username, and why if the moderator said. Never updated or deleted."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = {"sqlite_autoincrement": True}  # ids follow time: the newest entry has the highest id


class Report(Base):
    """A signed-in reader's report of a paper or a comment (``store.reports``): which item (``kind``
    'paper' or 'comment', ``target`` its id; ``paper_id`` the paper it is on), why (a reason code, an
    optional note), what a comment said then, and once a moderator hid the item or dismissed the reports:
    when, by whom, how."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(64))
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    reported_text: Mapped[str | None] = mapped_column(Text)  # a comment's text when reported (it may change)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)  # NULL: open
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(String(20))  # hidden | dismissed | deleted

    __table_args__ = (
        Index("ix_reports_item", "kind", "target"),
        # one open report per reader per item, also when two requests race
        Index("uq_reports_open", "user_id", "kind", "target", unique=True,
              sqlite_where=text("resolved_at IS NULL"), postgresql_where=text("resolved_at IS NULL")),
        {"sqlite_autoincrement": True},
    )  # fmt: skip


votes = Vote.__table__
comments = Comment.__table__
collections = Collection.__table__
collection_items = CollectionItem.__table__
moderation_log = ModerationEntry.__table__
reports = Report.__table__
