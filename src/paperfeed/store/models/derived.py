"""Data the index job derives from papers and rebuilds from them: vectors, labelled sentences, keyphrases,
one-line summaries, stored similar-paper lists (docs/search.md, docs/summaries.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class PaperVector(Base):
    """A paper's embedding: the durable copy any worker rebuilds its vector index from."""

    __tablename__ = "paper_vectors"
    # the serving processes' catch-up (index/vectors.py: vectors stored after a watermark, every few
    # seconds) reads this index, not every vector of the table
    __table_args__ = (Index("ix_paper_vectors_model_created", "model", "created_at", "paper_id"),)

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(40))  # of the embedded text: re-embed when it changes
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, little-endian
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaperSentences(Base):
    """A paper's sentences for faceted similar papers (index/sentences.py): one facet letter and one vector
    per sentence, title first. Derived data, rebuilt by the index job when ``text_hash`` changes."""

    __tablename__ = "paper_sentences"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(40))  # of the text and the labelling rules (sentences_hash)
    facets: Mapped[str] = mapped_column(String(64))  # one letter a sentence: t(itle), b, m, r
    vectors: Mapped[bytes] = mapped_column(LargeBinary)  # int8, one 384-d row a sentence, each scaled to 127
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PaperKeyword(Base):
    """A keyphrase extracted from a paper's text, for cards, filters and topic labels."""

    __tablename__ = "paper_keywords"
    # keyword pages and filters match without case ("kv cache" finds "KV cache"): without this, a scan
    __table_args__ = (Index("ix_paper_keywords_lower_keyword", func.lower(text("keyword"))),)

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    keyword: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    score: Mapped[float] = mapped_column(Float)


class PaperSummary(Base):
    """A paper's one-sentence summary, made from its abstract by the index job (index/summaries.py).

    Derived data: redone when the vector it was scored against changes (``text_hash``) or the method does;
    an empty ``summary`` means the paper has none (no abstract), so the job does not try it again."""

    __tablename__ = "paper_summaries"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    summary: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(40))  # the paper vector's text hash when it was made
    method: Mapped[str] = mapped_column(String(40))  # index.summaries.METHOD
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SimilarList(Base):
    """A paper's whole-paper similar papers, ranked by the index job (``rank/similar.py``) or by the first
    page that needed them, so that a page reads them instead of ranking on every first view.

    Derived data: redone when the paper's vector (``text_hash``), the model or the ranking (``method``)
    changes, or when a new paper may belong in it (``stale``, set by the job). Hidden and deleted papers
    are dropped when the list is read."""

    __tablename__ = "similar_lists"

    paper_id: Mapped[str] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    text_hash: Mapped[str] = mapped_column(String(40))  # the paper vector's when ranked ("" without a vector)
    method: Mapped[str] = mapped_column(String(40))  # rank.similar.METHOD
    hits: Mapped[list] = mapped_column(JSON)  # [[paper_id, score, why], ...], most similar first
    stale: Mapped[bool] = mapped_column(default=False, server_default=false())
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


paper_vectors = PaperVector.__table__
paper_sentences = PaperSentences.__table__
paper_keywords = PaperKeyword.__table__
paper_summaries = PaperSummary.__table__
similar_lists = SimilarList.__table__
