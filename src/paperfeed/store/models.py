"""Tables. The store package is the only code that talks to the database.

Community data (votes, comments, users) lives in its own tables that imports never write, so an import
can never lose it. Papers are keyed by their canonical arXiv id, or a stable ``pf-`` id for other papers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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


class FetchState(Base):
    """Where a network harvest stopped: the cursor to resume from, saved with the page it follows."""

    __tablename__ = "fetch_state"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    cursor: Mapped[dict | None] = mapped_column(JSON)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
fetch_state = FetchState.__table__


# --- community: accounts, votes, comments, collections (never written by imports) -------------------


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # confirmed by its owner only
    pending_email: Mapped[str | None] = mapped_column(String(320))  # typed, waiting for its confirmation mail
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    banned: Mapped[bool] = mapped_column(default=False)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)  # bumped to log out every session
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # by its owner: a tombstone


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = {"sqlite_autoincrement": True}  # a revoked token's id is never given to a new one


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


class AuthFailure(Base):
    """Failed logins, for the login rate limit (shared by every worker through the database)."""

    __tablename__ = "auth_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class EndedSession(Base):
    """A signed-in session its owner logged out of: the cookie, if kept or copied, signs nobody in. The
    cookie itself is stateless (signed, 30 days), so this list is what ends one; rows go after 30 days."""

    __tablename__ = "ended_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the session's random id
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


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


users = User.__table__
api_tokens = ApiToken.__table__
votes = Vote.__table__
comments = Comment.__table__
collections = Collection.__table__
collection_items = CollectionItem.__table__
auth_failures = AuthFailure.__table__
ended_sessions = EndedSession.__table__
moderation_log = ModerationEntry.__table__
reports = Report.__table__
paper_vectors = PaperVector.__table__
paper_sentences = PaperSentences.__table__


# --- email: subscribers, alerts, what was sent, the outbox (docs/email.md) ---------------------------


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


# --- recommendations and keywords (docs/recommend.md) ---------------------------------------------


class Follow(Base):
    """An author or category a user follows: a signal for "for you" and a reason shown beside a pick."""

    __tablename__ = "follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # author | category
    value: Mapped[str] = mapped_column(String(1000), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserModel(Base):
    """A user's trained linear model over paper vectors; derived data, retrained when signals change."""

    __tablename__ = "user_models"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))  # the embedding model the weights belong to
    weights: Mapped[bytes] = mapped_column(LargeBinary)  # float32 little-endian: dim weights then the bias
    signals: Mapped[str] = mapped_column(String(40))  # hash of the signals trained on: retrain when it changes
    positives: Mapped[int] = mapped_column(Integer, default=0)
    negatives: Mapped[int] = mapped_column(Integer, default=0)
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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


follows = Follow.__table__
user_models = UserModel.__table__
paper_keywords = PaperKeyword.__table__
paper_summaries = PaperSummary.__table__


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


similar_lists = SimilarList.__table__


# --- the scheduler's runs across machines (scheduler.py, docs/operations.md) ------------------------------


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


job_runs = JobRun.__table__
