"""``paperfeed backup | restore`` as a user runs them (their entry point in the test's process, SQLite data
dirs): the secret key travels with the backup, a non-empty target needs --force, the restored site's search
indexes are rebuilt from the restored database (stale ones dropped), errors are one line. PostgreSQL:
tests/store/test_backup.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from paperfeed.index import index_root, job
from paperfeed.index.embed import DIM, MODEL_NAME
from paperfeed.index.lexical import LexicalIndex
from paperfeed.index.vectors import VectorIndex
from paperfeed.settings import Settings
from paperfeed.store import Store, community, users
from paperfeed.store import vectors as store_vectors
from tests.helpers.cli import pf_here
from tests.helpers.search import FILES, load


def pf(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """The command on the data dir's own SQLite database and secret key file."""
    return pf_here(None, *args, env={"PAPERFEED_DATA_DIR": str(data_dir), "PAPERFEED_SECRET_KEY": None})


def site(data_dir: Path) -> tuple[Settings, Store]:
    settings = Settings(data_dir=data_dir, search_refresh_seconds=0)
    return settings, Store.open(settings.db_url)


def test_backup_then_restore_a_site(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    settings, store = site(old)
    load(store, FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz")  # 22 papers
    rng = np.random.default_rng(1)
    with store.transaction() as conn:
        ids = list(store_vectors.all_ids(conn))
        vecs = rng.normal(size=(len(ids), DIM)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        store_vectors.save_vectors(conn, MODEL_NAME, [(p, "h", v.tobytes()) for p, v in zip(ids, vecs, strict=True)])
        ada = users.create_user(conn, username="ada", password_hash="x")
        for p in ids[:3]:
            community.vote(conn, user_id=ada.id, paper_id=p, value=1)
    store.close()
    (old / "secret_key").write_text("the-old-sites-key")

    other_settings, other = site(new)  # another site, with its own papers and index
    load(other, FILES / "papers-page-sample.txt")
    job.run(other, other_settings, embed=False)
    other.close()

    r = pf(old, "backup", str(tmp_path / "site.pfbackup"))
    assert r.returncode == 0, r.stderr
    assert "backup written" in r.stdout and "22 papers, 1 accounts, 3 votes" in r.stdout
    assert "with the secret key" in r.stdout

    r = pf(new, "restore", str(tmp_path / "site.pfbackup"))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1 and "--force" in r.stderr

    r = pf(new, "restore", str(tmp_path / "site.pfbackup"), "--force")
    assert r.returncode == 0, r.stderr
    assert "search indexes rebuilt: 22 papers, 22 vectors" in r.stdout
    assert "secret key: installed" in r.stdout
    assert (new / "secret_key").read_text() == "the-old-sites-key"

    settings, store = site(new)
    try:
        root = index_root(settings)  # what the restore left on disk, before any search catches up
        assert LexicalIndex(root / "lexical").num_docs == 22  # the other site's documents are gone
        assert len(VectorIndex(root / "vectors", MODEL_NAME)) == 22
        with store.read() as conn:
            assert community.user_votes(conn, ada.id) == {p: 1 for p in ids[:3]}
    finally:
        store.close()


def test_restore_errors_are_one_line(tmp_path):
    garbage = tmp_path / "garbage.pfbackup"
    garbage.write_bytes(b"PGDMP" + b"\x00" * 200)
    for args, message in [
        (["restore", str(garbage)], "a pg_dump archive, not a paperfeed backup"),
        (["restore", str(tmp_path / "missing.pfbackup")], "no such file"),
        (["backup", str(tmp_path / "x.pfbackup")], "nothing to back up"),
    ]:
        r = pf(tmp_path / "data", *args)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.count("\n") == 1
    assert not (tmp_path / "data").exists()
