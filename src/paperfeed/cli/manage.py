"""``paperfeed init | stats | demo | serve | mcp | settings``: the database and the servers."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.table import Table

from .. import logs
from ..settings import Settings
from . import app, console, err_console, existing_db, settings_of
from .imports import report
from .progress import bar

DEMO_FILE = "demo.jsonl.gz"
log = logging.getLogger(__name__)

PORT = typer.Option(help="Port to listen on (default: the port setting, 8000).", min=1, max=65535)


def demo_path() -> Path:
    return Path(str(resources.files("paperfeed") / "data" / DEMO_FILE))


@app.command()
def init(ctx: typer.Context) -> None:
    """Create (or upgrade) the database. Safe to run again."""
    from ..store import Store
    from ..store.db import current_revision

    settings = settings_of(ctx)
    store = Store.open(settings.db_url)
    console.print(
        f"database ready: [bold]{store.engine.url.render_as_string(hide_password=True)}[/] "
        f"(schema {current_revision(store.engine)})",
        highlight=False,
    )
    store.close()


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object.")] = False,
) -> None:
    """Counts of what the database holds."""
    from ..index.embed import model_key
    from ..store import Store
    from ..store import days as store_days
    from ..store import papers as store_papers
    from ..store import vectors as store_vectors

    store = Store.open(existing_db(settings_of(ctx)))
    with store.read() as conn:
        counts = store_papers.counts(conn)
        days = store_days.featured_days(conn)
        # what `paperfeed index` still has to embed: those papers are found by words only until then
        counts["not_embedded"] = store_vectors.count_to_embed(conn, model_key(settings_of(ctx).embed_model))
        counts["embedded"] = store_papers.count_visible(conn) - counts["not_embedded"]
    store.close()
    if as_json:
        typer.echo(json.dumps(counts))
        return
    table = Table(title="paperfeed", show_header=False)
    for k, v in counts.items():
        table.add_row(k.replace("_", " "), f"{v:,}")
    if days:
        table.add_row("featured from", f"{days[-1]} to {days[0]}")
    console.print(table)


def load_demo(settings: Settings) -> None:
    """The demo papers, then their shipped vectors and keyphrases, then the indexes built from them.

    The sentences of faceted similar papers are not shipped (about 10 MB): ``demo`` embeds them in the
    background once it serves (``index_sentences_later``)."""
    from ..index import bundled, job
    from ..index.embed import model_key
    from ..ingest import import_items
    from ..sources import files
    from ..store import Store

    store = Store.open(settings.db_url)
    with bar(err_console) as progress:
        task = progress.add_task("demo papers", total=None)
        result = import_items(store, files.read(demo_path()), progress=lambda n: progress.advance(task, n))
    report("demo data", result, as_json=False)
    shipped = demo_path().with_name(bundled.DEMO_INDEX)
    if shipped.exists():
        used = bundled.load(store, shipped, model_key(settings.embed_model))
        job.run(store, settings, sentences=False)
        console.print(f"demo index: {used:,} shipped vectors and keyphrases loaded; search indexes up to date")
    store.close()


def index_sentences_later(settings: Settings) -> threading.Thread | None:
    """Label and embed the papers' sentences (faceted similar papers) in a background thread while the
    server starts: a few minutes for the demo on 2 cores; the facet tabs sharpen as they land."""
    from ..store import Store

    if not settings.index_sentences:
        return None

    def work() -> None:
        from ..index import job

        store = Store.open(settings.db_url, upgrade=False)
        try:
            report = job.run(store, settings, keywords=False, summaries=False)
            log.info("demo: sentences of %s papers indexed for faceted similar papers", report.sentences)
        except Exception:
            log.exception("demo: indexing sentences failed (faceted similar papers use whole-paper scores)")
        finally:
            store.close()

    thread = threading.Thread(target=work, name="demo-sentences", daemon=True)
    thread.start()
    return thread


@app.command()
def demo(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, PORT] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load the demo data and exit.")] = False,
) -> None:
    """Load the bundled demo papers (idempotent) and serve them."""
    settings = settings_of(ctx)
    load_demo(settings)
    if not no_serve:
        index_sentences_later(settings)
        serve_app(settings, host or settings.host, port or settings.port, workers=1)


def _share_metrics(settings: Settings) -> None:
    """Each process of ``serve --workers N`` (the workers and this one, which runs the scheduler) counts in
    its own files under the data dir's ``metrics``; /metrics adds them up (docs/operations.md). It must run
    before prometheus_client is imported: the library picks file-backed values at import time."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    metrics_dir = settings.data_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)


def serve_app(settings: Settings, host: str, port: int, *, workers: int, scheduler: bool = True) -> None:
    if workers > 1:
        _share_metrics(settings)
    import uvicorn

    from ..app import create_app
    from ..store import Store

    logs.configure(settings.log_level, settings.log_format)
    listening = None
    if "base_url" not in settings.model_fields_set:  # links in mail, feeds and MCP answers lead here
        shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        shown = f"[{shown}]" if ":" in shown else shown
        listening = f"http://{shown}:{port}"
    _warn_mail_links(settings, host, listening)
    if listening:
        settings = settings.model_copy(update={"base_url": listening})
    Store.open(settings.db_url).close()  # create or migrate before the first request
    sched = None
    if scheduler and settings.schedule:  # in this (the parent) process only: each job runs once
        from ..scheduler import start as start_scheduler

        sched = start_scheduler(settings)
    console.print(
        f"serving paperfeed at [bold link=http://{host}:{port}/]http://{host}:{port}/[/] (Ctrl+C to stop)",
        highlight=False,
    )
    if workers > 1:
        # each worker process builds its own app from the environment: pass on every setting in force
        for name in settings.model_fields_set | {"data_dir"}:
            value = getattr(settings, name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if isinstance(value, list | dict):
                value = json.dumps(value)
            if value is not None:
                os.environ[f"PAPERFEED_{name.upper()}"] = str(value)
        os.environ["PAPERFEED_DATABASE_URL"] = settings.db_url
        os.environ["PAPERFEED_SECRET_KEY"] = settings.signing_key()
    try:
        if workers > 1:
            _run_workers(host, port, workers)
        else:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    finally:
        if sched is not None:
            sched.shutdown(wait=False)


def _warn_mail_links(settings: Settings, host: str, listening: str | None) -> None:
    """Say once, at start, when links in mails would lead nowhere useful, if mail may go out: the operator
    set up mail, or others reach this server (its subscribe form mails confirmations)."""
    from ..mail import tokens

    reached = host in ("", "0.0.0.0", "::") or not tokens.is_loopback(host)
    warning = tokens.link_warning(settings, url=listening) if reached or tokens.mail_configured(settings) else None
    if warning:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


def _run_workers(host: str, port: int, workers: int) -> None:
    """uvicorn's multi-worker mode, each worker listening on a socket of its own (Linux, a fixed port).

    With uvicorn's one shared socket, whichever worker wakes first accepts a connection, and a crawler's
    kept-alive connections can all land on one worker while the other idles (docs/benchmarks.md, crawl
    run 4). Sockets bound with ``SO_REUSEPORT`` are spread over by the kernel instead. Elsewhere the
    workers share one socket, re-wrapped so that it reads its protocol back: uvicorn binds it as
    ``socket.socket(family)``, whose ``proto`` reads 0, and asyncio only sets TCP_NODELAY on sockets that
    say they are TCP (without it Nagle meets delayed ACKs and every kept-alive response waits ~40 ms).
    """
    import socket

    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config("paperfeed.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")  # fmt: skip
    if sys.platform.startswith("linux") and port and hasattr(socket, "SO_REUSEPORT"):

        class SpreadWorkers(Multiprocess):
            """uvicorn's supervisor (signals, restarts), handing each worker it starts a socket of its own."""

            @property
            def sockets(self) -> list:  # read once for each worker the supervisor starts, just before
                sock = _bind_reuseport(host, port)
                # the started worker holds its own copy: the supervisor's is closed, so that the socket dies
                # with its worker and the kernel stops handing it connections
                closer = threading.Timer(2.0, sock.close)  # start() hands the worker its copy at once
                closer.daemon = True
                closer.start()
                return [sock]

            @sockets.setter
            def sockets(self, value) -> None:
                pass

        _bind_reuseport(host, port, alone=True).close()  # an error if any server listens there, ours too
        SpreadWorkers(config, sockets=[]).run()
        return
    sock = config.bind_socket()
    sock = socket.socket(fileno=sock.detach())
    Multiprocess(config, sockets=[sock]).run()


def _bind_reuseport(host: str, port: int, *, alone: bool = False):
    """A TCP socket bound to ``host:port`` with ``SO_REUSEPORT``: one of a group the kernel spreads
    connections over (``alone``: without it, to find out whether another server listens there)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if not alone:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SystemExit(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, PORT] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (use >1 with PostgreSQL).")] = 1,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="Do not run the digest/ingest scheduler in this process.")
    ] = False,
) -> None:
    """Serve the papers in the database over HTTP (and run the scheduler: digests, outbox, ingestion)."""
    settings = settings_of(ctx)
    serve_app(settings, host or settings.host, port or settings.port, workers=workers, scheduler=not no_scheduler)


@app.command("mcp")
def mcp_stdio(
    ctx: typer.Context,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="PAPERFEED_MCP_TOKEN",
            show_envvar=True,
            help="API token of the user the assistant acts for (for_you, upvote, collections); prefer the "
            "environment variable, which other users cannot read in the process list.",
        ),
    ] = None,
) -> None:
    """Serve the MCP server over stdin/stdout, for an AI assistant that starts it (README: MCP server)."""
    from ..app import run_mcp_stdio  # the mcp surface is reached through the composition root

    settings = settings_of(ctx)
    # an assistant starts this from a working directory of its own: an empty new database there would
    # answer every question with "nothing here"
    existing_db(settings)
    run_mcp_stdio(settings, token=token or None)


@app.command("settings")
def show_settings(ctx: typer.Context) -> None:
    """List every setting: its value in force, environment variable and meaning."""
    settings = settings_of(ctx)
    # names are copied into config files and environments: never cut; a long value is folded, not cut
    table = Table("setting (environment variable)", "value", "meaning")
    table.columns[0].no_wrap = True
    table.columns[1].overflow = "fold"
    table.columns[1].min_width = 12
    table.columns[2].overflow = "fold"
    for name, field in Settings.model_fields.items():
        table.add_row(f"{name}\n[dim]PAPERFEED_{name.upper()}[/]", _shown(name, getattr(settings, name)),
                      field.description or "")  # fmt: skip
    console.print(table)


def _shown(name: str, value: object) -> str:
    """A setting's value as ``settings`` prints it: secrets masked (the key, passwords, a URL's password)."""
    if value and (name == "secret_key" or isinstance(value, SecretStr)):
        return "**********"
    if isinstance(value, str) and "://" in value:
        return re.sub(r"(://[^/:@\s]*:)[^@/\s]+@", r"\1***@", value)  # postgresql://user:***@host/db
    return str(value)
