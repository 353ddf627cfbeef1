"""``paperfeed library import --user NAME FILE``: a reference-manager export into a user's Library collection.

Prints the report as tables (or ``--json``). Exit code 0 when the import went through (whether or not
every entry matched), 2 when the file was refused (nothing stored), 1 for an unknown user.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import PaperfeedError
from ..library import FORMATS, LIBRARY, ImportReport, LibraryFileError  # light: the parsers load when used
from . import app, console, err_console, existing_db, settings_of, shown
from .progress import bar

library_app = typer.Typer(help="Import a reference-manager library (BibTeX, Zotero RDF, CSL-JSON, arXiv ids).")
app.add_typer(library_app, name="library")
SHOW_ROWS = 200
BY = {"arxiv": "arXiv id", "doi": "DOI", "title": "title"}


def _table(title: str, columns: list[str], rows: list[list], style: str = "") -> None:
    table = Table(title=f"{title} ({len(rows):,})", title_justify="left", title_style=f"bold {style}")
    for c in columns:
        table.add_column(c, overflow="fold")
    for row in rows[:SHOW_ROWS]:
        table.add_row(*(shown(v) for v in row))  # titles and keys from the file: no markup
    console.print(table)
    if len(rows) > SHOW_ROWS:
        console.print(f"  ... and {len(rows) - SHOW_ROWS:,} more (--json lists them all)", highlight=False)


def print_report(report: ImportReport) -> None:
    status = {"added": "added", "already": f"already in {report.collection}", "repeat": "repeat"}
    if report.matched:
        _table("Matched", ["entry", "paper", "title", "by", "status"],
               [[m["key"], m["paper_id"], m["paper_title"], BY[m["by"]], status[m["status"]]] for m in report.matched],
               "green")  # fmt: skip
    if report.unmatched:
        _table("Not found here", ["line", "entry", "title", "why"],
               [[u["line"], u["key"], u["title"], u["why"]] for u in report.unmatched], "yellow")  # fmt: skip
    if report.malformed:
        _table("Malformed, skipped", ["line", "entry", "problem"],
               [[b["line"], b["key"] or "", b["reason"]] for b in report.malformed], "red")  # fmt: skip
    if report.duplicate_keys:
        _table("Duplicate keys", ["key", "lines"],
               [[d["key"], ", ".join(map(str, d["lines"]))] for d in report.duplicate_keys], "yellow")  # fmt: skip
    said = shown(f" ({report.format}, {report.entries:,} entries): {report.message}")
    console.print(shown(report.file, "bold") + said, highlight=False, soft_wrap=True)


@library_app.command("import")
def import_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The export: .bib, Zotero .rdf, CSL .json, or a text file of ids.")],
    user: Annotated[str, typer.Option("--user", help="Whose library (username).")],
    fmt: Annotated[str | None, typer.Option("--format", help=f"One of {', '.join(FORMATS)} (default: detect).")] = None,
    collection: Annotated[str, typer.Option("--collection", help="The collection to add to.")] = LIBRARY,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would be added; add nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Match a library's entries to papers here (arXiv id, DOI, title) and add them to a private collection.

    Importing the same file again adds nothing new. A file too large or unreadable is refused (exit code 2).
    """
    from ..library import import_library
    from ..store import Store
    from ..store import users as store_users

    settings = settings_of(ctx)
    if fmt is not None and fmt not in FORMATS:
        raise LibraryFileError(f"--format: unknown library format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if not path.is_file():
        raise LibraryFileError(f"{path}: no such file")
    with path.open("rb") as f:
        data = f.read(settings.library_max_bytes + 1)
    store = Store.open(existing_db(settings))
    try:
        with store.read() as conn:
            account = store_users.get_user_by_name(conn, user)
        if account is None:
            raise PaperfeedError(f"no user named {user!r} (paperfeed admin create-user makes one)")
        with bar(err_console, unit="entries") as progress:
            task = progress.add_task(f"matching {path.name}", total=None)
            report = import_library(
                store, settings, data, user_id=account.id, name=path.name, format=fmt,
                collection=collection, dry_run=dry_run,
                progress=None if as_json else (lambda n: progress.advance(task, n)),
            )  # fmt: skip
    finally:
        store.close()
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
    else:
        print_report(report)
