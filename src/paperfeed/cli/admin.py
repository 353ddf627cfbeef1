"""``paperfeed admin``: moderation from the shell (same rules as the web's admin buttons): bans, hidden papers
and comments, picks, the moderation log, readers' reports. Its account commands are in ``accounts``, on
this app."""

from __future__ import annotations

import getpass
import json
from datetime import UTC
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PaperfeedError
from . import app as root
from . import console, existing_db, settings_of, shown

if TYPE_CHECKING:
    from ..store import Store

app = typer.Typer(
    help="Moderation and accounts: readers' reports, hide papers or comments, ban users, make admins.",
    no_args_is_help=True,
)
root.add_typer(app, name="admin")


def _store(ctx: typer.Context) -> Store:
    from ..store import Store

    return Store.open(existing_db(settings_of(ctx)))


def _actor() -> str:
    """Who the moderation log says acted from the shell: ``cli:<OS user>`` (``cli`` where the OS names none)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry (some containers)
        return "cli"


Reason = Annotated[
    str | None,
    typer.Option("--reason", metavar="TEXT", help="Why, kept in the moderation log (500 characters at most)."),
]


@app.command()
def ban(
    ctx: typer.Context,
    username: str,
    undo: Annotated[bool, typer.Option("--undo", help="Lift the ban (hidden comments stay hidden).")] = False,
    hide_comments: Annotated[
        bool, typer.Option("--hide-comments", help="Also hide every comment of theirs (each one logged).")
    ] = False,
    reason: Reason = None,
) -> None:
    """Ban a user: their sessions end and they can no longer log in, vote or comment.

    --hide-comments takes a spammer's comments down with them. Lifting the ban (--undo) does not show them
    again: unhide the ones that were not spam with `hide-comment ID --undo` (`admin hidden` lists them)."""
    from ..actions import community as actions

    _, hidden = actions.ban(_store(ctx), username, not undo, actor=_actor(), reason=reason, hide_comments=hide_comments)
    said = f"{username} is {'no longer ' if undo else ''}banned"
    if hide_comments:
        said += f"; {len(hidden)} comment{'' if len(hidden) == 1 else 's'} hidden"
    console.print(said, highlight=False)


@app.command("hide-paper")
def hide_paper(
    ctx: typer.Context,
    paper_id: str,
    undo: Annotated[bool, typer.Option("--undo", help="Show it again.")] = False,
    reason: Reason = None,
) -> None:
    """Hide a paper from lists, search and feeds (its votes and comments are kept)."""
    from ..actions import community as actions

    actions.hide_paper(_store(ctx), paper_id, not undo, actor=_actor(), reason=reason)
    console.print(f"paper {paper_id} is {'visible' if undo else 'hidden'}", highlight=False)


@app.command("hide-comment")
def hide_comment(
    ctx: typer.Context,
    comment_id: int,
    undo: Annotated[bool, typer.Option("--undo", help="Show it again.")] = False,
    reason: Reason = None,
) -> None:
    """Hide a comment (admins still see it, marked hidden)."""
    from ..actions import community as actions

    actions.hide_comment(_store(ctx), comment_id, not undo, actor=_actor(), reason=reason)
    console.print(f"comment {comment_id} is {'visible' if undo else 'hidden'}", highlight=False)


@app.command()
def feature(
    ctx: typer.Context,
    paper_id: str,
    day: Annotated[
        str | None, typer.Option("--day", metavar="YYYY-MM-DD", help="Default: today (UTC); not a day to come.")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Shown as the submitter and logged as the moderator. [default: admin]")
    ] = None,
    reason: Reason = None,
) -> None:
    """Put a stored paper on a day's list (an admin pick; `unfeature` undoes it)."""
    from datetime import date, datetime

    from ..actions import community as actions

    try:
        when = date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError:
        raise PaperfeedError(f"--day: not a date: {day!r}") from None
    view, _ = actions.feature(_store(ctx), paper_id, by=by or "admin", day=when, actor=by or _actor(), reason=reason)
    console.print(f"{view.id} is on the list of {when}", highlight=False)


@app.command()
def unfeature(
    ctx: typer.Context,
    paper_id: str,
    day: Annotated[str, typer.Option("--day", metavar="YYYY-MM-DD", help="The list to take it off.")],
    reason: Reason = None,
) -> None:
    """Take a pick or a submission off a day's list (undoes `feature`; an imported listing is refused)."""
    from datetime import date

    from ..actions import community as actions

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise PaperfeedError(f"--day: not a date: {day!r}") from None
    view = actions.unfeature(_store(ctx), paper_id, when, actor=_actor(), reason=reason)
    console.print(f"{view.id} is off the list of {when}", highlight=False)


@app.command("log")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many entries.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The moderation log, newest first: when, who, what, to which paper, comment or user, and why."""
    from rich.table import Table

    from ..actions import community as actions

    found, total = actions.moderation_log(_store(ctx), limit=limit)
    if as_json:
        typer.echo(json.dumps([e.as_dict() for e in found]))
        return
    if not found:
        console.print("The moderation log is empty.")
        return
    table = Table("when (UTC)", "who", "action", "target", "reason", title=f"{len(found)} of {total} entries")
    for e in found:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", shown(e.actor), e.action, shown(e.target), shown(e.reason or ""))
    console.print(table, highlight=False)


@app.command("hidden")
def hidden(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """What is hidden now: papers (`hide-paper ID --undo` shows one) and comments (`hide-comment ID --undo`)."""
    from rich.table import Table

    from ..actions import community as actions

    papers, comments = actions.hidden(_store(ctx))
    if as_json:
        typer.echo(json.dumps({
            "papers": [{"id": pid, "title": title} for pid, title in papers],
            "comments": [{"id": c.id, "paper_id": c.paper_id, "author": c.username, "body": c.body,
                          "created_at": c.created_at.isoformat()} for c in comments],
        }))  # fmt: skip
        return
    if not papers and not comments:
        console.print("Nothing is hidden.")
        return
    if papers:
        table = Table("paper", "title", title=f"{len(papers)} hidden paper{'' if len(papers) == 1 else 's'}")
        for pid, title in papers:
            table.add_row(shown(pid), shown(title))
        console.print(table, highlight=False)
    if comments:
        table = Table("comment", "paper", "author", "begins", title=f"{len(comments)} hidden comment"
                      f"{'' if len(comments) == 1 else 's'}")  # fmt: skip
        for c in comments:
            table.add_row(str(c.id), shown(c.paper_id), shown(c.username), _first_words(c.body))
        console.print(table, highlight=False)


@app.command("reports")
def reports(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many items a page.")] = 100,
    page: Annotated[int, typer.Option("--page", min=1, help="Which page of them (the newest first).")] = 1,
    reporter: Annotated[
        str | None, typer.Option("--reporter", metavar="USERNAME", help="Only the items this reader reported.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Readers' open reports, by item, the newest first: `resolve ID --hide|--dismiss` handles one,
    `dismiss-reporter USERNAME` every open report of one reader (a flood)."""
    from rich.table import Table

    from ..actions import reports as actions

    store = _store(ctx)
    who = actions.reporter(store, username=reporter)[0] if reporter is not None else None
    groups, total = actions.queue(store, limit=limit, offset=(page - 1) * limit, reporter=who)
    if as_json:
        typer.echo(json.dumps([g.as_dict() for g in groups]))
        return
    if not groups:
        console.print(f"No open reports{' on this page' if total else ''}{f' from {reporter}' if who else ''}.",
                      highlight=False, markup=False)  # fmt: skip
        return
    pages = -(-total // limit)
    title = f"{len(groups)} of {total} reported items" + (f", page {page} of {pages}" if pages > 1 else "")
    table = Table("id", "item", "by", "reasons", "what", title=shown(title + (f" from {reporter}" if who else "")))
    for g in groups:
        item = f"paper {g.target}" if g.kind == "paper" else f"comment {g.target} on {g.paper_id}"
        if g.kind == "paper":
            what = shown(g.title)
        else:
            what = shown(f"{g.author}: ") + _first_words(g.text)
            if g.reported_text is not None:
                what += shown("\nedited since reported; it said: ", "bold") + _first_words(g.reported_text)
        reasons = ", ".join(f"{r} ×{n}" if n > 1 else r for r, n in g.reasons.items())
        table.add_row(str(g.id), shown(item), str(len(g.reporters)), reasons, what)
    console.print(table, highlight=False)
    if pages > page:
        console.print(f"more: --page {page + 1}", highlight=False, markup=False)


@app.command("dismiss-reporter")
def dismiss_reporter(ctx: typer.Context, username: str, reason: Reason = None) -> None:
    """Dismiss every open report one reader filed (a flood of them); others' reports of the same items stay.
    Logged as dismiss-reporter. `ban USERNAME` stops them reporting."""
    from ..actions import reports as actions

    store = _store(ctx)
    user_id, _ = actions.reporter(store, username=username)
    n = actions.dismiss_from(store, user_id, actor=_actor(), reason=reason)
    console.print(shown(f"{n} open report{'' if n == 1 else 's'} from {username} dismissed"), highlight=False)


@app.command("resolve")
def resolve(
    ctx: typer.Context,
    report_id: Annotated[int, typer.Argument(metavar="ID", help="A report's id (`admin reports` lists them).")],
    hide: Annotated[bool, typer.Option("--hide", help="Hide the reported paper or comment.")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="Dismiss the reports; the item stays.")] = False,
    reason: Reason = None,
) -> None:
    """Close a report and every other open report of its item: --hide the item, or --dismiss the reports."""
    from ..actions import reports as actions

    if hide == dismiss:
        raise PaperfeedError("say what to do: --hide (the item) or --dismiss (the reports)")
    kind, target = actions.resolve(_store(ctx), report_id, hide=hide, actor=_actor(), reason=reason)
    console.print(f"{kind} {target} is hidden; its reports are closed" if hide else
                  f"the reports of {kind} {target} are dismissed", highlight=False)  # fmt: skip


def _first_words(body: str, limit: int = 60):
    """The start of a comment, on one line, as the terminal shows it (``shown``: literally)."""
    flat = " ".join(body.split())
    return shown(flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…")
