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
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.pool import NullPool

from ..errors import PaperfeedError
from .db import alembic_config, make_engine, migrate

FORMAT = "paperfeed-backup"
VERSION = 1
MANIFEST = "paperfeed-backup.json"
MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
KIND = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
A_KIND = {"sqlite": "an SQLite", "postgresql": "a PostgreSQL"}
COUNTED = ("papers", "users", "votes")  # what the manifest records and a restore checks
EXTRA_MAX = 1 << 20  # bytes per extra file
CHUNK = 1 << 20
SQLITE_PAGES = 4096  # pages per step of SQLite's backup API (the source's read transaction spans them all)

Progress = Callable[[str, int, int | None], None]  # (stage, done so far, total or None)


class BackupError(PaperfeedError):
    """A backup or restore that was refused or failed; what it would have written is left as it was."""


def quote(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _quiet(stage: str, done: int, total: int | None) -> None:
    pass


@dataclass
class Manifest:
    dialect: str  # "sqlite" or "postgresql"
    schema: str | None  # the migration the database was at
    created_at: str
    counts: dict[str, int]
    member: str
    size: int
    sha256: str
    pg_schema: str | None = None  # PostgreSQL: the schema the tables were in
    tool: str | None = None  # PostgreSQL: ``pg_dump --version``
    extras: list[str] = field(default_factory=list)
    format: str = FORMAT
    version: int = VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes, where: str) -> Manifest:
        try:
            raw = json.loads(data)
        except ValueError:
            raise BackupError(f"{where}: not a paperfeed backup (its manifest is not JSON)") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError(f"{where}: not a paperfeed backup")
        if not isinstance(raw.get("version"), int) or raw["version"] > VERSION:
            raise BackupError(
                f"{where}: backup format {raw.get('version')!r}, this paperfeed reads up to {VERSION}: "
                "restore it with the paperfeed that made it, or a newer one"
            )
        try:
            m = cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})
        except TypeError as exc:
            raise BackupError(f"{where}: a damaged backup manifest ({exc})") from None
        if m.dialect not in MEMBERS or m.member != MEMBERS[m.dialect] or not isinstance(m.size, int):
            raise BackupError(f"{where}: a damaged backup manifest")
        return m

    def describe(self) -> str:
        c = self.counts
        return (
            f"{KIND[self.dialect]}, schema {self.schema}, taken {self.created_at}: {c.get('papers', 0):,} papers, "
            f"{c.get('users', 0):,} accounts, {c.get('votes', 0):,} votes"
        )


@dataclass
class Restored:
    manifest: Manifest
    extras: dict[str, bytes]
    revision: str | None  # the schema after the migrations
    replaced: dict[str, int]  # what the target held before (``force``)


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


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
    if dialect == "sqlite" and dest.resolve() == _sqlite_path(url).resolve():
        raise BackupError(f"{dest}: is the database itself; name another file")
    from . import backup_pg  # the PostgreSQL half (pg_dump, pg_restore, psql)

    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}.") as tmp:
        db = Path(tmp) / MEMBERS[dialect]
        if dialect == "sqlite":
            schema, counts = _dump_sqlite(url, db, tick)
            pg_schema = tool = None
        else:
            schema, counts, pg_schema, tool = backup_pg.dump(url, db, tick)
        size, sha = _digest(db, tick)
        manifest = Manifest(
            dialect=dialect, schema=schema, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            counts=counts, member=MEMBERS[dialect], size=size, sha256=sha, pg_schema=pg_schema, tool=tool,
            extras=sorted(extras),
        )  # fmt: skip
        partial = Path(tmp) / "backup.partial"
        with open(partial, "wb") as out:
            os.fchmod(out.fileno(), 0o600)  # a backup holds password hashes and the secret key
            with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add_bytes(tar, MANIFEST, manifest.to_json())
                for name, data in sorted(extras.items()):
                    _add_bytes(tar, f"extra/{name}", data)
                info = _info(manifest.member, size)
                with open(db, "rb") as f:
                    tar.addfile(info, _Counting(f, lambda n: tick("write", n, size)))
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, dest)
    return manifest


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    tar.addfile(_info(name, len(data)), io.BytesIO(data))


class _Counting:
    """A file read through, reporting the bytes read so far."""

    def __init__(self, f, report: Callable[[int], None]):
        self.f, self.report, self.n = f, report, 0

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.n += len(data)
        self.report(self.n)
        return data


def _digest(path: Path, tick: Progress) -> tuple[int, str]:
    h, n, total = hashlib.sha256(), 0, path.stat().st_size
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
            tick("checksum", n, total)
    return n, h.hexdigest()


def _sqlite_path(url: str) -> Path:
    db = make_url(url).database
    if not db or db == ":memory:" or db.startswith("file:"):
        raise BackupError(f"{shown(url)}: only an SQLite database file can be backed up or restored")
    return Path(db)


def _sqlite_facts(conn: sqlite3.Connection, where: str) -> tuple[str | None, dict[str, int]]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables or not set(COUNTED) <= tables:
        raise BackupError(f"{where}: not a paperfeed database (no paperfeed tables)")
    schema = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}  # noqa: S608
    return (schema[0] if schema else None), counts


def _dump_sqlite(url: str, out: Path, tick: Progress) -> tuple[str | None, dict[str, int]]:
    path = _sqlite_path(url)
    if not path.is_file():
        raise BackupError(f"no database at {path}: nothing to back up")
    src = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        # one read transaction across every step: the copy is the database as of this BEGIN, and writers
        # (WAL) neither wait for it nor make it start over, as they would between steps outside one
        src.execute("BEGIN")
        schema, counts = _sqlite_facts(src, str(path))
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


# -------------------------------------------------------------------------------------------- reading


def _not_a_backup(path: Path) -> BackupError:
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError as exc:
        return BackupError(f"{path}: cannot read it ({exc.strerror})")
    if head.startswith(b"SQLite format 3\x00"):
        return BackupError(f"{path}: an SQLite database file, not a paperfeed backup (make one with paperfeed backup)")
    if head.startswith(b"PGDMP"):
        return BackupError(f"{path}: a pg_dump archive, not a paperfeed backup (make one with paperfeed backup)")
    if head[257:262] == b"ustar" or head[:2] == b"\x1f\x8b":
        return BackupError(f"{path}: truncated or damaged (not a whole paperfeed backup)")
    return BackupError(f"{path}: not a paperfeed backup")


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at ``path``; a clear error for anything that is not one."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path}: no such file")
    if not path.is_file():
        raise BackupError(f"{path}: not a file")
    try:
        with tarfile.open(path, "r:*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile() or first.size > EXTRA_MAX:
                raise _not_a_backup(path)
            f = tar.extractfile(first)
            data = f.read() if f else b""
            if len(data) != first.size:
                raise _not_a_backup(path)
    except (tarfile.TarError, EOFError, OSError, ValueError):
        raise _not_a_backup(path) from None
    return Manifest.from_json(data, str(path))


def _extract(path: Path, manifest: Manifest, into: Path, tick: Progress) -> dict[str, bytes]:
    """Copy the database member to ``into``, checking its size and checksum; returns the extra files."""
    extras: dict[str, bytes] = {}
    found = False
    damaged = BackupError(f"{path}: truncated or damaged (its database does not match the manifest)")
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.name.startswith("extra/") and member.isfile() and member.size <= EXTRA_MAX:
                    f = tar.extractfile(member)
                    extras[member.name.removeprefix("extra/")] = f.read() if f else b""
                elif member.name == manifest.member and member.isfile():
                    if member.size != manifest.size:
                        raise damaged
                    src = tar.extractfile(member)
                    assert src is not None
                    h, n = hashlib.sha256(), 0
                    with open(into, "wb") as out:
                        while chunk := src.read(CHUNK):
                            h.update(chunk)
                            out.write(chunk)
                            n += len(chunk)
                            tick("verify", n, manifest.size)
                    if n != manifest.size or h.hexdigest() != manifest.sha256:
                        raise damaged
                    found = True
    except (tarfile.TarError, EOFError, OSError, ValueError):
        raise damaged from None
    if not found:
        raise damaged
    missing = set(manifest.extras) - set(extras)
    if missing:
        raise damaged
    return extras


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
        path = _sqlite_path(url)
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
    from . import backup_pg

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
        target = _sqlite_path(url)
        with _scratch(target.parent) as tmp:
            dump = tmp / manifest.member
            extras = _extract(path, manifest, dump, tick)
            _load_sqlite(target, dump, manifest, tick)
    else:
        from . import backup_pg

        with tempfile.TemporaryDirectory(prefix="paperfeed-restore-") as tmp:
            dump = Path(tmp) / manifest.member
            extras = _extract(path, manifest, dump, tick)
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


@contextmanager
def _scratch(folder: Path) -> Iterator[Path]:
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


def _load_sqlite(target: Path, dump: Path, manifest: Manifest, tick: Progress) -> None:
    existed = target.exists()
    src = sqlite3.connect(dump, isolation_level=None)
    try:
        tick("check", 0, None)
        verdict = src.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the database in the backup is damaged: {verdict}")
        _check_counts(_sqlite_facts(src, "the backup")[1], manifest, "the backup")
        dst = sqlite3.connect(target, timeout=30, isolation_level=None)
        try:
            dst.execute("PRAGMA busy_timeout=30000")
            # page by page in one write transaction of the target: all of it or, on any error, none
            src.backup(dst, pages=SQLITE_PAGES, progress=lambda _s, left, total: tick("load", total - left, total))
        finally:
            dst.close()
    except sqlite3.Error as exc:
        if not existed:
            _remove_sqlite(target)
        raise BackupError(f"{target}: {exc}") from None
    except BaseException:
        if not existed:
            _remove_sqlite(target)
        raise
    finally:
        src.close()


def _remove_sqlite(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with suppress(OSError):
            p.unlink()
