"""``paperfeed admin``'s account commands: create-user, set-password, delete-user, set-admin (the same
rules as sign-up, the settings page and the web's admin buttons). Registered on ``admin``'s app, after its
moderation commands."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PaperfeedError
from . import console, settings_of
from .admin import Reason, _actor, _store, app

if TYPE_CHECKING:
    from ..store import Store


def _user(conn, username: str):
    from ..store import users as store_users

    user = store_users.get_user_by_name(conn, username)
    if user is None:
        raise PaperfeedError(f"no user {username!r}")
    return user


def _password(*, from_stdin: bool, twice: bool = False) -> str:
    """A password: a line of stdin, or asked at the terminal without echo (``twice``: typed again, and two
    that differ change nothing). Without a terminal (cron, ``docker exec`` without -t) it says to use
    --password-stdin, rather than echo it. Never an argument: argv is visible to every local user (ps)."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise PaperfeedError("no password on stdin: --password-stdin reads one line (e.g. from a pipe)")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise PaperfeedError("no terminal to ask the password at: pipe it in with --password-stdin")
    password = getpass.getpass("Password: ")
    if twice and getpass.getpass("The same password again: ") != password:
        raise PaperfeedError("the two passwords differ: nothing changed")
    return password


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
        hashed = hash_password(password, settings_of(ctx))
    except ValueError as exc:
        raise PaperfeedError(str(exc)) from None
    store = _store(ctx)
    with store.transaction() as conn:
        user = store_users.create_user(
            conn, username=username, password_hash=hashed, email=email, is_admin=admin, email_confirmed=True
        )
    console.print(f"created {'admin ' if admin else ''}user [bold]{user.username}[/]", highlight=False)


@app.command("set-password")
def set_password(
    ctx: typer.Context,
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    reason: Reason = None,
) -> None:
    """Set a reader's password, for one who cannot reset it by mail (asked twice, or --password-stdin).

    The sign-up rules apply. Every session of the account ends (its API tokens keep working); a confirmed
    address is told by mail (retried from the outbox if the SMTP server is down). Recorded in the
    moderation log."""
    from ..actions import accounts as actions

    store, settings = _store(ctx), settings_of(ctx)
    with store.read() as conn:
        user = _user(conn, username)  # before the password is asked for
    password = _password(from_stdin=password_stdin, twice=True)
    try:
        done = actions.set_user_password(store, settings, user.username, password, actor=_actor(), reason=reason)
    except ValueError as exc:
        raise PaperfeedError(str(exc)) from None
    console.print(f"set the password of [bold]{done.user.username}[/]; every session of the account ended",
                  highlight=False)  # fmt: skip
    if done.notice is not None:
        console.print(_notice_sent(store, settings, done.notice), highlight=False, markup=False)


def _notice_sent(store: Store, settings, row_id: int) -> str:
    """Send the "your password was changed" mail now, as the web does after its answer; say how it went."""
    from ..mail.send import deliver

    try:
        report = deliver(store, settings, ids=[row_id], wait=0)
    except Exception as exc:  # the outbox keeps it either way
        error = str(exc) or type(exc).__name__
    else:
        if report.sent:
            return "its confirmed address was told by mail"
        error = report.error or ("another sender is delivering the outbox" if report.locked else "not sent yet")
    return (f"the mail that tells its confirmed address waits in the outbox ({error}): `paperfeed digest "
            "deliver` or the server's scheduler sends it")  # fmt: skip


@app.command("delete-user")
def delete_user(
    ctx: typer.Context,
    username: str,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking to confirm.")] = False,
    reason: Reason = None,
) -> None:
    """Delete an account for good, as its owner can on their settings page (asks first, unless --yes).

    Its sessions and API tokens stop working at once; its votes, collections, follows, subscriptions and
    unsent mail go; its comments become placeholders that say "deleted", so that replies keep their place.
    The username stays reserved: no new account takes it. Recorded in the moderation log."""
    from ..actions import accounts as actions

    store = _store(ctx)
    with store.read() as conn:
        user = _user(conn, username)
    if not yes:
        if not sys.stdin.isatty():
            raise PaperfeedError(f"no terminal to confirm at: add --yes to delete {user.username} without asking")
        if not typer.confirm(f"Delete the account {user.username} and everything it holds, for good?"):
            console.print("Nothing deleted.")
            raise typer.Exit(1)
    gone = actions.delete_user(store, user.username, actor=_actor(), reason=reason)
    console.print(
        f"deleted user [bold]{gone.username}[/]: {gone.votes} votes, {gone.collections} collections, {gone.tokens} "
        f"API tokens, {gone.subscriptions} subscriptions and {gone.mails} unsent mails removed; {gone.comments} "
        'comments left as "\\[deleted]"',
        highlight=False,
    )


@app.command("set-admin")
def set_admin(
    ctx: typer.Context,
    username: str,
    revoke: Annotated[bool, typer.Option("--revoke", help="Take admin rights away.")] = False,
    reason: Reason = None,
) -> None:
    """Make a user an administrator (or --revoke)."""
    from ..actions import community as actions

    actions.set_admin(_store(ctx), username, not revoke, actor=_actor(), reason=reason)
    console.print(f"{username} is {'no longer ' if revoke else ''}an admin", highlight=False)
