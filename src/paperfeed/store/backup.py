"""Backups: one file holding a consistent copy of the database, taken while the server runs, and its
restore into an empty database (``paperfeed backup`` / ``paperfeed restore``; docs/deploy.md).

A backup file is an uncompressed tar archive (a gzipped one restores too):

- ``paperfeed-backup.json``, first: the manifest: format and version, the dialect, the schema revision,
  when, what it holds (papers, accounts, votes), the database member's size and SHA-256;
- ``database.sqlite``: an SQLite database file, copied by SQLite's online backup API inside one read
  transaction of the source, so it is the database as of that transaction's start while writers go on
  (WAL mode); or ``database.pgdump``: ``pg_dump --format=custom`` of the database's schema, dumped from a
  snapshot exported by the transaction that read the manifest's counts;
- ``extra/<name>``: small files the caller adds (the CLI: the data dir's ``secret_key``).

The search indexes are not in it: they are derived from the database and the caller rebuilds them after
a restore (``paperfeed restore`` does). A restore checks everything it can before it touches the target:
that the file is a whole backup (size and checksum), of the target's kind, of a schema this code knows, that
its database holds what the manifest says, and that the target holds nothing (unless ``force``). Then
one transaction loads it: SQLite's backup API into the target file, or ``pg_restore``'s script fed to
``psql`` between our own ``BEGIN`` and ``COMMIT`` (the tables moved into the target's schema when the
backup came from another one); the migrations then bring it up to this code's schema.

The file format is ``backup_file``; the SQLite half ``backup_sqlite``, the PostgreSQL half ``backup_pg``.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.pool import NullPool

from . import backup_file, backup_pg, backup_sqlite
from .backup_file import A_KIND, KIND, MEMBERS, BackupError, Manifest, Progress, read_manifest, shown
from .db import alembic_config, make_engine, migrate


def _quiet(stage: str, done: int, total: int | None) -> None:
    pass


@dataclass
class Restored:
    manifest: Manifest
    extras: dict[str, bytes]
    revision: str | None  # the schema after the migrations
    replaced: dict[str, int]  # what the target held before (``force``)


def _dialect(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in MEMBERS:
        raise BackupError(f"{shown(url)}: only SQLite and PostgreSQL databases can be backed up")
    return name


def _progress_of(progress: Progress | None) -> Progress:
    return progress or _quiet


# --------------------------------------------------------------------------------------------- backup


def create(
    url: str, dest: Path, *, extras: dict[str, bytes] | None = None, progress: Progress | None = None
) -> Manifest:
    """Write a backup of the database at ``url`` to ``dest`` (atomically: a finished file or none).

    ``dest`` may replace an older paperfeed backup, never another file.
    """
    tick = _progress_of(progress)
    dialect = _dialect(url)
    dest = Path(dest)
    extras = dict(extras or {})
    if dest.is_dir():
        raise BackupError(f"{dest}: is a folder; name the backup file to write")
    if not dest.parent.is_dir():
        raise BackupError(f"{dest}: no folder {dest.parent}")
    if dest.exists():
        try:
            read_manifest(dest)
        except BackupError:
            raise BackupError(f"{dest}: exists and is not a paperfeed backup; not overwriting it") from None
    if dialect == "sqlite" and dest.resolve() == backup_sqlite.path_of(url).resolve():
        raise BackupError(f"{dest}: is the database itself; name another file")
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}.") as tmp:
        db = Path(tmp) / MEMBERS[dialect]
        if dialect == "sqlite":
            schema, counts = backup_sqlite.dump(url, db, tick)
            pg_schema = tool = None
        else:
            schema, counts, pg_schema, tool = backup_pg.dump(url, db, tick)
        size, sha = backup_file.digest(db, tick)
        manifest = Manifest(
            dialect=dialect, schema=schema, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            counts=counts, member=MEMBERS[dialect], size=size, sha256=sha, pg_schema=pg_schema, tool=tool,
            extras=sorted(extras),
        )  # fmt: skip
        partial = Path(tmp) / "backup.partial"
        backup_file.write(partial, manifest, extras, db, tick)
        os.replace(partial, dest)
    return manifest


# ------------------------------------------------------------------------------------------- restore


def _known_revision(revision: str | None, where: str) -> None:
    from alembic.script import ScriptDirectory

    if revision is None:
        raise BackupError(f"{where}: its database has no schema revision")
    try:
        ScriptDirectory.from_config(alembic_config(None)).get_revision(revision)
    except Exception:  # alembic's resolution errors: a revision this code does not ship
        raise BackupError(
            f"{where}: its schema ({revision}) is newer than this paperfeed knows: upgrade paperfeed, then restore"
        ) from None


def held(url: str) -> dict[str, int]:
    """What the database at ``url`` holds: rows per non-empty paperfeed table (``{}``: nothing; a missing
    SQLite file or PostgreSQL schema holds nothing). Creates nothing."""
    from .models import Base

    names = sorted(Base.metadata.tables)
    if _dialect(url) == "sqlite":
        return backup_sqlite.held(url, names)
    return backup_pg.held(url, names)


def describe_held(counts: dict[str, int]) -> str:
    shown = [f"{counts[t]:,} {label}" for t, label in (("papers", "papers"), ("users", "accounts")) if t in counts]
    if not shown:
        shown = [f"{n:,} rows in {t}" for t, n in sorted(counts.items())[:2]]
    return ", ".join(shown)


def restore(url: str, path: Path, *, force: bool = False, progress: Progress | None = None) -> Restored:
    """Load the backup at ``path`` into the database at ``url``, then migrate it to this code's schema.

    The target must hold nothing (a fresh ``paperfeed init`` holds nothing) unless ``force``, which
    replaces what it holds. Every check runs before the target is touched; the load is one transaction.
    """
    tick = _progress_of(progress)
    path = Path(path)
    manifest = read_manifest(path)
    dialect = _dialect(url)
    if manifest.dialect != dialect:
        raise BackupError(
            f"{path}: {A_KIND[manifest.dialect]} backup, and the database ({shown(url)}) is {KIND[dialect]}: "
            f"restore it into {A_KIND[manifest.dialect]} database (--database-url)"
        )
    _known_revision(manifest.schema, str(path))
    before = held(url)
    if before and not force:
        raise BackupError(
            f"{shown(url)} already holds {describe_held(before)}: restore into an empty data dir or "
            "database, or pass --force to replace what it holds"
        )
    if dialect == "sqlite":
        target = backup_sqlite.path_of(url)
        with backup_sqlite.scratch(target.parent) as tmp:
            dump = tmp / manifest.member
            extras = backup_file.extract(path, manifest, dump, tick)
            backup_sqlite.load(target, dump, manifest, tick)
    else:
        with tempfile.TemporaryDirectory(prefix="paperfeed-restore-") as tmp:
            dump = Path(tmp) / manifest.member
            extras = backup_file.extract(path, manifest, dump, tick)
            backup_pg.load(url, dump, manifest, tick)
    tick("migrate", 0, None)
    engine = make_engine(url, poolclass=NullPool)
    try:
        migrate(engine)
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
    return Restored(manifest=manifest, extras=extras, revision=revision, replaced=before)
