"""The PostgreSQL half of backups (``store.backup``): ``dump`` a schema with ``pg_dump`` from one exported
snapshot, ``load`` it back in one transaction (``pg_restore``'s script fed to ``psql`` between our own
``BEGIN`` and ``COMMIT``, tables moved into the target's schema), and what a database ``held``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import URL, Connection, create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from .backup_file import CHUNK, COUNTED, BackupError, Manifest, Progress, quote, shown


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install PostgreSQL's client programs (Debian: postgresql-client)")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection URI (no password) for ``pg_dump``/``psql`` and their environment
    (``PGPASSWORD``: not on the command line, where ``ps`` shows it)."""
    u = make_url(url)
    uri = URL.create(
        "postgresql", username=u.username, host=u.host, port=u.port, database=u.database, query=u.query
    ).render_as_string(hide_password=False)
    env = dict(os.environ)
    if u.password is not None:
        env["PGPASSWORD"] = str(u.password)
    return uri, env


def _connect_error(url: str, exc: Exception) -> BackupError:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return BackupError(f"cannot use {shown(url)}: {detail[0] if detail else type(exc).__name__}")


@contextmanager
def _pg(url: str) -> Iterator[Connection]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise _connect_error(url, exc) from None
    finally:
        engine.dispose()


def _pg_tables(conn: Connection, schema: str) -> set[str]:
    q = text("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = :s")
    return set(conn.execute(q, {"s": schema}).scalars())


def _pg_counts(conn: Connection, schema: str) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {quote(schema)}.{quote(t)}")).scalar_one() for t in COUNTED}


def dump(url: str, out: Path, tick: Progress) -> tuple[str | None, dict[str, int], str, str]:
    pg_dump = _tool("pg_dump")
    uri, env = _libpq(url)
    version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout.strip()
    with _pg(url) as conn:
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            tables = _pg_tables(conn, schema) if schema else set()
            if "alembic_version" not in tables or not set(COUNTED) <= tables:
                raise BackupError(f"{shown(url)}: not a paperfeed database (no paperfeed tables)")
            # the counts and pg_dump read one snapshot: the one this transaction exports
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            revision = conn.execute(text(f"SELECT version_num FROM {quote(schema)}.alembic_version")).scalar()
            counts = _pg_counts(conn, schema)
            cmd = [pg_dump, "--format=custom", "--verbose", f"--snapshot={snapshot}",
                   f"--schema={quote(schema)}", f"--file={out}", f"--dbname={uri}"]  # fmt: skip
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
            errors, done = [], 0
            assert proc.stderr is not None
            for line in proc.stderr:
                if "dumping contents of table" in line:
                    done += 1
                    tick("snapshot", done, len(tables))
                elif "error:" in line.lower() or "fatal:" in line.lower():
                    errors.append(line.strip())
            if proc.wait() != 0:
                raise BackupError(f"pg_dump failed: {errors[0] if errors else f'exit code {proc.returncode}'}")
    return revision, counts, schema, version


def _search_path_schema(url: str) -> str | None:
    """The first schema the URL's ``options=-csearch_path=...`` names, if any."""
    options = make_url(url).query.get("options")
    if isinstance(options, tuple):
        options = " ".join(options)
    m = re.search(r"search_path\s*=\s*([^\s,]+)", options or "")
    if not m:
        return None
    name = m.group(1).strip("'\"")
    return None if name == "$user" else name


def held(url: str, names: list[str]) -> dict[str, int]:
    """Rows per table of ``names`` that the database's schema holds (empty tables left out)."""
    with _pg(url) as conn:
        schema = _target_schema(conn, url)
        tables = _pg_tables(conn, schema)
        q = "SELECT count(*) FROM {}.{}"
        counts = {t: conn.execute(text(q.format(quote(schema), quote(t)))).scalar_one() for t in names if t in tables}
        return {t: n for t, n in counts.items() if n}


def _target_schema(conn: Connection, url: str) -> str:
    return _search_path_schema(url) or conn.execute(text("SELECT current_schema()")).scalar() or "public"


TOC_LINE = re.compile(r"^\d+; \d+ \d+ (?P<rest>.*)$")


def load(url: str, dump: Path, manifest: Manifest, tick: Progress) -> None:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    listed = subprocess.run([pg_restore, "--list", str(dump)], capture_output=True, text=True)
    if listed.returncode != 0:
        first = (listed.stderr.strip().splitlines() or ["unreadable"])[0]
        raise BackupError(f"the dump in the backup cannot be read: {first}")
    keep, tables, sequences, data = [], [], [], 0
    for line in listed.stdout.splitlines():
        m = TOC_LINE.match(line)
        if not m:
            continue
        words = m.group("rest").split()
        if words[:2] == ["SCHEMA", "-"] or words[:3] == ["COMMENT", "-", "SCHEMA"]:
            continue  # the schema is the target's: made below if need be
        keep.append(line)
        if words[0] == "TABLE" and len(words) == 4:
            tables.append(words[2])
        elif words[0] == "SEQUENCE" and len(words) == 4:
            sequences.append(words[2])
        elif words[:2] == ["TABLE", "DATA"]:
            data += 1
    source = manifest.pg_schema or "public"
    from .models import Base

    with _pg(url) as conn:
        target = _target_schema(conn, url)
        source_existed = bool(
            conn.execute(text("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = :s"), {"s": source}).first()
        )
        if source != target and source_existed and _pg_tables(conn, source) & set(tables):
            raise BackupError(
                f"the backup's tables are in schema {source!r} and the target database already has paperfeed "
                f"tables there: restore into a database without them, or with search_path={source}"
            )
        replaced = sorted(_pg_tables(conn, target) & (set(Base.metadata.tables) | set(tables) | {"alembic_version"}))
    q = quote
    prelude = ["SET client_min_messages = warning;", "BEGIN;", f"CREATE SCHEMA IF NOT EXISTS {q(target)};"]
    prelude += [f"DROP TABLE IF EXISTS {q(target)}.{q(t)} CASCADE;" for t in replaced]  # empty, or --force
    if source != target:
        prelude.append(f"CREATE SCHEMA IF NOT EXISTS {q(source)};")
    epilogue = ["SET search_path = '';"]
    if source != target:
        epilogue += [f"ALTER TABLE {q(source)}.{q(t)} SET SCHEMA {q(target)};" for t in tables]
        epilogue += [f"ALTER SEQUENCE IF EXISTS {q(source)}.{q(s)} SET SCHEMA {q(target)};" for s in sequences]
        if not source_existed:
            epilogue.append(f"DROP SCHEMA {q(source)};")
    checks = " ".join(
        f"IF (SELECT count(*) FROM {q(target)}.{q(t)}) <> {int(n)} THEN "
        f"RAISE EXCEPTION 'restore incomplete: % rows in {t}, the backup has {int(n)}', "
        f"(SELECT count(*) FROM {q(target)}.{q(t)}); END IF;"
        for t, n in manifest.counts.items()
        if t in COUNTED
    )
    epilogue += [f"DO $$ BEGIN {checks} END $$;" if checks else "", "COMMIT;"]
    uri, env = _libpq(url)
    with tempfile.NamedTemporaryFile("w", suffix=".list") as lst, tempfile.TemporaryFile("w+") as errs, \
         tempfile.TemporaryFile("w+") as restore_errs:  # fmt: skip
        lst.write("\n".join(keep) + "\n")
        lst.flush()
        shell = subprocess.Popen(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", f"--dbname={uri}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errs, env=env,
        )  # fmt: skip
        script = subprocess.Popen(
            [pg_restore, "--no-owner", "--no-privileges", f"--use-list={lst.name}", "--file=-", str(dump)],
            stdout=subprocess.PIPE, stderr=restore_errs,
        )  # fmt: skip
        assert shell.stdin is not None and script.stdout is not None
        try:
            shell.stdin.write("\n".join(prelude).encode() + b"\n")
            copied = 0
            tick("load", 0, data)
            while chunk := script.stdout.read(CHUNK):
                shell.stdin.write(chunk)
                n = chunk.count(b"\nCOPY ")
                if n:
                    copied += n
                    tick("load", min(copied, data), data)
            if script.wait() == 0:  # the whole script went in: only now may psql commit
                shell.stdin.write("\n".join(epilogue).encode() + b"\n")
        except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP): it says which below
            pass
        finally:
            with suppress(BrokenPipeError):
                shell.stdin.close()  # without our COMMIT, psql's end rolls everything back
            if script.poll() is None:
                script.kill()
            script.wait()
            shell.wait()
        if shell.returncode != 0:
            errs.seek(0)
            raise BackupError(f"restore failed, nothing changed: {_first_error(errs.read()) or 'psql failed'}")
        if script.returncode != 0:
            restore_errs.seek(0)
            why = _first_error(restore_errs.read()) or f"exit code {script.returncode}"
            raise BackupError(f"restore failed, nothing changed: pg_restore: {why}")


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for ln in lines:
        if "ERROR:" in ln or "FATAL:" in ln or "error:" in ln:
            return ln
    return lines[0] if lines else ""
