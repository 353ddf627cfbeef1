"""`paperfeed library import` as a user runs it (its entry point in the test's process): the fixture exports,
exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from paperfeed.store import collections as store_collections
from paperfeed.store import library as store_library
from tests.helpers.cli import pf_here as pf
from tests.helpers.library import LIBRARY_FILES, make_user, seed_library_papers


def _collection(store, uid, name="Library"):
    with store.read() as conn:
        cid = store_library.find_collection(conn, uid, name)
        return None if cid is None else set(store_collections.paper_ids(conn, cid))


def test_import_prints_the_report_and_is_idempotent(store, db_url):
    seed_library_papers(store)
    uid = make_user(store, "ada")
    mendeley = str(LIBRARY_FILES / "mendeley.bib")
    r = pf(db_url, "library", "import", "--user", "ada", mendeley)
    assert r.returncode == 0, r.stderr
    assert "Matched (3)" in r.stdout and "Malformed, skipped (1)" in r.stdout and "Duplicate keys (1)" in r.stdout
    assert "Broken2019" in r.stdout and "Über die Schrödinger-Gleichung" in r.stdout
    assert "Added 3 papers to Library (0 already there); 1 not found here; 1 malformed." in r.stdout
    assert len(_collection(store, uid)) == 3
    r = pf(db_url, "library", "import", "--user", "ada", "--json", mendeley)
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["added"] == 0 and report["already"] == 3


def test_format_collection_dry_run_and_refusals(store, db_url, tmp_path):
    seed_library_papers(store)
    uid = make_user(store, "ada")
    ids = str(LIBRARY_FILES / "arxiv-ids.txt")
    r = pf(db_url, "library", "import", "--user", "ada", "--format", "ids", "--collection", "Queue", "--dry-run", ids)
    assert r.returncode == 0 and "Dry run: would add 3 papers to Queue" in r.stdout
    assert _collection(store, uid, "Queue") is None
    junk = tmp_path / "junk.bib"
    junk.write_bytes(bytes(range(256)) * 8)
    r = pf(db_url, "library", "import", "--user", "ada", str(junk))
    assert r.returncode == 2 and "junk.bib is a binary file" in r.stderr
    r = pf(db_url, "--config", str(_small_config(tmp_path)), "library", "import", "--user", "ada", ids)
    assert r.returncode == 2 and "more than 2 entries" in r.stderr
    r = pf(db_url, "library", "import", "--user", "nobody", ids)
    assert r.returncode == 1 and "no user named 'nobody'" in r.stderr
    assert _collection(store, uid) is None


def _small_config(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text("library_max_entries = 2\n")
    return path
