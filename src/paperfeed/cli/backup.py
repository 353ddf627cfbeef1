"""``paperfeed backup FILE | restore FILE``: a consistent copy of the database while the server runs, and
its restore into an empty data dir or database with the search indexes rebuilt (docs/deploy.md)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ..settings import Settings
from . import app, console, err_console, settings_of

STAGES = {
    "snapshot": "copying the database",
    "checksum": "checksumming",
    "write": "writing the file",
    "verify": "reading the backup",
    "check": "checking its database",
    "load": "loading it",
    "migrate": "migrating",
    "lexical": "keyword index",
    "vectors": "vector graph",
}


class _Bars:
    """One bar per stage; the store reports (stage, done, total), the index job (stage, advance, total)."""

    def __init__(self) -> None:
        columns = [SpinnerColumn(), TextColumn("[bold]{task.description:<22}"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn()]  # fmt: skip
        self.progress = Progress(*columns, console=err_console, disable=not err_console.is_terminal)
        self.tasks: dict[str, int] = {}

    def _task(self, stage: str, total: int | None) -> int:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(STAGES.get(stage, stage), total=total)
        elif total is not None:
            self.progress.update(self.tasks[stage], total=total)
        return self.tasks[stage]

    def done(self, stage: str, done: int, total: int | None) -> None:
        self.progress.update(self._task(stage, total), completed=done)

    def advance(self, stage: str, n: int, total: int | None) -> None:
        self.progress.advance(self._task(stage, total), n)

    def __enter__(self) -> _Bars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)


def _size(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} TB"  # pragma: no cover


def _key_file(settings: Settings) -> Path:
    return settings.data_dir / "secret_key"


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to write (an older backup there is replaced).")],
) -> None:
    """Write a consistent backup of the database (and the data dir's secret key) to FILE, while serving."""
    from ..store import backup as store_backup

    settings = settings_of(ctx)
    extras = {}
    key = _key_file(settings)
    if not settings.secret_key and key.is_file():  # signs sessions and the links in mails already sent
        extras["secret_key"] = key.read_bytes()
    with _Bars() as bars:
        m = store_backup.create(settings.db_url, file, extras=extras, progress=bars.done)
    console.print(
        f"backup written: {file} ({_size(file.stat().st_size)}; {m.describe()}"
        f"{'; with the secret key' if 'secret_key' in m.extras else ''})",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file written by `paperfeed backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace what the database holds (stop the server first).")
    ] = False,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Leave the search indexes to `paperfeed index` (or the first search).")
    ] = False,
) -> None:
    """Restore a backup into an empty data dir or database, then rebuild its search indexes."""
    from sqlalchemy import make_url

    from ..index import forget, index_root
    from ..store import Store
    from ..store import backup as store_backup

    settings = settings_of(ctx)
    with _Bars() as bars:
        r = store_backup.restore(settings.db_url, file, force=force, progress=bars.done)
    where = make_url(settings.db_url).render_as_string(hide_password=True)
    console.print(f"restored {file} into {where}: {r.manifest.describe()}; schema now {r.revision}", highlight=False,
                  soft_wrap=True)  # fmt: skip
    console.print(_install_key(settings, r.extras.get("secret_key")), highlight=False, soft_wrap=True)

    # the indexes are derived data: whatever this data dir held for this database described what it held
    # before; they are rebuilt from the restored papers and their stored vectors (no model is run)
    root = index_root(settings)
    shutil.rmtree(root, ignore_errors=True)
    forget(settings)
    if r.manifest.dialect == "postgresql":
        console.print("other machines serving this database: run `paperfeed index --rebuild` on each", highlight=False)
    if no_index:
        console.print("search indexes: left to `paperfeed index` (run it before serving searches)")
        return
    from ..index import job

    store = Store.open(settings.db_url)
    try:
        with _Bars() as bars:
            report = job.run(store, settings, rebuild=True, embed=False, progress=bars.advance)
    finally:
        store.close()
    console.print(
        f"search indexes rebuilt: {report.lexical:,} papers, {report.vectors:,} vectors "
        "(`paperfeed index` embeds any paper the backup had not embedded yet)",
        highlight=False,
    )


def _install_key(settings: Settings, key: bytes | None) -> str:
    if key is None:
        return "secret key: none in the backup (it was set by the secret_key setting, or never made)"
    if settings.secret_key:
        if settings.secret_key.strip() == key.decode("utf-8", "replace").strip():
            return "secret key: the backup's is the one set by secret_key"
        return (
            "secret key: the backup's was not installed, secret_key is set: sessions and the links in mails "
            "sent before the backup stop working unless secret_key is the backup's key"
        )
    path = _key_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".secret_key.restore")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    os.replace(tmp, path)
    return f"secret key: installed in {path} (sessions and mailed links keep working)"
