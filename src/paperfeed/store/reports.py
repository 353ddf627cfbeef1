"""Readers' reports of papers and comments, and the moderators' queue of them.

A report names an item (``kind`` 'paper' or 'comment', ``target`` its id) and the paper it is on. It is
open until a moderator hides the item (every hide resolves the item's open reports, wherever it was done)
or dismisses its reports, or its author deletes it (``forget_comments``); a reader holds at most one open
report per item (a unique index, so that two requests at once still make one). A report keeps the text of
the comment it was made against, so that the queue shows what was reported when that differs from what
the comment says now; the text goes when its author deletes the comment, as the comment's does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, String, and_, case, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utc
from .models import comments, papers, reports, users

REASONS = {  # code -> what the reader picks
    "spam": "Spam",
    "abuse": "Abusive or harassing",
    "off-topic": "Off-topic",
    "not-a-paper": "Not a paper / other",
}
KINDS = ("paper", "comment")
MAX_NOTE = 500
DELETED = "[deleted]"  # a deleted account, as the queue names its reports' reporter
OPEN = reports.c.resolved_at.is_(None)


@dataclass(frozen=True)
class Item:
    """A reportable item as the store finds it: ``hidden`` when a moderator took it (or its paper) down."""

    kind: str
    target: str
    paper_id: str
    user_id: int | None  # a comment's author
    hidden: bool
    body: str | None = None  # a comment's text


def find_item(conn: Connection, kind: str, target: str) -> Item | None:
    """The paper or comment (not deleted by its author) ``target`` names, else None."""
    if kind == "paper":
        row = conn.execute(select(papers.c.id, papers.c.hidden).where(papers.c.id == target)).first()
        return Item(kind, row.id, row.id, None, bool(row.hidden)) if row else None
    if kind != "comment" or not target.isdigit():
        return None
    q = (
        select(
            comments.c.paper_id,
            comments.c.user_id,
            comments.c.hidden,
            comments.c.body,
            papers.c.hidden.label("paper_hidden"),
        )
        .join(papers, papers.c.id == comments.c.paper_id)
        .where(comments.c.id == int(target), comments.c.deleted_at.is_(None))
    )
    row = conn.execute(q).first()
    if row is None:
        return None
    return Item(kind, str(int(target)), row.paper_id, row.user_id, bool(row.hidden or row.paper_hidden), row.body)


def open_report_of(conn: Connection, *, user_id: int, kind: str, target: str) -> int | None:
    """The id of this reader's open report of the item, if any."""
    q = select(reports.c.id).where(reports.c.user_id == user_id, reports.c.kind == kind, reports.c.target == target)
    return conn.execute(q.where(OPEN)).scalar()


def add(conn: Connection, *, user_id: int, item: Item, reason: str, note: str | None = None) -> tuple[int, bool]:
    """Record a report (of a comment: with its text now): ``(id, True)``; or ``(id of the open one, False)``
    when this reader has one."""
    if reason not in REASONS:
        raise ValueError(f"not a report reason: {reason!r}")
    note = (note or "").strip()[:MAX_NOTE] or None
    values = {"user_id": user_id, "kind": item.kind, "target": item.target, "paper_id": item.paper_id,
              "reason": reason, "note": note, "reported_text": item.body, "created_at": datetime.now(UTC)}  # fmt: skip
    try:
        with conn.begin_nested():
            return conn.execute(reports.insert().values(**values).returning(reports.c.id)).scalar_one(), True
    except IntegrityError:  # a report of the same reader's came in first (the open-report index)
        existing = open_report_of(conn, user_id=user_id, kind=item.kind, target=item.target)
        if existing is None:
            raise
        return existing, False


def resolve(conn: Connection, *, kind: str, target: str, by: str, resolution: str) -> list[str]:
    """Close every open report of the item; the reason codes of those closed."""
    q = update(reports).where(reports.c.kind == kind, reports.c.target == target, OPEN)
    return _closing(conn, q, by, resolution)


def is_reported(conn: Connection, kind: str, target: str) -> bool:
    """Whether the item has open reports (its author may not edit a comment that has)."""
    q = select(reports.c.id).where(reports.c.kind == kind, reports.c.target == target, OPEN).limit(1)
    return conn.execute(q).first() is not None


def dismiss_from(conn: Connection, user_id: int, *, by: str) -> list[str]:
    """Dismiss every open report this reader filed (a flood of them); others' reports of those items stay."""
    return _closing(conn, update(reports).where(reports.c.user_id == user_id, OPEN), by, "dismissed")


def forget_comments(conn: Connection, *, by: str, comment_id: int | None = None, user_id: int | None = None) -> None:
    """A comment (``comment_id``) or every comment of an account (``user_id``) was deleted by its author:
    their open reports close ("deleted"), and no report keeps their text."""
    if comment_id is not None:
        which = reports.c.target == str(comment_id)
    else:
        which = reports.c.target.in_(select(cast(comments.c.id, String)).where(comments.c.user_id == user_id))
    which = and_(reports.c.kind == "comment", which)
    conn.execute(update(reports).where(which).values(reported_text=None))
    _closing(conn, update(reports).where(which, OPEN), by, "deleted")


def forget_reporter(conn: Connection, user_id: int) -> None:
    """A deleted account's reports stay (the items may still need a look) without its notes; the queue
    shows them as a deleted account's (``queue``)."""
    conn.execute(update(reports).where(reports.c.user_id == user_id, reports.c.note.is_not(None)).values(note=None))


def of_user(conn: Connection, user_id: int) -> list[dict]:
    """The reports a reader filed, oldest first, as their data export lists them."""
    q = select(reports).where(reports.c.user_id == user_id).order_by(reports.c.id)
    return [{"kind": r.kind, "target": r.target, "paper_id": r.paper_id, "reason": r.reason, "note": r.note,
             "created_at": utc(r.created_at).isoformat(), "status": r.resolution or "open",
             "resolved_at": utc(r.resolved_at).isoformat() if r.resolved_at else None}
            for r in conn.execute(q)]  # fmt: skip


def resolve_paper(conn: Connection, paper_id: str, *, by: str, resolution: str = "hidden") -> list[str]:
    """Close the open reports of a paper and of its comments (a hidden paper takes its thread down)."""
    return _closing(conn, update(reports).where(reports.c.paper_id == paper_id, OPEN), by, resolution)


def _closing(conn: Connection, q, by: str, resolution: str) -> list[str]:
    done = q.values(resolved_at=datetime.now(UTC), resolved_by=by[:100], resolution=resolution)
    return list(conn.execute(done.returning(reports.c.reason)).scalars())


def summary(reasons: list[str]) -> str:
    """``'3 reports (spam ×2, abuse)'``: what a closing log entry says of the reports it closed."""
    counts = {r: reasons.count(r) for r in dict.fromkeys(reasons)}
    said = ", ".join(f"{r} ×{n}" if n > 1 else r for r, n in counts.items())
    return f"{len(reasons)} report{'' if len(reasons) == 1 else 's'} ({said})"


def get(conn: Connection, report_id: int):
    """One report's row (any state), or None."""
    return conn.execute(select(reports).where(reports.c.id == report_id)).first()


def open_count(conn: Connection, *, reporter: int | None = None) -> int:
    """How many items have open reports (what the admins' link shows); of ``reporter``'s reports only."""
    q = select(func.count(func.distinct(reports.c.kind + ":" + reports.c.target))).where(OPEN)
    if reporter is not None:
        q = q.where(reports.c.user_id == reporter)
    return conn.execute(q).scalar_one()


def reporter_id(conn: Connection, username: str) -> int | None:
    """The account of this name, any case, deleted ones too (their names stay theirs), or None."""
    return conn.execute(select(users.c.id).where(func.lower(users.c.username) == username.lower())).scalar()


def reporter(conn: Connection, user_id: int) -> tuple[str, bool] | None:
    """A reporter's username and whether the account was deleted (the queue then names it ``DELETED``)."""
    row = conn.execute(select(users.c.username, users.c.deleted_at).where(users.c.id == user_id)).first()
    return (row.username, row.deleted_at is not None) if row else None


@dataclass
class Group:
    """One item's open reports, as the queue shows them: the item, its reporters' reasons, newest first."""

    kind: str
    target: str
    paper_id: str
    title: str  # the paper's
    text: str  # a comment's body now ('' for a paper)
    author: str | None  # a comment's
    newest: datetime
    reported_text: str | None = None  # what the comment said when first reported, if that is not what it says now
    report_ids: list[int] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)  # names; DELETED for a deleted account
    reporter_ids: list[int] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # code -> how many
    notes: list[tuple[str, str]] = field(default_factory=list)  # (reporter, note)

    @property
    def id(self) -> int:
        """The newest report's id: what ``resolve`` takes for the whole group."""
        return self.report_ids[0]

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "target": self.target, "paper_id": self.paper_id,
                "title": self.title, "text": self.text, "author": self.author, "newest": self.newest.isoformat(),
                "reported_text": self.reported_text, "edited_since_reported": self.reported_text is not None,
                "report_ids": self.report_ids, "reporters": self.reporters, "reasons": self.reasons,
                "notes": [{"reporter": u, "note": n} for u, n in self.notes]}  # fmt: skip


def queue(conn: Connection, *, limit: int = 100, offset: int = 0, reporter: int | None = None) -> list[Group]:
    """Open reports grouped by item, the item with the newest report first: ``limit`` items from ``offset``;
    with ``reporter`` (a user id), only the items that reader reported, and only their reports."""
    mine = [reports.c.user_id == reporter] if reporter is not None else []
    newest = func.max(reports.c.id).label("newest")
    page = conn.execute(
        select(reports.c.kind, reports.c.target, newest)
        .where(OPEN, *mine)
        .group_by(reports.c.kind, reports.c.target)
        .order_by(newest.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    if not page:
        return []
    named = {kind: [p.target for p in page if p.kind == kind] for kind in KINDS}
    shown = case((users.c.deleted_at.is_not(None), DELETED), else_=users.c.username)
    q = (
        select(reports, shown.label("reporter"), papers.c.title)
        .join(users, users.c.id == reports.c.user_id)
        .join(papers, papers.c.id == reports.c.paper_id)
        .where(OPEN, *mine, or_(*(and_(reports.c.kind == k, reports.c.target.in_(t)) for k, t in named.items() if t)))
        .order_by(reports.c.id.desc())
    )
    groups = {(p.kind, p.target): None for p in page}  # in the page's order
    first_text: dict[tuple[str, str], str] = {}
    for r in conn.execute(q):
        g = groups[(r.kind, r.target)]
        if g is None:
            g = groups[(r.kind, r.target)] = Group(r.kind, r.target, r.paper_id, r.title, "", None, utc(r.created_at))
        g.report_ids.append(r.id)
        g.reporters.append(r.reporter)
        g.reporter_ids.append(r.user_id)
        g.reasons[r.reason] = g.reasons.get(r.reason, 0) + 1
        if r.note:
            g.notes.append((r.reporter, r.note))
        if r.reported_text is not None:  # newest first: the last one seen is the first reported
            first_text[(r.kind, r.target)] = r.reported_text
    if named["comment"]:
        q = (
            select(comments.c.id, comments.c.body, users.c.username)
            .join(users, users.c.id == comments.c.user_id)
            .where(comments.c.id.in_([int(t) for t in named["comment"]]))
        )
        for c in conn.execute(q):
            g = groups[("comment", str(c.id))]
            g.text, g.author = c.body, c.username
            was = first_text.get(("comment", str(c.id)))
            g.reported_text = was if was is not None and was != c.body else None
    return [g for g in groups.values() if g is not None]
