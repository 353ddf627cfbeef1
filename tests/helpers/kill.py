"""Helpers for the kill -9 tests: ``paperfeed`` in a real process, frozen once its progress output or the
database shows it mid-way, checked while frozen, then killed; and what a killed run must leave behind.

run = Run.start(db_url, data_dir, "import", path, tty=True)  # stdout and stderr read as they come
run.progress("papers")         the count its progress bar showed last (tty=True: bars drawn as on a terminal)
run.kill_when(ready, frozen)   poll ready(); SIGSTOP; frozen() asserts what the kill leaves; SIGKILL
run.wait()                     or let it finish: its exit code
finish(db_url, data_dir, ...)  the same command run to its end (the rerun)
writing(store)                 a write transaction is open (SQLite: the write lock is held; PostgreSQL: a
                               backend of the run's ``application_name``, see ``named``, has a transaction id)
problems(store)                what is wrong with a database: SQLite's integrity and foreign-key checks, orphan
                               rows (every foreign key, both databases), a schema not at the head revision
counts(store)                  rows per table
another_db(request, db_url, tmp_path)   a fresh database of the same kind, for the reference run
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exists, func, select, text

from paperfeed.store import Store
from paperfeed.store.db import head_revision, schema_revision
from paperfeed.store.models import Base

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _env(tty: bool, extra: dict | None) -> dict:
    env = os.environ | {"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    if tty:  # rich draws its progress bars into the pipe as on a terminal (frames end in \r)
        env |= {"TTY_COMPATIBLE": "1", "TERM": "xterm"}
    return env | (extra or {})


def _argv(db_url: str, data_dir: Path, args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "paperfeed", "--database-url", db_url, "--data-dir", str(data_dir), *args]


@dataclass
class Run:
    proc: subprocess.Popen
    _out: bytearray = field(default_factory=bytearray)
    _err: bytearray = field(default_factory=bytearray)
    _readers: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def start(cls, db_url: str, data_dir: Path, *args: str, tty: bool = False, env: dict | None = None) -> Run:
        proc = subprocess.Popen(
            _argv(db_url, data_dir, args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tty, env)
        )
        run = cls(proc)
        for stream, buf in ((proc.stdout, run._out), (proc.stderr, run._err)):
            t = threading.Thread(target=_drain, args=(stream.fileno(), buf), daemon=True)
            t.start()
            run._readers.append(t)
        return run

    @property
    def stdout(self) -> str:
        return ANSI.sub("", bytes(self._out).decode("utf-8", "replace"))

    @property
    def stderr(self) -> str:
        return ANSI.sub("", bytes(self._err).decode("utf-8", "replace"))

    def progress(self, unit: str) -> int:
        """The count of the last progress frame (``1,234 papers``; not the rate, ``papers/s``); -1 for none."""
        found = re.findall(rf"(\d[\d,]*) {unit}(?!/)", self.stderr)
        return int(found[-1].replace(",", "")) if found else -1

    def wait(self, timeout: float = 600) -> int:
        """Let it run to its end; its exit code."""
        self.proc.wait(timeout)
        for t in self._readers:
            t.join(10)
        return self.proc.returncode

    def kill_when(self, ready: Callable[[], bool], frozen: Callable[[], None] | None = None, *,
                  timeout: float = 180, every: float = 0.005) -> None:  # fmt: skip
        """Poll ``ready()`` until it holds; then stop the process (SIGSTOP: what it has written stays put
        while ``frozen()`` asserts that it is mid-way) and kill it (SIGKILL)."""
        deadline = time.monotonic() + timeout
        try:
            while not ready():
                if self.proc.poll() is not None:
                    raise AssertionError(
                        f"paperfeed exited ({self.proc.returncode}) before it was caught mid-way\n{self.stderr[-3000:]}"
                    )
                if time.monotonic() > deadline:
                    raise AssertionError(f"paperfeed not caught mid-way within {timeout} s\n{self.stderr[-3000:]}")
                time.sleep(every)
            self.proc.send_signal(signal.SIGSTOP)
            if frozen is not None:
                frozen()
        finally:
            self.proc.kill()  # SIGKILL: a stopped process dies of it too
            self.proc.wait(60)
            for t in self._readers:
                t.join(10)
        assert self.proc.returncode == -signal.SIGKILL, (self.proc.returncode, self.stderr[-3000:])


def _drain(fd: int, buf: bytearray) -> None:
    while chunk := os.read(fd, 65536):
        buf.extend(chunk)


def finish(db_url: str, data_dir: Path, *args: str, env: dict | None = None, timeout: float = 600):
    """The command run to its end, as a user reruns it after the kill."""
    return subprocess.run(
        _argv(db_url, data_dir, args), capture_output=True, text=True, env=_env(False, env), timeout=timeout
    )


# --- the database ------------------------------------------------------------------------------------


def named(db_url: str) -> str:
    """``db_url`` with an ``application_name`` of its own on PostgreSQL (what ``writing`` looks for)."""
    if not db_url.startswith("postgresql"):
        return db_url
    return f"{db_url}{'&' if '?' in db_url else '?'}application_name=pfkill-{uuid.uuid4().hex[:10]}"


def writing(store: Store) -> bool:
    """Whether some process has a write transaction open on the store's database (a kill now loses it)."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # SQLite writers hold the write lock from their BEGIN
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            return True
        finally:
            probe.close()
    with store.read() as conn:
        q = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :app "
                 "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")  # fmt: skip
        return conn.execute(q, {"app": url.query["application_name"]}).scalar_one() > 0


def problems(store: Store) -> list[str]:
    """Everything wrong with the store's database; [] when it passes every check."""
    out = []
    with store.read() as conn:
        if conn.dialect.name == "sqlite":
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            if rows != ["ok"]:
                out.append(f"integrity_check: {rows[:5]}")
            if fks := conn.exec_driver_sql("PRAGMA foreign_key_check").all():
                out.append(f"foreign_key_check: {fks[:5]}")
        if (rev := schema_revision(conn)) != head_revision():
            out.append(f"schema at {rev}, not at the head {head_revision()}")
        for table in Base.metadata.sorted_tables:  # orphans: the same question on both databases
            for fk in table.foreign_keys:
                parent, child = fk.column.table.alias("parent"), fk.parent
                q = (
                    select(func.count())
                    .select_from(table)
                    .where(child.is_not(None), ~exists().where(parent.c[fk.column.name] == child))
                )
                if n := conn.execute(q).scalar_one():
                    out.append(f"{n} rows of {table.name} whose {child.name} names no {fk.column.table.name} row")
    return out


def counts(store: Store) -> dict[str, int]:
    """Rows per table."""
    with store.read() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables
        }


def another_db(request, db_url: str, tmp_path: Path, name: str = "reference") -> str:
    """A fresh database of the same kind as ``db_url``: a SQLite file in ``tmp_path``, or a new PostgreSQL
    schema (dropped after the test)."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    pg_admin = request.getfixturevalue("pg_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    request.addfinalizer(drop)
    return f"{pg_admin.url.render_as_string(hide_password=False)}?options=-csearch_path%3D{schema}"
