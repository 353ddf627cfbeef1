"""Community actions, the same for every surface: vote, comment, submit, moderation (collections:
``collections``).

Each takes the store (and the settings where it looks a paper up on arXiv), the acting user and plain
values, and answers with store views. ``NotFound`` means an unknown or hidden paper, comment or user;
refused input raises the store's ``CommunityError``. Surfaces map those to their own answers
(HTTP 404/400, a flash message, a CLI error line, an MCP tool error). Every write that changes what pages
show is announced to every process (``store.events``), whose page caches then expire.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from ..errors import PaperfeedError, SourceError
from ..ids import parse_arxiv_id
from ..ingest import fetch_arxiv_ids
from ..settings import Settings
from ..store import Store, community, events, modlog
from ..store import papers as store_papers
from ..store import reports as store_reports
from ..store import users as store_users
from ..store.community import CommentView, CommunityError
from ..store.papers import PaperView
from ..store.users import UserView

__all__ = ["ArxivUnavailable", "CommunityError", "NotFound", "NotYours", "SlowDown"]
SUBMISSIONS_PER_HOUR = 10  # per user: each may be a lookup on arXiv
COMMENTS_PER_HOUR = 30  # per user: a person in a lively thread stays under it, a script flooding one does not
ARXIV_LOOKUPS = 1  # at once in this process (each holds a request thread for up to a minute of retries)
_lookups = threading.BoundedSemaphore(ARXIV_LOOKUPS)
HOUR = timedelta(hours=1)


class NotYours(CommunityError):
    """A change the acting user may not make: to what another user owns (a public collection the caller can
    see), or another admin's ban from the web: surfaces answer 403."""


class ArxivUnavailable(CommunityError):
    """arXiv did not answer a lookup, or this process is busy with another: nothing is wrong with the
    request; surfaces answer 503 (retry later)."""


class SlowDown(CommunityError):
    """The user did this too often lately: surfaces answer 429, with ``Retry-After: retry_after``."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def over_quota(conn, key: str, limit: int, said: str, again: str) -> SlowDown | None:
    """Count one more ``key`` against ``limit`` an hour (``store.users.take_quota``); past it, the ``SlowDown``
    to raise: ``said`` (what the user did too often), then in how long they can ``again``."""
    wait = store_users.take_quota(conn, key, limit=limit, window=HOUR)
    if not wait:
        return None
    minutes = -(-wait // 60)
    return SlowDown(f"{said}; you can {again} again in {minutes} minute{'s' if minutes > 1 else ''}", wait)


class NotFound(PaperfeedError):
    """What the action names does not exist here, or is hidden from this user."""


def visible_paper(conn, paper_id: str) -> PaperView:
    """The paper with this id (any arXiv spelling: versions, URLs), unless unknown or hidden."""
    parsed = parse_arxiv_id(paper_id)
    view = store_papers.get_paper(conn, parsed[0] if parsed else paper_id)
    if view is None or view.hidden:
        raise NotFound(f"No paper {paper_id[:80]!r} here")
    return view


def vote(store: Store, user: UserView, paper_id: str, value: int) -> PaperView:
    """Record ``user``'s vote (1 up, 0 none, -1 not interested) and return the paper as it now stands."""
    with store.transaction() as conn:
        view = visible_paper(conn, paper_id)
        community.vote(conn, user_id=user.id, paper_id=view.id, value=value)
    events.publish(store)
    with store.read() as conn:
        return store_papers.get_paper(conn, view.id)  # type: ignore[return-value]


def comment(store: Store, user: UserView, paper_id: str, body: str, parent_id: int | None = None) -> CommentView:
    """Add a comment (or a reply to a visible comment of the same paper) and return it. A user posts at
    most ``COMMENTS_PER_HOUR`` an hour (``SlowDown``); a refused comment does not count."""
    with store.transaction() as conn:
        view = visible_paper(conn, paper_id)
        # counted in this transaction: a comment refused below rolls its count back with it
        said = f"you posted {COMMENTS_PER_HOUR} comments in the last hour, as many as one account may"
        if slow := over_quota(conn, f"comment:{user.id}", COMMENTS_PER_HOUR, said, "post"):
            raise slow
        cid = community.add_comment(conn, user_id=user.id, paper_id=view.id, body=body, parent_id=parent_id)
        made = next(c for c in community.comments_for(conn, view.id) if c.id == cid)
    events.publish(store)
    return made


def delete_comment(store: Store, user: UserView, paper_id: str, comment_id: int) -> None:
    """Delete one of ``user``'s own comments on this paper: its text goes; with replies shown, a "[deleted]"
    placeholder keeps their place. Someone else's comment is ``NotYours`` (admins hide, they do not delete)."""
    with store.transaction() as conn:
        view = visible_paper(conn, paper_id)
        owner = community.comment_owner(conn, comment_id)
        if owner is None or owner[0] != view.id:
            raise NotFound("no such comment")
        if owner[1] != user.id:
            raise NotYours("you can delete only your own comments")
        community.delete_comment(conn, comment_id)
        store_reports.forget_comments(conn, comment_id=comment_id, by=user.username)  # its reports close
    events.publish(store)


def comments(store: Store, paper_id: str) -> list[CommentView]:
    """A paper's thread as everyone sees it (placeholders for removed comments with replies)."""
    with store.read() as conn:
        return community.comments_for(conn, visible_paper(conn, paper_id).id)


def submit(store: Store, settings: Settings, user: UserView, text: str) -> tuple[PaperView, date]:
    """Put an arXiv paper (id or URL) on today's list, looking it up on arXiv if it is new here.

    A user submits at most ``SUBMISSIONS_PER_HOUR`` an hour (``SlowDown``), and a process looks up at most
    ``ARXIV_LOOKUPS`` papers at once (``ArxivUnavailable`` rather than another request thread waiting)."""
    parsed = parse_arxiv_id(text.strip())
    if parsed is None:
        raise CommunityError(f"{text.strip()[:80]!r} is not an arXiv id or URL (e.g. 2401.01234)")
    paper_id = parsed[0]
    with store.read() as conn:
        known = store_papers.get_paper(conn, paper_id)
        if known is not None:  # refused for what is known here: no lookup, nothing listed, nothing counted
            if known.hidden:
                raise CommunityError("this paper cannot be submitted")
            community.check_unlisted(conn, paper_id)
    with store.transaction() as conn:  # what is left puts a paper on a list or asks arXiv: it counts
        said = (f"{SUBMISSIONS_PER_HOUR} submissions an hour is the most one account may make (each paper put "
                "on a list or looked up on arXiv counts)")  # fmt: skip
        slow = over_quota(conn, f"submit:{user.id}", SUBMISSIONS_PER_HOUR, said, "submit")
    if slow:
        raise slow
    if known is None:
        known = _look_up(store, settings, paper_id)
    if known.hidden:
        raise CommunityError("this paper cannot be submitted")
    day = datetime.now(UTC).date()
    with store.transaction() as conn:
        community.submit(conn, paper_id=paper_id, username=user.username, day=day)
        view = store_papers.get_paper(conn, paper_id)
    events.publish(store)
    return view, day  # type: ignore[return-value]


def _look_up(store: Store, settings: Settings, paper_id: str) -> PaperView:
    """Fetch a paper new here from arXiv (one lookup of this process's ``ARXIV_LOOKUPS`` at a time)."""
    if not _lookups.acquire(blocking=False):
        raise ArxivUnavailable("another submission is being looked up on arXiv right now; try again in a minute")
    try:
        fetch_arxiv_ids(store, settings, [paper_id])
    except SourceError as exc:  # the network: the whole reason, without the long query URL
        raise ArxivUnavailable(
            f"arXiv did not answer the lookup of {paper_id} ({exc.message}); try again in a few minutes"
        ) from None
    except PaperfeedError as exc:
        raise CommunityError(f"could not look up {paper_id} on arXiv ({exc})") from None
    finally:
        _lookups.release()
    with store.read() as conn:
        known = store_papers.get_paper(conn, paper_id)
    if known is None:
        raise CommunityError(f"arXiv has no paper {paper_id}")
    return known


# --- moderation (the surfaces check that the acting user is an admin; the CLI's operator is one) ------------
# Each action records itself in the moderation log inside its own transaction: ``actor`` is who did it (an
# admin's username; the CLI's ``cli:<OS user>``), ``reason`` what the moderator said, if anything.


def _paper_id(paper_id: str) -> str:
    """An id as the store keys it, from any arXiv spelling (``arXiv:2410.23775v2``, an abs URL)."""
    parsed = parse_arxiv_id(paper_id)
    return parsed[0] if parsed else paper_id


def _reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > modlog.MAX_REASON:
        raise CommunityError(f"a reason is at most {modlog.MAX_REASON} characters (this one has {len(reason)})")
    return reason or None


def _log(conn, actor: str | None, action: str, target: str, reason: str | None, closed: list[str] = ()) -> None:
    """Record an action; ``closed``: the reasons of the readers' reports it closed, said after the reason."""
    if closed:
        said = "closes " + store_reports.summary(list(closed))
        reason = f"{reason}; {said}" if reason else said
    modlog.record(conn, actor=actor or "unknown", action=action, target=target, reason=reason)


def hide_paper(
    store: Store, paper_id: str, hidden: bool = True, *, actor: str | None = None, reason: str | None = None
) -> None:
    reason, pid = _reason(reason), _paper_id(paper_id)
    with store.transaction() as conn:
        if not community.hide_paper(conn, pid, hidden):
            raise NotFound(f"No paper {paper_id[:80]!r} here")
        # hidden, the paper and its thread are down: their open reports are handled
        closed = store_reports.resolve_paper(conn, pid, by=actor or "unknown") if hidden else []
        _log(conn, actor, "hide-paper" if hidden else "show-paper", pid, reason, closed)
    events.publish(store)


def hide_comment(
    store: Store, comment_id: int, hidden: bool = True, *, actor: str | None = None, reason: str | None = None
) -> None:
    reason = _reason(reason)
    with store.transaction() as conn:
        if not community.hide_comment(conn, comment_id, hidden):
            raise NotFound("no such comment")
        closed = _close_comment_reports(conn, comment_id, actor) if hidden else []
        _log(conn, actor, "hide-comment" if hidden else "show-comment", str(comment_id), reason, closed)
    events.publish(store)


def _close_comment_reports(conn, comment_id: int, actor: str | None) -> list[str]:
    return store_reports.resolve(conn, kind="comment", target=str(comment_id), by=actor or "unknown",
                                 resolution="hidden")  # fmt: skip


def feature(
    store: Store,
    paper_id: str,
    *,
    by: str,
    day: date | None = None,
    actor: str | None = None,
    reason: str | None = None,
) -> tuple[PaperView, date]:
    """An admin's pick: the paper goes on ``day``'s list (today's by default, never a day to come: the
    front page shows the newest list), shown as submitted by ``by`` (logged as ``actor``'s, by default ``by``)."""
    reason = _reason(reason)
    today = datetime.now(UTC).date()
    day = day or today
    if day > today:
        raise CommunityError(f"{day} is after today ({today}, UTC): a pick goes on today's list or an earlier one")
    with store.transaction() as conn:
        view = visible_paper(conn, paper_id)
        community.submit(conn, paper_id=view.id, username=by, day=day, source="admin")
        _log(conn, actor or by, "feature", f"{view.id} on {day}", reason)
    events.publish(store)
    return view, day


def unfeature(
    store: Store, paper_id: str, day: date, *, actor: str | None = None, reason: str | None = None
) -> PaperView:
    """Undo a pick or a submission: the paper leaves ``day``'s list (an imported listing is refused: the
    next import would bring it back; hide the paper instead)."""
    reason = _reason(reason)
    with store.transaction() as conn:
        view = store_papers.get_paper(conn, _paper_id(paper_id))
        if view is None:
            raise NotFound(f"No paper {paper_id[:80]!r} here")
        community.unfeature(conn, view.id, day)
        _log(conn, actor, "unfeature", f"{view.id} on {day}", reason)
    events.publish(store)
    return view


def ban(
    store: Store,
    username: str,
    banned: bool = True,
    *,
    by: UserView | None = None,
    actor: str | None = None,
    reason: str | None = None,
    hide_comments: bool = False,
) -> tuple[UserView, list[int]]:
    """Ban (or unban) a user: their sessions end at once. An admin cannot ban themselves, nor (``by``: from
    the web) another admin or lift an admin's ban: that is the shell's (``NotYours``). ``hide_comments``
    (with a ban) hides every comment of theirs still shown, each logged; answers the user and those ids.
    Unbanning shows nothing again: a moderator unhides what was not spam one by one."""
    reason = _reason(reason)
    if hide_comments and not banned:
        raise CommunityError("hiding a user's comments goes with a ban, not with lifting one")
    actor = actor or (by.username if by else None)
    with store.transaction() as conn:
        target = store_users.get_user_by_name(conn, username)
        if target is None:
            raise NotFound(f"No user {username[:40]!r}")
        if by is not None and target.id == by.id:
            raise CommunityError("you cannot ban yourself")
        if by is not None and target.is_admin:
            raise NotYours(f"{target.username} is an admin: an admin's ban is set or lifted from the shell on the "
                           f"server ('paperfeed admin ban {target.username}'), not from the web")  # fmt: skip
        store_users.set_banned(conn, target.id, banned)
        _log(conn, actor, "ban" if banned else "unban", target.username, reason)
        hidden = community.hide_comments_of(conn, target.id) if hide_comments else []
        why = f"with the ban of {target.username}" + (f": {reason}" if reason else "")
        for cid in hidden:
            _log(conn, actor, "hide-comment", str(cid), why, _close_comment_reports(conn, cid, actor))
    events.publish(store)  # their votes stop (or start again) counting, their comments may have gone
    return target, hidden


def set_admin(
    store: Store, username: str, admin: bool = True, *, actor: str | None = None, reason: str | None = None
) -> UserView:
    """Make a user an administrator (or take it away)."""
    reason = _reason(reason)
    with store.transaction() as conn:
        target = store_users.get_user_by_name(conn, username)
        if target is None:
            raise NotFound(f"No user {username[:40]!r}")
        store_users.set_admin(conn, target.id, admin)
        _log(conn, actor, "set-admin" if admin else "unset-admin", target.username, reason)
    return target


def moderation_log(store: Store, *, limit: int = 50, offset: int = 0) -> tuple[list[modlog.Entry], int]:
    """A page of the moderation log, newest first, and how many entries it holds in all."""
    with store.read() as conn:
        return modlog.entries(conn, limit=limit, offset=offset), modlog.count(conn)


def hidden(store: Store) -> tuple[list[tuple[str, str]], list[community.HiddenComment]]:
    """What moderators hid and is still hidden: papers ``(id, title)`` and comments."""
    with store.read() as conn:
        return community.hidden_papers(conn), community.hidden_comments(conn)
