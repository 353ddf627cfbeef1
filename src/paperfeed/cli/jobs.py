"""``paperfeed jobs run NAME | status``: the scheduler's jobs, run once per slot across machines."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from ..errors import PaperfeedError
from . import app, console, existing_db, settings_of

jobs_app = typer.Typer(help="The scheduler's jobs: run one now (once across machines), see the last runs.",
                       no_args_is_help=True)  # fmt: skip
app.add_typer(jobs_app, name="jobs")


@jobs_app.command("run")
def run_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="digests, deliver, recommend, ingest or hf-upvotes.")],
    force: Annotated[bool, typer.Option("--force", help="Run even if this slot's run is recorded.")] = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Give up at once if another machine runs it.")] = False,
) -> None:
    """Run a scheduled job now, as the scheduler does: once per slot across the machines of one database
    (exit 0 when it ran or had run, 1 when it failed, 3 when another machine is running it)."""
    from ..scheduler import JOBS, run_exclusive
    from ..store import Store

    job = JOBS.get(name)
    if job is None:
        raise PaperfeedError(f"no job {name!r}: use one of {', '.join(JOBS)}")
    settings = settings_of(ctx)
    outcome = run_exclusive(job, Store.open(existing_db(settings)), settings, force=force, wait=0 if no_wait else None)
    console.print(f"{name}: {outcome}", highlight=False)
    if outcome == "failed":
        raise typer.Exit(1)
    if outcome == "busy":
        raise typer.Exit(3)


@jobs_app.command("status")
def status_cmd(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Only this job.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The latest recorded runs: job, slot, machine, start and end."""
    from ..store import Store
    from ..store import jobs as store_jobs

    with Store.open(existing_db(settings_of(ctx))).read() as conn:
        runs = store_jobs.runs(conn, name)
    if as_json:
        typer.echo(json.dumps(runs, default=str))
        return
    table = Table("job", "slot", "host", "started", "finished")
    for r in runs:
        table.add_row(r["job"], r["slot"], r["host"], f"{r['started_at']:%Y-%m-%d %H:%M:%S}",
                      f"{r['finished_at']:%H:%M:%S}")  # fmt: skip
    console.print(table)
