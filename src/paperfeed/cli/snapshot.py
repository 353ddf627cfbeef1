"""``paperfeed index-snapshot save FILE | load FILE``: this machine's search indexes in one file, for a new
machine to start from instead of building them (index/snapshot.py; docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import app, console, existing_db, settings_of

snapshot_app = typer.Typer(
    help="Copy this machine's search indexes to a new machine (save here, load there).", no_args_is_help=True
)
app.add_typer(snapshot_app, name="index-snapshot")


@snapshot_app.command("save")
def save_cmd(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="The snapshot file to write.")]) -> None:
    """Write this machine's lexical index and vector graph to FILE (while serving: they are held still)."""
    from ..index import snapshot

    info = snapshot.save(settings_of(ctx), file)
    console.print(f"snapshot written to [bold]{file}[/]: {info.documents:,} papers, {info.vectors:,} vectors",
                  highlight=False)  # fmt: skip


@snapshot_app.command("load")
def load_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A snapshot from `index-snapshot save` on a machine of this database.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the indexes this machine has.")] = False,
) -> None:
    """Make FILE this machine's search indexes (before `paperfeed serve`); it then catches up by itself."""
    from ..index import follow, snapshot
    from ..store import Store

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    try:
        info = snapshot.load(store, settings, file, force=force)
        done = follow.follow(store, settings)
    finally:
        store.close()
    console.print(
        f"indexes loaded from [bold]{file}[/] ({info.created_at}): {info.documents:,} papers, {info.vectors:,} "
        f"vectors; caught up since: {done.lexical:,} papers, {done.vectors:,} vectors",
        highlight=False,
    )
