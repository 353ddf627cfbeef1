"""``paperfeed digest preview | send | deliver | status``: email digests from the command line or cron.

    paperfeed digest preview --email me@example.org [--html]   what that subscriber would get now
    paperfeed digest send [--frequency daily|weekly] [--dry-run]   compose what is due, then deliver
    paperfeed digest deliver                                  only send what waits in the outbox
    paperfeed digest status                                   outbox and subscriber counts, problems

``send`` without ``--frequency`` composes what is due today (daily on weekdays, weekly on
``weekly_day``); it is safe to run twice (one digest per subscriber per day). Exit code 1 when a
delivery run stopped early (the SMTP server unreachable) or messages failed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..errors import PaperfeedError
from . import app as root
from . import console, err_console, existing_db, settings_of
from .progress import bar

if TYPE_CHECKING:
    from ..store import Store

app = typer.Typer(help="Email digests: preview, compose and send, deliver the outbox, status.", no_args_is_help=True)
root.add_typer(app, name="digest")

Frequency = Annotated[
    str | None, typer.Option("--frequency", "-f", help="daily or weekly (default: what is due today).")
]


def _freqs(frequency: str | None) -> tuple[str, ...] | None:
    from ..store import subscriptions as subs

    if frequency is None:
        return None
    if frequency not in subs.FREQUENCIES:
        raise PaperfeedError(f"--frequency is daily or weekly, not {frequency!r}")
    return (frequency,)


def _now(at: str | None) -> datetime:
    if not at:
        return datetime.now(UTC)
    try:
        t = datetime.fromisoformat(at)
    except ValueError:
        raise PaperfeedError(f"--at: not a date/time: {at!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


At = Annotated[str | None, typer.Option("--at", help="Compose as of this UTC time (tests, archives).", hidden=True)]


@app.command()
def preview(
    ctx: typer.Context,
    email: Annotated[str, typer.Option("--email", "-e", help="The subscriber's address.")],
    html: Annotated[bool, typer.Option("--html", help="Print the HTML part instead of the text.")] = False,
    raw: Annotated[bool, typer.Option("--raw", help="Print the whole MIME message.")] = False,
    frequency: Frequency = None,
    at: At = None,
) -> None:
    """Print what a subscriber would get now, without queueing anything."""
    from email import message_from_string
    from email.policy import default

    from ..mail.compose import preview as compose_preview
    from ..store import Store

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    try:
        digest, why, built = compose_preview(store, settings, email, now=_now(at), frequencies=_freqs(frequency))
    finally:
        store.close()
    if built is None:
        raise PaperfeedError(why)
    if raw:
        typer.echo(built.text.replace("\r\n", "\n"))
        return
    msg = message_from_string(built.text, policy=default)
    part = msg.get_body(("html",) if html else ("plain",))
    if not html:
        typer.echo(f"Subject: {msg['Subject']}\nTo: {msg['To']}\n")
    typer.echo(part.get_content())


@app.command()
def send(
    ctx: typer.Context,
    frequency: Frequency = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Compose and count, queue and send nothing.")] = False,
    no_deliver: Annotated[bool, typer.Option("--no-deliver", help="Queue only; `digest deliver` sends.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    at: At = None,
) -> None:
    """Compose the digests due now into the outbox, then deliver them."""
    from ..mail.compose import compose_all
    from ..store import Store
    from ..store import subscriptions as subs

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    _warn_links(settings)
    with store.read() as conn:
        n = subs.status_counts(conn)["active"]
    with bar(err_console, unit="subscribers", total_known=True) as progress:
        task = progress.add_task("composing", total=n)
        report = compose_all(
            store, settings, now=_now(at), frequencies=_freqs(frequency), dry_run=dry_run,
            progress=lambda k: progress.advance(task, k),
        )  # fmt: skip
    summary = {
        "frequencies": list(report.frequencies),
        "subscribers": report.subscribers,
        "due": report.due,
        "queued" if not dry_run else "would_queue": report.queued,
        "already_queued": report.already_queued,
        "skipped_nothing_new": report.nothing_new,
        "skipped_empty": report.empty,
        "papers": report.papers,
        "seconds": round(report.seconds, 2),
    }
    delivered = None
    if not dry_run and not no_deliver:
        delivered = _deliver(store, settings)
        summary["delivery"] = delivered
    store.close()
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        if not report.frequencies:
            console.print("nothing is due today (no daily digests at weekends; weekly ones go out on "
                          f"{settings.weekly_day})", highlight=False)  # fmt: skip
        verb = "would queue" if dry_run else "queued"
        console.print(
            f"{verb} {report.queued:,} digest{'s' if report.queued != 1 else ''} "
            f"({', '.join(report.frequencies) or 'none due'}) for {report.subscribers:,} active subscribers: "
            f"{report.papers:,} papers; skipped {report.nothing_new:,} (nothing new), {report.empty:,} (empty), "
            f"{report.already_queued:,} already queued today; {report.seconds:.1f} s",
            highlight=False,
        )
        if delivered:
            _print_delivery(delivered)
    if delivered and (delivered["error"] or delivered["failed"]):
        raise typer.Exit(1)


def _warn_links(settings) -> None:
    """Once a run: links in the mails that lead nowhere useful (base_url unset, loopback, not https)."""
    from ..mail.tokens import link_warning

    warning = link_warning(settings)
    if warning:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def _deliver(store: Store, settings) -> dict:
    from ..mail.send import deliver
    from ..store import outbox as store_outbox

    with store.read() as conn:
        waiting = store_outbox.counts(conn)["pending"]
    with bar(err_console, unit="messages", total_known=True) as progress:
        task = progress.add_task("sending", total=waiting)
        r = deliver(store, settings, progress=lambda k: progress.advance(task, k))
    return {
        "sent": r.sent, "retry": r.retry, "failed": r.failed, "cancelled": r.cancelled, "bouncing": r.bouncing,
        "requeued": r.requeued, "unconfirmed": r.unconfirmed, "locked": r.locked, "error": r.error,
        "waiting": r.waiting, "next_try": r.next_try.isoformat() if r.next_try else None, "last_error": r.last_error,
    }  # fmt: skip


def _print_delivery(d: dict) -> None:
    if d["locked"]:
        console.print("another sender is delivering the outbox right now; nothing done", highlight=False)
        return
    console.print(
        f"sent {d['sent']:,}, {d['retry']:,} to retry later, {d['failed']:,} failed, {d['cancelled']:,} cancelled",
        highlight=False,
    )
    if d["requeued"]:
        console.print(f"{d['requeued']} message(s) interrupted before handover were sent again", highlight=False)
    if d["unconfirmed"]:
        err_console.print(
            f"[yellow]warning:[/] {len(d['unconfirmed'])} message(s) were handed to the SMTP server by a sender "
            f"that stopped before the server's answer (ids {', '.join(map(str, d['unconfirmed'][:20]))}); "
            "they are not sent again: see `paperfeed digest status`",
            highlight=False,
        )
    if d["bouncing"]:
        console.print(f"now bouncing (no more mail): {', '.join(d['bouncing'])}", highlight=False)
    if d["error"]:
        err_console.print(f"[bold red]stopped:[/] {d['error']} (the rest stays queued)", highlight=False)
    if d["waiting"]:
        console.print(_waiting(d), highlight=False, soft_wrap=True)


def _waiting(d: dict) -> str:
    """What waits: '3 messages wait in the outbox: the next try is at ... UTC (in 5 minutes); last error: ...'."""
    n, at = d["waiting"], datetime.fromisoformat(d["next_try"])
    seconds = (at - datetime.now(UTC)).total_seconds()
    if seconds <= 0:
        when = "due now (the next run sends it)" if n == 1 else "due now (the next run sends them)"
    else:
        minutes = -(-int(seconds) // 60)
        when = f"at {at:%Y-%m-%d %H:%M} UTC (in {minutes} minute{'s' if minutes != 1 else ''})"
    text = f"{n:,} message{' waits' if n == 1 else 's wait'} in the outbox: the next try is {when}"
    return text + (f"; last error: {d['last_error']}" if d["last_error"] else "")


@app.command()
def deliver(
    ctx: typer.Context,
    retry_unconfirmed: Annotated[
        bool,
        typer.Option("--retry-unconfirmed", help="Queue unconfirmed messages again first (check the SMTP log!)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Send what waits in the outbox (for cron: every minute)."""
    from ..store import Store
    from ..store import outbox as store_outbox

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    _warn_links(settings)
    if retry_unconfirmed:
        with store.transaction() as conn:
            n = store_outbox.retry_unconfirmed(conn)
        console.print(f"{n} unconfirmed message(s) queued again", highlight=False)
    d = _deliver(store, settings)
    store.close()
    if as_json:
        typer.echo(json.dumps(d))
    else:
        _print_delivery(d)
    if d["error"] or d["failed"]:
        raise typer.Exit(1)


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Outbox and subscriber counts; the unconfirmed and failed messages."""
    from ..store import Store
    from ..store import outbox as store_outbox
    from ..store import subscriptions as subs

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    with store.read() as conn:
        out = store_outbox.counts(conn)
        people = subs.status_counts(conn)
        problems = store_outbox.problems(conn)
    store.close()
    if as_json:
        rows = [
            {"id": p.id, "status": p.status, "to": p.to_addr, "subject": p.subject, "error": p.last_error}
            for p in problems
        ]
        typer.echo(json.dumps({"outbox": out, "subscribers": people, "problems": rows}))
        return
    table = Table(title="outbox", show_header=False)
    for k, v in out.items():
        table.add_row(k, f"{v:,}")
    console.print(table)
    table = Table(title="subscribers", show_header=False)
    for k, v in people.items():
        table.add_row(k, f"{v:,}")
    console.print(table)
    if problems:
        table = Table("id", "status", "to", "subject", "why", title="unconfirmed and failed messages")
        for p in problems:
            table.add_row(str(p.id), p.status, p.to_addr, p.subject, p.last_error or "")
        console.print(table)
        if out["unconfirmed"]:
            console.print(
                "unconfirmed: a sender stopped after handing the message to the SMTP server and before its "
                "answer. Check the server's log; `paperfeed digest deliver --retry-unconfirmed` sends them again.",
                highlight=False,
            )
