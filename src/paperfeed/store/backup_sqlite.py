"""The SQLite half of backups (``store.backup``): ``dump`` a database file with SQLite's online backup API
inside one read transaction (the database as of its start, while writers go on), ``load`` it into the
target page by page in one write transaction, and what a database file ``held``."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import make_url

from .backup_file import COUNTED, BackupError, Manifest, Progress, quote, shown

SQLITE_PAGES = 4096  # pages per step of SQLite's backup API (the source's read transaction spans them all)


def path_of(url: str) -> Path:
    db = make_url(url).database
    if not db or db == ":memory:" or db.startswith("file:"):
        raise BackupError(f"{shown(url)}: only an SQLite database file can be backed up or restored")
    return Path(db)


def facts(conn: sqlite3.Connection, where: str) -> tuple[str | None, dict[str, int]]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables or not set(COUNTED) <= tables:
        raise BackupError(f"{where}: not a paperfeed database (no paperfeed tables)")
    schema = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}  # noqa: S608
    return (schema[0] if schema else None), counts


def dump(url: str, out: Path, tick: Progress) -> tuple[str | None, dict[str, int]]:
    path = path_of(url)
    if not path.is_file():
        raise BackupError(f"no database at {path}: nothing to back up")
    src = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # one read transaction across every step: the copy is the database as of this BEGIN, and writers
        # (WAL) neither wait for it nor make it start over, as they would between steps outside one
        src.execute("BEGIN")
        schema, counts = facts(src, str(path))
        dst = sqlite3.connect(out, isolation_level=None)
        try:
            src.backup(dst, pages=SQLITE_PAGES, progress=lambda _s, left, total: tick("snapshot", total - left, total))
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
        src.execute("COMMIT")
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: {exc}") from None
    finally:
        src.close()
    return schema, counts


def held(url: str, names: list[str]) -> dict[str, int]:
    """Rows per table of ``names`` that the database file holds (empty tables left out; no file: none)."""
    path = path_of(url)
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return {
                t: n
                for t in names
                if t in tables and (n := conn.execute(f"SELECT count(*) FROM {quote(t)}").fetchone()[0])  # noqa: S608
            }
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path}: {exc}") from None


@contextmanager
def scratch(folder: Path) -> Iterator[Path]:
    """A temporary folder inside ``folder`` (created if need be, and removed again if it was)."""
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    ok = False
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix=".paperfeed-restore-") as tmp:
            yield Path(tmp)
        ok = True
    finally:
        if made and not ok:
            with suppress(OSError):
                folder.rmdir()


def _check_counts(got: dict[str, int], manifest: Manifest, where: str) -> None:
    if {t: got.get(t) for t in manifest.counts} != manifest.counts:
        raise BackupError(f"{where}: its database does not hold what its manifest says (damaged)")


def load(target: Path, dump: Path, manifest: Manifest, tick: Progress) -> None:
    existed = target.exists()
    src = sqlite3.connect(dump, isolation_level=None)
    try:
        tick("check", 0, None)
        verdict = src.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the database in the backup is damaged: {verdict}")
        _check_counts(facts(src, "the backup")[1], manifest, "the backup")
        dst = sqlite3.connect(target, timeout=30, isolation_level=None)
        try:
            dst.execute("PRAGMA busy_timeout=30000")
            # page by page in one write transaction of the target: all of it or, on any error, none
            src.backup(dst, pages=SQLITE_PAGES, progress=lambda _s, left, total: tick("load", total - left, total))
        finally:
            dst.close()
    except sqlite3.Error as exc:
        if not existed:
            _remove(target)
        raise BackupError(f"{target}: {exc}") from None
    except BaseException:
        if not existed:
            _remove(target)
        raise
    finally:
        src.close()


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with suppress(OSError):
            p.unlink()
