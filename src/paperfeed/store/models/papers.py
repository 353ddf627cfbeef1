"""Papers as imports write them: the paper, its authors, categories and versions, the days it was featured,
and the ids it was known by before a merge. Keyed by the canonical arXiv id, or a stable ``pf-`` id."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Paper(Base):
    __tablename__ = "papers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    primary_category: Mapped[str | None] = mapped_column(String(40), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(300), index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    announced_on: Mapped[date | None] = mapped_column(Date, index=True)
    abs_url: Mapped[str | None] = mapped_column(Text)
    pdf_url: Mapped[str | None] = mapped_column(Text)
    code_url: Mapped[str | None] = mapped_column(Text)
    project_url: Mapped[str | None] = mapped_column(Text)
    hf_upvotes: Mapped[int | None] = mapped_column(Integer)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())  # admin-hidden: out of lists
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    modified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PaperAuthor(Base):
    __tablename__ = "paper_authors"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(1000), index=True)
    # ``ids.author_key(name)``: case and accents folded; author pages and follows look names up by it
    name_key: Mapped[str] = mapped_column(String(1000), index=True, server_default="")


class PaperCategory(Base):
    __tablename__ = "paper_categories"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PaperVersion(Base):
    """One row per arXiv version seen: the history a newer version must not erase."""

    __tablename__ = "paper_versions"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Featured(Base):
    """A day a paper was on the daily list: imported HF featuring, a submission, an admin pick."""

    __tablename__ = "featured"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    upvotes: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(40))

    __table_args__ = (Index("ix_featured_day", "day"),)


class PaperAlias(Base):
    """An id a paper was known by before it merged into another (``store.merge``): a paper first seen on
    Hugging Face without an arXiv id (``pf-...``) that later came from arXiv. Imports of the old id land on
    the paper it became."""

    __tablename__ = "paper_aliases"

    alias: Mapped[str] = mapped_column(String(64), primary_key=True)
    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


papers = Paper.__table__
paper_aliases = PaperAlias.__table__
paper_authors = PaperAuthor.__table__
paper_categories = PaperCategory.__table__
paper_versions = PaperVersion.__table__
featured = Featured.__table__
