"""``paperfeed admin``: moderation and accounts from the shell (same rules as the web's admin buttons)."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PaperfeedError
from . import app as root
from . import console, existing_db, settings_of

if TYPE_CHECKING:
    from ..store import Store

app = typer.Typer(
    help="Moderation and accounts: hide papers or comments, ban users, make admins.", no_args_is_help=True
)
root.add_typer(app, name="admin")


def _store(ctx: typer.Context) -> Store:
    from ..store import Store

    return Store.open(existing_db(settings_of(ctx)))


def _user(conn, username: str):
    from ..store import users as store_users

    user = store_users.get_user_by_name(conn, username)
    if user is None:
        raise PaperfeedError(f"no user {username!r}")
    return user


def _password(*, from_stdin: bool) -> str:
    """The new account's password: a line of stdin, or asked at the terminal without echo. Without a
    terminal (cron, ``docker exec`` without -t) it says to use --password-stdin, rather than echo it."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise PaperfeedError("no password on stdin: --password-stdin reads one line (e.g. from a pipe)")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise PaperfeedError("no terminal to ask the password at: pipe it in with --password-stdin")
    return getpass.getpass("Password: ")


@app.command("create-user")
def create_user(
    ctx: typer.Context,
    username: str,
    email: Annotated[
        str | None, typer.Option(help="Email address, taken as confirmed: you vouch that it is the user's.")
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an administrator.")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create an account (asks for the password unless --password-stdin)."""
    from ..store import users as store_users
    from ..store.passwords import hash_password

    password = _password(from_stdin=password_stdin)
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise PaperfeedError(str(exc)) from None
    store = _store(ctx)
    with store.transaction() as conn:
        user = store_users.create_user(
            conn, username=username, password_hash=hashed, email=email, is_admin=admin, email_confirmed=True
        )
    console.print(f"created {'admin ' if admin else ''}user [bold]{user.username}[/]", highlight=False)


@app.command("set-admin")
def set_admin(
    ctx: typer.Context,
    username: str,
    revoke: Annotated[bool, typer.Option("--revoke", help="Take admin rights away.")] = False,
) -> None:
    """Make a user an administrator (or --revoke)."""
    from ..store import users as store_users

    with _store(ctx).transaction() as conn:
        store_users.set_admin(conn, _user(conn, username).id, not revoke)
    console.print(f"{username} is {'no longer ' if revoke else ''}an admin", highlight=False)


@app.command()
def ban(
    ctx: typer.Context, username: str, undo: Annotated[bool, typer.Option("--undo", help="Lift the ban.")] = False
) -> None:
    """Ban a user: their sessions end and they can no longer log in, vote or comment."""
    from ..actions import community as actions

    actions.ban(_store(ctx), username, not undo)
    console.print(f"{username} is {'no longer ' if undo else ''}banned", highlight=False)


@app.command("hide-paper")
def hide_paper(
    ctx: typer.Context, paper_id: str, undo: Annotated[bool, typer.Option("--undo", help="Show it again.")] = False
) -> None:
    """Hide a paper from lists, search and feeds (its votes and comments are kept)."""
    from ..actions import community as actions

    actions.hide_paper(_store(ctx), paper_id, not undo)
    console.print(f"paper {paper_id} is {'visible' if undo else 'hidden'}", highlight=False)


@app.command("hide-comment")
def hide_comment(
    ctx: typer.Context, comment_id: int, undo: Annotated[bool, typer.Option("--undo", help="Show it again.")] = False
) -> None:
    """Hide a comment (admins still see it, marked hidden)."""
    from ..actions import community as actions

    actions.hide_comment(_store(ctx), comment_id, not undo)
    console.print(f"comment {comment_id} is {'visible' if undo else 'hidden'}", highlight=False)


@app.command()
def feature(
    ctx: typer.Context,
    paper_id: str,
    day: Annotated[
        str | None, typer.Option("--day", metavar="YYYY-MM-DD", help="Default: today (UTC); not a day to come.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Shown as the submitter.")] = "admin",
) -> None:
    """Put a stored paper on a day's list (an admin pick; `unfeature` undoes it)."""
    from datetime import date, datetime

    from ..actions import community as actions

    try:
        when = date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError:
        raise PaperfeedError(f"--day: not a date: {day!r}") from None
    view, _ = actions.feature(_store(ctx), paper_id, by=by, day=when)
    console.print(f"{view.id} is on the list of {when}", highlight=False)


@app.command()
def unfeature(
    ctx: typer.Context,
    paper_id: str,
    day: Annotated[str, typer.Option("--day", metavar="YYYY-MM-DD", help="The list to take it off.")],
) -> None:
    """Take a pick or a submission off a day's list (undoes `feature`; an imported listing is refused)."""
    from datetime import date

    from ..actions import community as actions

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise PaperfeedError(f"--day: not a date: {day!r}") from None
    view = actions.unfeature(_store(ctx), paper_id, when)
    console.print(f"{view.id} is off the list of {when}", highlight=False)
