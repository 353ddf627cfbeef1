"""The backup file (``store.backup``): an uncompressed tar archive (a gzipped one restores too) with the
manifest first (``paperfeed-backup.json``), then the extra files (``extra/<name>``), then the database
member, whose size and SHA-256 the manifest records; and what the SQLite and PostgreSQL halves
(``backup_sqlite``, ``backup_pg``) share: the error, the progress callback, quoting."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import make_url

from ..errors import PaperfeedError

FORMAT = "paperfeed-backup"
VERSION = 1
MANIFEST = "paperfeed-backup.json"
MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
KIND = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
A_KIND = {"sqlite": "an SQLite", "postgresql": "a PostgreSQL"}
COUNTED = ("papers", "users", "votes")  # what the manifest records and a restore checks
EXTRA_MAX = 1 << 20  # bytes per extra file
CHUNK = 1 << 20


Progress = Callable[[str, int, int | None], None]  # (stage, done so far, total or None)


class BackupError(PaperfeedError):
    """A backup or restore that was refused or failed; what it would have written is left as it was."""


def quote(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


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


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def write(path: Path, manifest: Manifest, extras: dict[str, bytes], db: Path, tick: Progress) -> None:
    """Write the backup file at ``path``: the manifest, the extra files, then the database file ``db``
    (for its owner's eyes only, flushed to disk)."""
    size = manifest.size
    with open(path, "wb") as out:
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


def digest(path: Path, tick: Progress) -> tuple[int, str]:
    h, n, total = hashlib.sha256(), 0, path.stat().st_size
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
            tick("checksum", n, total)
    return n, h.hexdigest()


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


def extract(path: Path, manifest: Manifest, into: Path, tick: Progress) -> dict[str, bytes]:
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
