"""Backups on SQLite and PostgreSQL: taken while votes are being committed, restored into an empty
database with every vote committed before the backup began; bad files and non-empty targets refused
with one clear line, leaving the target as it was."""

from __future__ import annotations

import io
import re
import sqlite3
import tarfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.pool import NullPool

from paperfeed.store import Store, backup_sqlite, community, users
from paperfeed.store import backup as B
from paperfeed.store.db import current_revision, head_revision
from paperfeed.store.models import Base, votes
from tests.conftest import PG_URL
from tests.helpers.search import FILES, load

EXCERPT = FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz"  # 22 papers
PAGE = FILES / "papers-page-sample.txt"


@pytest.fixture
def fresh(request, tmp_path, db_url):
    """``fresh(schema=None)``: the URL of a new, empty database of ``db_url``'s kind (SQLite: a file in a
    folder not made yet; PostgreSQL: a database created for the test, dropped after it)."""
    made: list[str] = []

    def make(schema: str | None = None) -> str:
        if db_url.startswith("sqlite"):
            made.append(str(tmp_path / f"restored{len(made)}"))
            return f"sqlite:///{made[-1]}/paperfeed.db"
        admin = request.getfixturevalue("pg_admin")
        name = f"pf_restore_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        if schema:
            engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            with engine.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine.dispose()
        return url + (f"?options=-csearch_path%3D{schema}" if schema else "")

    yield make
    if not db_url.startswith("sqlite"):
        admin = request.getfixturevalue("pg_admin")
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def source_schema(db_url: str) -> str | None:
    m = re.search(r"search_path%3D(\w+)", db_url)
    return m.group(1) if m else None


def all_votes(url: str) -> set[tuple[int, str]]:
    s = Store.open(url, upgrade=False)
    try:
        with s.read() as conn:
            return {(r.user_id, r.paper_id) for r in conn.execute(select(votes.c.user_id, votes.c.paper_id))}
    finally:
        s.close()


def make_users(store: Store, n: int) -> list[int]:
    with store.transaction() as conn:
        return [users.create_user(conn, username=f"reader{i}", password_hash="x").id for i in range(n)]


def paper_ids(store: Store) -> list[str]:
    with store.read() as conn:
        return list(conn.execute(text("SELECT id FROM papers ORDER BY id")).scalars())


def test_backup_while_voting_restores_every_committed_vote(store, db_url, fresh, tmp_path, monkeypatch):
    load(store, EXCERPT)
    pairs = [(u, p) for u in make_users(store, 48) for p in paper_ids(store)]  # 1,056 distinct votes
    committed: list[tuple[int, str]] = []
    stop = threading.Event()
    failure: list[BaseException] = []

    def voter() -> None:
        try:
            for u, p in pairs:
                if stop.is_set():
                    return
                with store.transaction() as conn:
                    community.vote(conn, user_id=u, paper_id=p, value=1)
                committed.append((u, p))  # appended once committed
                time.sleep(0.002)  # paced, so votes are still coming however slowly the backup starts
        except BaseException as exc:  # noqa: BLE001
            failure.append(exc)

    monkeypatch.setattr(backup_sqlite, "SQLITE_PAGES", 2)  # many steps, so votes land between them
    waited = []

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "snapshot" and not waited:  # the snapshot is open: let more votes commit meanwhile
            goal = len(committed) + 15
            deadline = time.monotonic() + 20
            while len(committed) < goal and time.monotonic() < deadline and not failure:
                time.sleep(0.005)
            waited.append(len(committed) - goal + 15)

    writer = threading.Thread(target=voter)
    writer.start()
    try:
        while len(committed) < 40 and writer.is_alive():
            time.sleep(0.005)
        before = set(committed)  # every vote committed before the backup began
        manifest = B.create(db_url, tmp_path / "site.pfbackup", progress=progress)
    finally:
        stop.set()
        writer.join()
    assert not failure, failure
    assert waited and waited[0] >= 15, "no vote was committed while the backup ran"
    ever = set(committed)

    target = fresh()
    restored = B.restore(target, tmp_path / "site.pfbackup")
    got = all_votes(target)
    assert before <= got <= ever
    assert len(got) == manifest.counts["votes"] < len(ever)
    assert restored.revision == head_revision() and restored.replaced == {}

    s = Store.open(target)  # the restored database is a working one, its schema the models'
    try:
        assert current_revision(s.engine) == head_revision()
        with s.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        if s.dialect == "sqlite":
            with s.read() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        with s.transaction() as conn:  # sequences carried on: new rows get new ids
            new = users.create_user(conn, username="after", password_hash="x")
            community.vote(conn, user_id=new.id, paper_id=paper_ids(s)[0], value=1)
        with s.read() as conn:
            assert conn.execute(select(func.count()).select_from(votes)).scalar_one() == len(got) + 1
    finally:
        s.close()


def _backup(store: Store, db_url: str, path: Path) -> B.Manifest:
    load(store, EXCERPT)
    make_users(store, 2)
    return B.create(db_url, path, extras={"secret_key": b"k" * 64})


def _truncated(src: Path, dst: Path, keep: int) -> Path:
    """The first ``keep`` bytes of ``src`` (a negative ``keep``: all but the last ``-keep``)."""
    dst.write_bytes(src.read_bytes()[:keep])
    return dst


def _tampered(src: Path, dst: Path) -> Path:
    """The same backup with one byte of its database changed."""
    out = io.BytesIO()
    with tarfile.open(src) as tin, tarfile.open(fileobj=out, mode="w") as tout:
        for m in tin:
            data = bytearray(tin.extractfile(m).read())
            if m.name.startswith("database."):
                data[len(data) // 2] ^= 0xFF
            tout.addfile(m, io.BytesIO(bytes(data)))
    dst.write_bytes(out.getvalue())
    return dst


def _target_state(url: str) -> object:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        return path.exists() and path.read_bytes()
    return B.held(url)


def test_bad_files_are_refused_and_change_nothing(store, db_url, fresh, tmp_path):
    good = tmp_path / "good.pfbackup"
    manifest = _backup(store, db_url, good)
    garbage = tmp_path / "garbage.pfbackup"
    garbage.write_bytes(b"\x00\x01 certainly not a backup " * 100)
    empty = tmp_path / "empty.pfbackup"
    empty.write_bytes(b"")
    raw = tmp_path / "raw.db"
    sqlite3.connect(raw).execute("CREATE TABLE t (x)").connection.commit()
    cases = {
        tmp_path / "missing.pfbackup": "no such file",
        tmp_path: "not a file",
        garbage: "not a paperfeed backup",
        empty: "not a paperfeed backup",
        raw: "an SQLite database file, not a paperfeed backup",
        _truncated(good, tmp_path / "cut-early.pfbackup", 400): "truncated or damaged",
        _truncated(good, tmp_path / "cut.pfbackup", 30_000): "truncated or damaged",
        # the tar's end blocks and padding (up to 11 kB) carry no data: cut into the database's last bytes
        _truncated(good, tmp_path / "cut-late.pfbackup", -12_000): "truncated or damaged",
        _tampered(good, tmp_path / "tampered.pfbackup"): "truncated or damaged",
    }
    target = fresh()
    for path, message in cases.items():
        with pytest.raises(B.BackupError, match=re.escape(message)) as err:
            B.restore(target, path)
        assert "\n" not in str(err.value)
        assert _target_state(target) in (False, {}), path
    if target.startswith("sqlite"):
        assert not Path(make_url(target).database).parent.exists()  # not even the data dir was made

    Store.open(target).close()  # a fresh `paperfeed init` holds nothing: a restore may fill it
    restored = B.restore(target, good)
    assert restored.extras == {"secret_key": b"k" * 64} and restored.manifest.counts == manifest.counts
    assert B.held(target)["papers"] == 22 and B.held(target)["users"] == 2


def test_a_non_empty_target_is_refused_unless_forced(store, db_url, fresh, tmp_path):
    good = tmp_path / "good.pfbackup"
    _backup(store, db_url, good)
    target = fresh(schema=source_schema(db_url))  # PostgreSQL: the source's schema name, in a new database
    other = Store.open(target)
    load(other, PAGE)
    with other.transaction() as conn:
        users.create_user(conn, username="someone", password_hash="x")
    other.close()
    before = B.held(target)
    assert before["papers"] != 22
    with pytest.raises(B.BackupError, match=r"already holds [\d,]+ papers, 1 accounts: .* --force"):
        B.restore(target, good)
    assert B.held(target) == before

    restored = B.restore(target, good, force=True)
    assert restored.replaced == before
    after = B.held(target)
    assert after["papers"] == 22 and after["users"] == 2
    s = Store.open(target)
    try:
        with s.read() as conn:
            names = set(conn.execute(text("SELECT username FROM users")).scalars())
            assert names == {"reader0", "reader1"}
            if s.dialect == "sqlite":
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        s.close()


def test_backup_writes_whole_files_only_and_never_over_another_file(store, db_url, tmp_path):
    load(store, EXCERPT)
    path = tmp_path / "site.pfbackup"
    first = B.create(db_url, path)
    assert path.stat().st_mode & 0o777 == 0o600  # it holds password hashes
    assert B.read_manifest(path).sha256 == first.sha256
    make_users(store, 1)
    second = B.create(db_url, path)  # an older backup is replaced
    assert second.counts["users"] == 1 and B.read_manifest(path).counts["users"] == 1
    precious = tmp_path / "notes.txt"
    precious.write_text("mine")
    with pytest.raises(B.BackupError, match="exists and is not a paperfeed backup"):
        B.create(db_url, precious)
    assert precious.read_text() == "mine"
    with pytest.raises(B.BackupError, match="no folder"):
        B.create(db_url, tmp_path / "nowhere" / "x.pfbackup")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no leftovers


def test_a_backup_restores_only_into_its_own_kind(tmp_path, pg_admin):
    lite_url = f"sqlite:///{tmp_path / 'lite.db'}"
    lite = Store.open(lite_url)
    load(lite, EXCERPT)
    lite.close()
    B.create(lite_url, tmp_path / "lite.pfbackup")

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        Store.open(pg_url).close()
        B.create(pg_url, tmp_path / "pg.pfbackup")
        with pytest.raises(B.BackupError, match="an SQLite backup, and the database .* is PostgreSQL"):
            B.restore(pg_url, tmp_path / "lite.pfbackup")
        target = f"sqlite:///{tmp_path / 'empty' / 'paperfeed.db'}"
        with pytest.raises(B.BackupError, match="a PostgreSQL backup, and the database .* is SQLite"):
            B.restore(target, tmp_path / "pg.pfbackup")
        assert not (tmp_path / "empty").exists()
    finally:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_a_backup_of_a_newer_schema_is_refused(lite_store, tmp_path):
    url = lite_store.engine.url.render_as_string(hide_password=False)
    with lite_store.transaction() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    B.create(url, tmp_path / "new.pfbackup")
    with pytest.raises(B.BackupError, match=r"schema \(9999\) is newer than this paperfeed knows"):
        B.restore(f"sqlite:///{tmp_path / 'x' / 'paperfeed.db'}", tmp_path / "new.pfbackup")


def test_backup_of_no_database_is_refused(tmp_path):
    with pytest.raises(B.BackupError, match="no database at .*nothing to back up"):
        B.create(f"sqlite:///{tmp_path / 'none.db'}", tmp_path / "x.pfbackup")
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "x.pfbackup").exists()
