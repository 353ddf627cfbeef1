"""``paperfeed import FILE...``: JSONL/JSON, CSV, BibTeX and saved-page text files, plain or gzipped."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.text import Text

from ..errors import BadImport, PaperfeedError, SourceError
from . import app, console, err_console, settings_of, shown
from .progress import bar
from .search import update_search_index

if TYPE_CHECKING:
    from ..ingest import ImportResult
    from ..store import Store


def report(name: str, result: ImportResult, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"file": name, **result.as_dict()}), flush=True)  # one line per file: JSON Lines
        return
    c = result.counts
    console.print(
        f"[bold]{escape(name)}[/]: {result.read:,} read, [green]{c.added:,} added[/], {c.updated:,} updated, "
        f"{c.unchanged:,} unchanged, {c.featured_added:,} featured days added"
        + (f", {c.merged:,} merged into their arXiv papers" if c.merged else "")
        + (f", [red]{result.bad_total:,} bad (skipped)[/]" if result.bad_total else ""),
        highlight=False,
        soft_wrap=True,
    )
    for err in result.bad:
        err_console.print(Text("  skipped ", style="yellow") + shown(err), highlight=False, soft_wrap=True)
    if result.bad_total > len(result.bad):
        err_console.print(f"  ... and {result.bad_total - len(result.bad):,} more", highlight=False)


def _not_a_file(path: Path) -> SourceError:
    return SourceError("file", str(path), "a folder: give the files in it" if path.is_dir() else "no such file")


def import_file(store: Store, path: Path, *, skip_bad: bool, page_day: date | None, quiet: bool) -> ImportResult:
    from ..ingest import import_items
    from ..sources import files

    if not path.is_file():
        raise _not_a_file(path)
    with bar(err_console) as progress:
        task = progress.add_task(path.name, total=None)
        items = files.read(path, page_day=page_day)
        return import_items(
            store, items, skip_bad=skip_bad, progress=None if quiet else (lambda n: progress.advance(task, n))
        )


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files: .jsonl .json .csv .bib .txt, optionally .gz.")],
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Import the good records, report the bad.")] = False,
    page_day: Annotated[
        str | None, typer.Option("--page-day", help="Featured day of a saved page (YYYY-MM-DD).", metavar="YYYY-MM-DD")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary per file.")] = False,
) -> None:
    """Import papers from files. Importing the same file twice changes nothing.

    A file with a bad record imports nothing (exit code 2) unless --skip-bad is given.
    """
    from ..store import Store

    try:
        day = date.fromisoformat(page_day) if page_day else None
    except ValueError:
        raise PaperfeedError(f"--page-day: not a date: {page_day!r} (use YYYY-MM-DD)") from None
    if not any(path.is_file() for path in paths):  # nothing to import: say so before making a database for it
        raise _not_a_file(paths[0])
    store = Store.open(settings_of(ctx).db_url)
    failed: PaperfeedError | None = None
    for path in paths:
        try:
            result = import_file(store, path, skip_bad=skip_bad, page_day=day, quiet=as_json)
        except (BadImport, SourceError) as exc:
            if len(paths) == 1:
                raise
            err_console.print(Text("error: ", style="bold red") + shown(exc), highlight=False, soft_wrap=True)
            failed = exc
            continue
        report(path.name, result, as_json=as_json)
    update_search_index(store, settings_of(ctx), quiet=as_json)
    store.close()
    if failed is not None:
        raise typer.Exit(failed.exit_code)
