"""Votes, comments, submissions and moderation: what the community adds on top of imported papers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Connection, and_, bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utc
from ..errors import PaperfeedError
from ..records import without_bidi_controls
from .models import comments, featured, papers, users, votes

MAX_COMMENT_CHARS = 10_000


class CommunityError(PaperfeedError):
    """A refused community action (duplicate submission, empty comment...)."""


class AlreadyListed(CommunityError):
    """A submitted paper is on a daily list already: ``paper_id`` and the ``day`` it was first listed."""

    def __init__(self, message: str, paper_id: str, day: date):
        super().__init__(message)
        self.paper_id, self.day = paper_id, day


def vote(conn: Connection, *, user_id: int, paper_id: str, value: int) -> None:
    """Set this user's vote on a paper: +1 up, -1 "not interested", 0 removes it. One vote per user."""
    if value not in (-1, 0, 1):
        raise CommunityError("a vote is +1, -1 or 0")
    conn.execute(votes.delete().where(votes.c.user_id == user_id, votes.c.paper_id == paper_id))
    if value:
        try:
            with conn.begin_nested():
                conn.execute(
                    votes.insert().values(user_id=user_id, paper_id=paper_id, value=value, created_at=datetime.now(UTC))
                )
        except IntegrityError:  # a concurrent request voted first: keep one vote, with this value
            conn.execute(
                update(votes).where(votes.c.user_id == user_id, votes.c.paper_id == paper_id).values(value=value)
            )


# a vote of a banned user counts nowhere (banning undoes a vote ring); kept in the table, so that lifting
# the ban gives the votes back. Per vote one primary-key lookup of its user.
COUNTED_VOTE = ~exists().where(users.c.id == votes.c.user_id, users.c.banned.is_(True))


def upvotes_total() -> ColumnElement[int]:
    """A paper's upvotes as every list shows and sorts them: imported (HF) plus this community's (those of
    users not banned), as an expression over a ``papers`` row (counted through ``ix_votes_paper_id``)."""
    community = (
        select(func.count()).where(votes.c.paper_id == papers.c.id, votes.c.value == 1, COUNTED_VOTE).scalar_subquery()
    )
    return func.coalesce(papers.c.hf_upvotes, 0) + community


def user_votes(conn: Connection, user_id: int, paper_ids: Sequence[str] | None = None) -> dict[str, int]:
    q = select(votes.c.paper_id, votes.c.value).where(votes.c.user_id == user_id)
    if paper_ids is not None:
        q = q.where(votes.c.paper_id.in_(list(paper_ids)))
    return dict(conn.execute(q).all())


def upvoted_by(conn: Connection, user_id: int, *, limit: int = 100) -> list[str]:
    q = (
        select(votes.c.paper_id)
        .where(votes.c.user_id == user_id, votes.c.value == 1)
        .order_by(votes.c.created_at.desc())
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


# --- comments -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentView:
    """A comment as a thread shows it. ``removed`` is None for a comment shown in full; "deleted" (by its
    author) or "removed" (hidden by a moderator) for a placeholder that stands in for one with replies
    shown: its ``username`` is None and its ``body`` empty. ``hidden``: an admin's view of a hidden one.
    ``edited_at``: when its author last edited it (None: never)."""

    id: int
    paper_id: str
    username: str | None
    parent_id: int | None
    body: str
    hidden: bool
    created_at: datetime
    removed: str | None = None
    edited_at: datetime | None = None

    @property
    def visible(self) -> bool:
        """Counted as a comment: shown in full to everyone (what ``num_comments`` counts)."""
        return self.removed is None and not self.hidden


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 but tab and newline; DEL


def refuse_controls(text: str, what: str) -> str:
    """``text`` with its line ends made ``\\n`` and no bidi controls (``records.without_bidi_controls``);
    ``CommunityError`` for any other control character (an escape sequence would repaint a moderator's
    terminal; nothing a person types holds one)."""
    text = without_bidi_controls(text).replace("\r\n", "\n").replace("\r", "\n")
    found = _CONTROLS.search(text)
    if found:
        raise CommunityError(f"{what} cannot hold control characters (U+{ord(found.group()):04X} at character "
                             f"{found.start() + 1}): only line breaks and tabs")  # fmt: skip
    return text


def check_body(body: str | None) -> str:
    """A comment's text as it is stored (posted or edited): stripped, not empty, at most ``MAX_COMMENT_CHARS``,
    no control characters but line breaks and tabs."""
    body = refuse_controls(body or "", "a comment").strip()
    if not body:
        raise CommunityError("a comment cannot be empty")
    if len(body) > MAX_COMMENT_CHARS:
        raise CommunityError(f"a comment is at most {MAX_COMMENT_CHARS:,} characters (this one has {len(body):,})")
    return body


def add_comment(conn: Connection, *, user_id: int, paper_id: str, body: str, parent_id: int | None = None) -> int:
    body = check_body(body)
    if parent_id is not None:
        parent = conn.execute(
            select(comments.c.paper_id, comments.c.hidden, comments.c.deleted_at).where(comments.c.id == parent_id)
        ).first()
        if parent is None or parent.paper_id != paper_id:
            raise CommunityError("you can only reply to a comment on the same paper")
        if parent.deleted_at is not None:
            raise CommunityError("that comment was deleted: it takes no replies")
        if parent.hidden:  # like a hidden paper: removed by an admin, closed to replies
            raise CommunityError("that comment was removed: it takes no replies")
    return conn.execute(
        comments.insert()
        .values(
            paper_id=paper_id,
            user_id=user_id,
            parent_id=parent_id,
            body=body,
            hidden=False,
            created_at=datetime.now(UTC),
        )
        .returning(comments.c.id)
    ).scalar_one()


VISIBLE_COMMENT = and_(comments.c.hidden.is_(False), comments.c.deleted_at.is_(None))
_COMMENTS = (  # built once: every paper page reads it
    select(comments, users.c.username)
    .join(users, users.c.id == comments.c.user_id)
    .where(comments.c.paper_id == bindparam("pid"))
    .order_by(comments.c.id)
)


def comments_for(conn: Connection, paper_id: str, *, include_hidden: bool = False) -> list[CommentView]:
    """A paper's thread, oldest first: the comments shown in full (``include_hidden``: an admin's view,
    hidden ones too), and a placeholder for each deleted or hidden one that has such a comment below it,
    so that no reply loses its place. Any other hidden or deleted comment is left out."""
    rows = conn.execute(_COMMENTS, {"pid": paper_id}).all()
    parent = {r.id: r.parent_id for r in rows}
    shown = {r.id for r in rows if r.deleted_at is None and (include_hidden or not r.hidden)}
    kept = set(shown)
    for cid in shown:  # ancestors of what is shown stay, as placeholders where not shown themselves
        up = parent[cid]
        while up is not None and up not in kept and up in parent:
            kept.add(up)
            up = parent[up]
    out = []
    for r in rows:
        if r.id in shown:
            out.append(CommentView(r.id, r.paper_id, r.username, r.parent_id, r.body, r.hidden, utc(r.created_at),
                                   edited_at=utc(r.edited_at)))  # fmt: skip
        elif r.id in kept:
            why = "deleted" if r.deleted_at is not None else "removed"
            out.append(CommentView(r.id, r.paper_id, None, r.parent_id, "", r.hidden, utc(r.created_at), why))
    return out


def comment_owner(conn: Connection, comment_id: int) -> tuple[str, int] | None:
    """``(paper_id, user_id)`` of a comment not deleted, else None."""
    row = conn.execute(
        select(comments.c.paper_id, comments.c.user_id).where(
            comments.c.id == comment_id, comments.c.deleted_at.is_(None)
        )
    ).first()
    return (row.paper_id, row.user_id) if row else None


@dataclass(frozen=True)
class OwnComment:
    """What decides whether a comment's author may still edit it."""

    paper_id: str
    user_id: int
    hidden: bool
    created_at: datetime


def comment_for_edit(conn: Connection, comment_id: int) -> OwnComment | None:
    """The comment if it exists and its author has not deleted it, else None."""
    row = conn.execute(
        select(comments.c.paper_id, comments.c.user_id, comments.c.hidden, comments.c.created_at).where(
            comments.c.id == comment_id, comments.c.deleted_at.is_(None)
        )
    ).first()
    return OwnComment(row.paper_id, row.user_id, row.hidden, utc(row.created_at)) if row else None


def edit_comment(conn: Connection, comment_id: int, body: str) -> bool:
    """Its author's new text (checked as a new comment's is), marked edited now; a deleted or hidden
    comment is not changed (False). Who may edit, and until when, is the caller's to check."""
    body = check_body(body)
    q = update(comments).where(comments.c.id == comment_id, VISIBLE_COMMENT)
    return conn.execute(q.values(body=body, edited_at=datetime.now(UTC))).rowcount > 0


def delete_comment(conn: Connection, comment_id: int) -> bool:
    """Its author's delete: the text goes for good; the row stays as a placeholder while replies hang on it."""
    done = update(comments).where(comments.c.id == comment_id, comments.c.deleted_at.is_(None))
    return conn.execute(done.values(deleted_at=datetime.now(UTC), body="")).rowcount > 0


@dataclass(frozen=True)
class CommentOf:
    """A comment as its author's profile lists it: on which paper, when, and the start of what it says."""

    id: int
    paper_id: str
    title: str
    body: str
    created_at: datetime


def comments_by(conn: Connection, user_id: int, *, limit: int = 30) -> list[CommentOf]:
    """A user's visible comments on visible papers, newest first."""
    q = (
        select(comments.c.id, comments.c.paper_id, papers.c.title, comments.c.body, comments.c.created_at)
        .join(papers, papers.c.id == comments.c.paper_id)
        .where(comments.c.user_id == user_id, VISIBLE_COMMENT, papers.c.hidden.is_(False))
        .order_by(comments.c.id.desc())
        .limit(limit)
    )
    return [CommentOf(r.id, r.paper_id, r.title, r.body, utc(r.created_at)) for r in conn.execute(q)]


def hide_comment(conn: Connection, comment_id: int, hidden: bool = True) -> bool:
    return conn.execute(update(comments).where(comments.c.id == comment_id).values(hidden=hidden)).rowcount > 0


def hide_comments_of(conn: Connection, user_id: int) -> list[int]:
    """Hide every comment of a user's that is shown (a banned spammer's posts); the ids hidden, oldest first."""
    shown = (comments.c.user_id == user_id, VISIBLE_COMMENT)
    ids = list(conn.execute(select(comments.c.id).where(*shown).order_by(comments.c.id)).scalars())
    conn.execute(update(comments).where(*shown).values(hidden=True))  # the same rows: no IN list to outgrow
    return ids


@dataclass(frozen=True)
class HiddenComment:
    """A comment a moderator hid, as ``paperfeed admin hidden`` lists it."""

    id: int
    paper_id: str
    username: str
    body: str
    created_at: datetime


def hidden_papers(conn: Connection) -> list[tuple[str, str]]:
    """``(id, title)`` of every hidden paper, by id."""
    q = select(papers.c.id, papers.c.title).where(papers.c.hidden.is_(True)).order_by(papers.c.id)
    return [(r.id, r.title) for r in conn.execute(q)]


def hidden_comments(conn: Connection) -> list[HiddenComment]:
    """Every hidden comment not deleted by its author (nothing left to show of those), oldest first."""
    q = (
        select(comments.c.id, comments.c.paper_id, users.c.username, comments.c.body, comments.c.created_at)
        .join(users, users.c.id == comments.c.user_id)
        .where(comments.c.hidden.is_(True), comments.c.deleted_at.is_(None))
        .order_by(comments.c.id)
    )
    return [HiddenComment(r.id, r.paper_id, r.username, r.body, utc(r.created_at)) for r in conn.execute(q)]


def hide_paper(conn: Connection, paper_id: str, hidden: bool = True) -> bool:
    """Hide (or show) a paper; ``modified_at`` moves so the search index catches up."""
    values = {"hidden": hidden, "modified_at": datetime.now(UTC)}
    return conn.execute(update(papers).where(papers.c.id == paper_id).values(**values)).rowcount > 0


# --- submissions --------------------------------------------------------------------------------------


def check_unlisted(conn: Connection, paper_id: str) -> None:
    """``AlreadyListed`` when the paper is on a daily list (the first day it was)."""
    already = conn.execute(
        select(featured.c.day, featured.c.submitted_by).where(featured.c.paper_id == paper_id).order_by(featured.c.day)
    ).first()
    if already:
        by = f" by {already.submitted_by}" if already.submitted_by else ""
        raise AlreadyListed(f"this paper is already on the daily list of {already.day:%d %b %Y}{by}", paper_id,
                            already.day)  # fmt: skip


COMMUNITY_SOURCES = ("submission", "admin")  # listings made here, not imported


def submit(conn: Connection, *, paper_id: str, username: str, day: date, source: str = "submission") -> None:
    """Feature a paper on ``day`` as submitted by ``username``; a paper already on a daily list is refused."""
    check_unlisted(conn, paper_id)
    try:
        with conn.begin_nested():
            conn.execute(
                featured.insert().values(paper_id=paper_id, day=day, submitted_by=username, upvotes=None, source=source)
            )
            # a paper without a date of its own is dated by this day now (papers.paper_day): the index follows
            conn.execute(update(papers).where(papers.c.id == paper_id).values(modified_at=datetime.now(UTC)))
    except IntegrityError:
        raise CommunityError("this paper was just submitted by someone else") from None


def unfeature(conn: Connection, paper_id: str, day: date) -> None:
    """Take a submission or an admin pick off ``day``'s list (``CommunityError`` when there is none)."""
    row = conn.execute(select(featured.c.source).where(featured.c.paper_id == paper_id, featured.c.day == day)).first()
    if row is None:
        raise CommunityError(f"{paper_id} is not on the list of {day}")
    if row.source not in COMMUNITY_SOURCES:
        raise CommunityError(f"{paper_id}'s listing on {day} was imported ({row.source}): the next import would "
                             "bring it back; hide the paper instead")  # fmt: skip
    conn.execute(featured.delete().where(featured.c.paper_id == paper_id, featured.c.day == day))
    # a paper dated by this listing (papers.paper_day) changes date: the index follows
    conn.execute(update(papers).where(papers.c.id == paper_id).values(modified_at=datetime.now(UTC)))


def submissions_by(conn: Connection, username: str, *, limit: int = 100) -> list[str]:
    q = (
        select(featured.c.paper_id)
        .where(and_(featured.c.submitted_by == username, featured.c.source.in_(COMMUNITY_SOURCES)))
        .order_by(featured.c.day.desc())
        .limit(limit)
    )
    return list(conn.execute(q).scalars())
