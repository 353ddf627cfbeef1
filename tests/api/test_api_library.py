"""POST /api/library/import: Bearer token, raw body or multipart, the JSON report, 401 and 413."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from paperfeed.app import create_app
from paperfeed.settings import Settings
from paperfeed.store import collections as store_collections
from paperfeed.store import library as store_library
from paperfeed.store import users as store_users
from tests.helpers.library import ATTENTION, BERT, library_file, make_user, seed_library_papers


@pytest.fixture
def api(store, tmp_path):
    seed_library_papers(store)
    uid = make_user(store, "ada")
    with store.transaction() as conn:
        token = store_users.create_token(conn, uid, "script")
    with TestClient(create_app(Settings(data_dir=tmp_path, library_max_bytes=4096), store=store)) as client:
        yield client, {"Authorization": f"Bearer {token}"}, store, uid


def _collection(store, uid, name="Library"):
    with store.read() as conn:
        cid = store_library.find_collection(conn, uid, name)
        return None if cid is None else set(store_collections.paper_ids(conn, cid))


def test_raw_body_returns_the_report(api):
    client, auth, store, uid = api
    r = client.post("/api/library/import", content=library_file("arxiv-ids.txt"), headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["format"] == "ids" and body["added"] == 3 and body["collection"] == "Library"
    assert [(m["paper_id"], m["by"], m["status"]) for m in body["matched"]] == [
        (ATTENTION, "arxiv", "added"), (BERT, "arxiv", "added"), ("hep-th/9901001", "arxiv", "added"),
        (ATTENTION, "arxiv", "repeat"),
    ]  # fmt: skip
    assert body["unmatched"] == [{"key": "2401.99999", "line": 8, "title": "", "why": "arXiv 2401.99999 is not here"}]
    assert body["malformed"][0]["line"] == 9 and body["duplicate_keys"] == [{"key": ATTENTION, "lines": [2, 6]}]
    assert _collection(store, uid) == {ATTENTION, BERT, "hep-th/9901001"}
    again = client.post("/api/library/import", content=library_file("arxiv-ids.txt"), headers=auth).json()
    assert again["added"] == 0 and again["message"].startswith("Nothing new")


def test_multipart_format_collection_and_dry_run(api):
    client, auth, store, uid = api
    files = {"file": ("lib.json", library_file("zotero-csl.json"), "application/json")}
    r = client.post("/api/library/import?collection=Papers&dry_run=true", files=files, headers=auth)
    assert r.status_code == 200 and r.json()["dry_run"] and r.json()["added"] == 3
    assert _collection(store, uid, "Papers") is None
    r = client.post("/api/library/import?format=csl-json&collection=Papers", files=files, headers=auth)
    assert r.json()["added"] == 3 and len(_collection(store, uid, "Papers")) == 3
    r = client.post("/api/library/import?format=endnote", content=b"x", headers=auth)
    assert r.status_code == 422


def test_auth_required(api):
    client, auth, store, uid = api
    assert client.post("/api/library/import", content=b"1706.03762").status_code == 401
    bad = {"Authorization": "Bearer pf_not-a-token"}
    assert client.post("/api/library/import", content=b"1706.03762", headers=bad).status_code == 401
    assert _collection(store, uid) is None


def test_too_large_and_unreadable(api):
    client, auth, store, uid = api
    r = client.post("/api/library/import", content=b"1706.03762\n" * 1000, headers=auth)
    assert r.status_code == 413 and "library_max_bytes" in r.json()["error"]
    assert "over the 4 KB limit" in r.json()["error"], r.json()  # a small limit was written "0 MB"
    files = {"file": ("big.txt", b"1706.03762\n" * 1000, "text/plain")}
    r = client.post("/api/library/import", files=files, headers=auth)
    assert r.status_code == 413 and " 0 MB" not in r.json()["error"], r.json()
    r = client.post("/api/library/import", content=b"%PDF-1.4 not a library", headers=auth)
    assert r.status_code == 400 and "is a PDF" in r.json()["error"]
    assert _collection(store, uid) is None
