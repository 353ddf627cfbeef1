"""The ``paperfeed`` command: one verb per stage (init, import, fetch, stats, demo, serve, settings).

- ``manage``: init, stats, demo, serve, mcp, settings; ``imports``: import FILE...; ``fetch``: the network sources
- ``search``: index, search, similar; ``maps``: topic maps as PNG or SVG; ``recommend``: train, show
- ``digest``: preview, send, deliver, status; ``library``: library import; ``admin``: moderation;
  ``accounts``: admin's account commands (create-user, set-password, delete-user, set-admin)
- ``jobs``: run a scheduled job once across machines, the last runs
- ``backup``: backup FILE, restore FILE (the database, while serving; indexes rebuilt on restore)
- ``snapshot``: index-snapshot save FILE, load FILE (a machine's search indexes, for a new machine)
- ``progress``: the progress bars they share

Errors print one clear line and exit non-zero; ``--debug`` shows the traceback. Text that users, imports
or arguments supply goes to the terminal through ``shown``: literally (no Rich markup), its control
characters written out, so that a comment cannot colour, clear or link a moderator's terminal.

Each command imports what it uses inside its function (the store, SQLAlchemy, the sources, the models):
every module here is imported to register its commands, and ``paperfeed --help``, tab completion and
each command would otherwise load all of them first (1.1 s of a 2-core machine's time before anything ran;
docs/benchmarks.md, "CLI start-up").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from ..errors import PaperfeedError
from ..settings import Settings, load_settings


def _flags_take_no_value() -> None:
    """Help without a type beside on/off flags: typer 0.29 writes ``--json <bool>``, which reads as if the
    flag took a value (``--json true`` is then refused). Options that take a value keep theirs."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)  # (older typer writes no type for flags)
    if shown is None:
        return

    def display_type_rich(self, ctx):  # noqa: ANN001, ANN202
        return None if self.is_flag else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich


_flags_take_no_value()
app = typer.Typer(
    help="paperfeed: a self-hosted research-paper front page.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
err_console = Console(stderr=True)
_state: dict = {"debug": False}


@app.callback()
def _main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="PAPERFEED_DATA_DIR", help="Folder for the database and indexes."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", envvar="PAPERFEED_DATABASE_URL", help="SQLAlchemy URL (default: SQLite in the data dir)."
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", envvar="PAPERFEED_CONFIG", help="TOML settings file.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug
    try:
        ctx.obj = load_settings(config, data_dir=data_dir, database_url=database_url, debug=debug or None)
    except FileNotFoundError as exc:
        raise PaperfeedError(str(exc)) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PaperfeedError(f"bad setting {where}: {first['msg']}") from None
    _state["debug"] = ctx.obj.debug


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0, DEL and C1; not tab or newline


def shown(text: object, style: str = "") -> Text:
    """``text`` as the terminal shows it: literally (``[bold]`` stays as typed), each control character but
    tab and newline written as ``\\x1b`` (an escape sequence would clear, colour or link the screen)."""
    return Text(_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text)), style=style)


INTERRUPTED = "interrupted: what was committed stays, nothing half-written; run the command again to go on"


def settings_of(ctx: typer.Context) -> Settings:
    return ctx.obj


def existing_db(settings: Settings) -> str:
    """The database URL for a command that reads what a site holds: a missing SQLite file is an error naming
    the folder (a mistyped ``--data-dir`` would otherwise create an empty database and report nothing)."""
    if settings.database_url is None and not (settings.data_dir / "paperfeed.db").exists():
        raise PaperfeedError(
            f"no paperfeed database in {settings.data_dir.resolve()}: check --data-dir or PAPERFEED_DATA_DIR "
            "(`paperfeed init` or `paperfeed import FILE` creates one)"
        )
    return settings.db_url


from . import accounts, admin, backup, digest, fetch, imports, jobs, library, manage, maps, recommend, search, snapshot  # noqa: E402,F401  (register the commands)


def main() -> None:
    """Entry point: run the app, turning errors into one line and an exit code."""
    try:
        code = app(standalone_mode=False)  # a command's typer.Exit(n) comes back as n here
        if code == 130:  # typer's answer to Ctrl-C
            err_console.print(INTERRUPTED)
        if isinstance(code, int) and code:
            sys.exit(code)
    except PaperfeedError as exc:
        if _state["debug"]:
            raise
        err_console.print(Text("error: ", style="bold red") + shown(exc), highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print(INTERRUPTED)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        # by class name: typer 0.22+ brings a copy of click of its own (typer._click), whose exceptions are
        # not click's; a usage error must still be a usage message and exit 2, not "error: ..." and 1
        if any(cls.__name__ == "ClickException" for cls in type(exc).__mro__):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        err_console.print(
            Text("error: ", style="bold red")
            + shown(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)"),
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
