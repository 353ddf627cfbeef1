"""Readers report papers and comments; moderators work through the queue of open reports (pages, API, CLI).

A signed-in reader files at most one open report per item and ``REPORTS_PER_HOUR`` reports an hour; their
own comment cannot be reported; an item a moderator already took down is answered as handled (nothing is
recorded). A moderator hides the item (the ``community.hide_*`` action: logged, and every hide closes the
item's open reports) or dismisses its reports (logged as ``dismiss-reports``), or dismisses every open
report of one reader at once (a flood of them: logged as ``dismiss-reporter``). The queue comes in pages."""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Store, modlog
from ..store import community as store_community
from ..store import reports as store_reports
from ..store.users import UserView
from . import community
from .community import CommunityError, NotFound, _paper_id

REPORTS_PER_HOUR = 20  # per user: far more than a reader meets, too few to flood the queue
REASONS = store_reports.REASONS
MAX_NOTE = store_reports.MAX_NOTE


@dataclass(frozen=True)
class Filed:
    """What became of a report: ``status`` 'open' (recorded now), 'already-reported' (this reader's open
    report of the item: ``id``) or 'handled' (the item is down already; ``id`` None); ``message`` says it."""

    id: int | None
    kind: str
    target: str
    paper_id: str
    status: str
    message: str


def report(
    store: Store,
    user: UserView,
    kind: str,
    target: str,
    reason: str,
    note: str | None = None,
    *,
    paper_id: str | None = None,
) -> Filed:
    """``user`` reports a paper (``target`` any arXiv spelling) or a comment (its id; on ``paper_id`` when
    given: a comment of another paper is ``NotFound``)."""
    if reason not in REASONS:
        raise CommunityError(f"{reason[:40]!r} is not a report reason: one of {', '.join(REASONS)}")
    note = store_community.refuse_controls((note or "").strip(), "a report's note")
    if len(note) > MAX_NOTE:
        raise CommunityError(f"a report's note is at most {MAX_NOTE} characters (this one has {len(note)})")
    if kind not in store_reports.KINDS:
        raise CommunityError(f"only a paper or a comment can be reported, not {kind[:20]!r}")
    target = _paper_id(target) if kind == "paper" else target
    with store.transaction() as conn:
        item = store_reports.find_item(conn, kind, target)
        if item is None or (paper_id is not None and item.paper_id != _paper_id(paper_id)):
            raise NotFound(f"No paper {target[:80]!r} here" if kind == "paper" else "no such comment")
        if item.user_id == user.id:
            raise CommunityError("you cannot report your own comment (you can delete it)")
        if item.hidden:
            return Filed(None, kind, item.target, item.paper_id, "handled",
                         f"A moderator already took this {kind} down; thanks for looking out.")  # fmt: skip
        existing = store_reports.open_report_of(conn, user_id=user.id, kind=kind, target=item.target)
        if existing is None:
            said = f"you sent {REPORTS_PER_HOUR} reports in the last hour, as many as one account may"
            if slow := community.over_quota(conn, f"report:{user.id}", REPORTS_PER_HOUR, said, "report"):
                raise slow
            rid, new = store_reports.add(conn, user_id=user.id, item=item, reason=reason, note=note)
        else:
            rid, new = existing, False
    if not new:
        return Filed(rid, kind, item.target, item.paper_id, "already-reported",
                     f"You already reported this {kind}; a moderator will look at it.")  # fmt: skip
    return Filed(rid, kind, item.target, item.paper_id, "open",
                 f"Thanks: the {kind} is reported, and a moderator will look at it.")  # fmt: skip


def queue(
    store: Store, *, limit: int = 100, offset: int = 0, reporter: int | None = None
) -> tuple[list[store_reports.Group], int]:
    """A page of the open reports grouped by item (newest first: ``limit`` items from ``offset``) and how many
    items have any; with ``reporter`` (a user id), the items that reader reported, with their reports only."""
    with store.read() as conn:
        page = store_reports.queue(conn, limit=limit, offset=offset, reporter=reporter)
        return page, store_reports.open_count(conn, reporter=reporter)


def reporter(store: Store, *, user_id: int | None = None, username: str | None = None) -> tuple[int, str]:
    """A reader who filed reports, by id or name: ``(id, name as the queue shows it)``; else ``NotFound``."""
    with store.read() as conn:
        if username is not None:
            user_id = store_reports.reporter_id(conn, username)
        found = store_reports.reporter(conn, user_id) if user_id is not None else None
    if found is None:
        raise NotFound(f"no user {username[:40]!r}" if username is not None else f"no user {user_id}")
    return user_id, store_reports.DELETED if found[1] else found[0]  # type: ignore[return-value]


def dismiss_from(store: Store, user_id: int, *, actor: str, reason: str | None = None) -> int:
    """Dismiss every open report reader ``user_id`` filed (logged as ``dismiss-reporter``, naming them);
    others' reports of the same items stay open. Answers how many were dismissed."""
    reason = community._reason(reason)
    with store.transaction() as conn:
        found = store_reports.reporter(conn, user_id)
        if found is None:
            raise NotFound(f"no user {user_id}")
        closed = store_reports.dismiss_from(conn, user_id, by=actor)
        if closed:
            said = store_reports.summary(closed)
            modlog.record(conn, actor=actor, action="dismiss-reporter", target=found[0],
                          reason=f"{reason}; {said}" if reason else said)  # fmt: skip
    return len(closed)


def open_count(store: Store) -> int:
    with store.read() as conn:
        return store_reports.open_count(conn)


def resolve(store: Store, report_id: int, *, hide: bool, actor: str, reason: str | None = None) -> tuple[str, str]:
    """Close report ``report_id`` and every other open report of its item: ``hide`` takes the item down
    (the hide action, logged), else the reports are dismissed (logged). Answers the item's ``(kind, target)``."""
    reason = community._reason(reason)
    with store.read() as conn:
        row = store_reports.get(conn, report_id)
    if row is None:
        raise NotFound(f"no report {report_id}")
    if row.resolved_at is not None:
        raise CommunityError(f"report {report_id} is closed already ({row.resolution}"
                             + (f" by {row.resolved_by})" if row.resolved_by else ")"))  # fmt: skip
    if hide and row.kind == "paper":
        community.hide_paper(store, row.target, True, actor=actor, reason=reason)
    elif hide:
        community.hide_comment(store, int(row.target), True, actor=actor, reason=reason)
    else:
        with store.transaction() as conn:
            closed = store_reports.resolve(conn, kind=row.kind, target=row.target, by=actor, resolution="dismissed")
            if not closed:  # another moderator closed them in between
                raise CommunityError(f"report {report_id} is closed already")
            said = store_reports.summary(closed)
            modlog.record(conn, actor=actor, action="dismiss-reports", target=f"{row.kind} {row.target}",
                          reason=f"{reason}; {said}" if reason else said)  # fmt: skip
    return row.kind, row.target
