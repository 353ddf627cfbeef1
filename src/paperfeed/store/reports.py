"""Readers' reports of papers and comments, and the moderators' queue of them.

A report names an item (``kind`` 'paper' or 'comment', ``target`` its id) and the paper it is on. It is
open until a moderator hides the item (every hide resolves the item's open reports, wherever it was done)
or dismisses its reports; a reader holds at most one open report per item (a unique index, so that two
requests at once still make one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, update
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
OPEN = reports.c.resolved_at.is_(None)


@dataclass(frozen=True)
class Item:
    """A reportable item as the store finds it: ``hidden`` when a moderator took it (or its paper) down."""

    kind: str
    target: str
    paper_id: str
    user_id: int | None  # a comment's author
    hidden: bool


def find_item(conn: Connection, kind: str, target: str) -> Item | None:
    """The paper or comment (not deleted by its author) ``target`` names, else None."""
    if kind == "paper":
        row = conn.execute(select(papers.c.id, papers.c.hidden).where(papers.c.id == target)).first()
        return Item(kind, row.id, row.id, None, bool(row.hidden)) if row else None
    if kind != "comment" or not target.isdigit():
        return None
    q = (
        select(comments.c.paper_id, comments.c.user_id, comments.c.hidden, papers.c.hidden.label("paper_hidden"))
        .join(papers, papers.c.id == comments.c.paper_id)
        .where(comments.c.id == int(target), comments.c.deleted_at.is_(None))
    )
    row = conn.execute(q).first()
    if row is None:
        return None
    return Item(kind, str(int(target)), row.paper_id, row.user_id, bool(row.hidden or row.paper_hidden))


def open_report_of(conn: Connection, *, user_id: int, kind: str, target: str) -> int | None:
    """The id of this reader's open report of the item, if any."""
    q = select(reports.c.id).where(reports.c.user_id == user_id, reports.c.kind == kind, reports.c.target == target)
    return conn.execute(q.where(OPEN)).scalar()


def add(conn: Connection, *, user_id: int, item: Item, reason: str, note: str | None = None) -> tuple[int, bool]:
    """Record a report: ``(id, True)``; or ``(id of the open one, False)`` when this reader has one."""
    if reason not in REASONS:
        raise ValueError(f"not a report reason: {reason!r}")
    note = (note or "").strip()[:MAX_NOTE] or None
    values = {"user_id": user_id, "kind": item.kind, "target": item.target, "paper_id": item.paper_id,
              "reason": reason, "note": note, "created_at": datetime.now(UTC)}  # fmt: skip
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


def open_count(conn: Connection) -> int:
    """How many items have open reports (what the admins' link shows)."""
    q = select(func.count(func.distinct(reports.c.kind + ":" + reports.c.target))).where(OPEN)
    return conn.execute(q).scalar_one()


@dataclass
class Group:
    """One item's open reports, as the queue shows them: the item, its reporters' reasons, newest first."""

    kind: str
    target: str
    paper_id: str
    title: str  # the paper's
    text: str  # a comment's body ('' for a paper)
    author: str | None  # a comment's
    newest: datetime
    report_ids: list[int] = field(default_factory=list)
    reporters: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)  # code -> how many
    notes: list[tuple[str, str]] = field(default_factory=list)  # (reporter, note)

    @property
    def id(self) -> int:
        """The newest report's id: what ``resolve`` takes for the whole group."""
        return self.report_ids[0]

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "target": self.target, "paper_id": self.paper_id,
                "title": self.title, "text": self.text, "author": self.author, "newest": self.newest.isoformat(),
                "report_ids": self.report_ids, "reporters": self.reporters, "reasons": self.reasons,
                "notes": [{"reporter": u, "note": n} for u, n in self.notes]}  # fmt: skip


def queue(conn: Connection, *, limit: int = 100) -> list[Group]:
    """Open reports grouped by item, the item with the newest report first; at most ``limit`` items."""
    q = (
        select(reports, users.c.username, papers.c.title)
        .join(users, users.c.id == reports.c.user_id)
        .join(papers, papers.c.id == reports.c.paper_id)
        .where(OPEN)
        .order_by(reports.c.id.desc())
    )
    groups: dict[tuple[str, str], Group] = {}
    for r in conn.execute(q):
        g = groups.get((r.kind, r.target))
        if g is None:
            if len(groups) == limit:
                continue
            g = groups[(r.kind, r.target)] = Group(r.kind, r.target, r.paper_id, r.title, "", None, utc(r.created_at))
        g.report_ids.append(r.id)
        g.reporters.append(r.username)
        g.reasons[r.reason] = g.reasons.get(r.reason, 0) + 1
        if r.note:
            g.notes.append((r.username, r.note))
    said = [int(g.target) for g in groups.values() if g.kind == "comment"]
    if said:
        q = (
            select(comments.c.id, comments.c.body, users.c.username)
            .join(users, users.c.id == comments.c.user_id)
            .where(comments.c.id.in_(said))
        )
        for c in conn.execute(q):
            g = groups[("comment", str(c.id))]
            g.text, g.author = c.body, c.username
    return list(groups.values())
