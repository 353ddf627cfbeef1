"""The /library/import page: login, CSRF, upload and paste, the report, refused files, hostile text."""

from __future__ import annotations

import pytest

from paperfeed.store import collections as store_collections
from paperfeed.store import library as store_library
from tests.helpers.library import ATTENTION, BERT, PASSWORD, library_file, make_user, seed_library_papers
from tests.helpers.web import browser, make_app

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture
def site(store, tmp_path):
    seed_library_papers(store)
    uid = make_user(store, "ada")
    with browser(make_app(store, tmp_path, library_max_bytes=4096)) as b:
        yield b, store, uid


def _login(b):
    assert b.login("ada", PASSWORD).status_code == 303


def _upload(b, name: str, data: bytes, **fields):
    token = b.csrf("/library/import")
    return b.post(
        "/library/import",
        data={"csrf_token": token, **fields},
        files={"file": (name, data, "application/octet-stream")},
    )


def _library(store, uid):
    with store.read() as conn:
        cid = store_library.find_collection(conn, uid, "Library")
        return None if cid is None else set(store_collections.paper_ids(conn, cid))


def test_login_required(site):
    b, store, uid = site
    r = b.get("/library/import", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/library/import"
    r = b.post("/library/import", data={"csrf_token": "x"}, files={"file": ("a.bib", b"1706.03762")},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert _library(store, uid) is None


def test_upload_shows_the_report_and_fills_the_library(site):
    b, store, uid = site
    _login(b)
    assert 'href="/library/import"' in b.get("/users/ada").text  # linked from the profile
    r = _upload(b, "zotero.bib", library_file("zotero.bib"))
    assert r.status_code == 200, r.text
    assert "Added 3 papers to Library (0 already there); 1 not found here." in r.text
    assert f'href="/papers/{ATTENTION}"' in r.text and f'href="/papers/{BERT}"' in r.text
    with store.read() as conn:
        cid = store_library.find_collection(conn, uid, "Library")
    assert f'href="/collections/{cid}"' in r.text
    assert "bishop_pattern_2006" in r.text and "no paper with this title" in r.text
    assert len(_library(store, uid)) == 3
    again = _upload(b, "zotero.bib", library_file("zotero.bib"))
    assert "Nothing new: all 3 matched papers were already in Library" in again.text
    assert b.get(f"/collections/{cid}").status_code == 200


def test_paste_box_format_override_and_other_collection(site):
    b, store, uid = site
    _login(b)
    token = b.csrf("/library/import")
    r = b.post("/library/import", data={"csrf_token": token, "text": f"{ATTENTION}\nnot-an-id\n", "format": "ids",
                                        "collection": "Reading list"}, files={"file": ("", b"")})  # fmt: skip
    assert r.status_code == 200
    assert "Added 1 paper to Reading list" in r.text and "is not an arXiv id, arXiv URL or DOI" in r.text
    assert _library(store, uid) is None


def test_csrf_is_checked(site):
    b, store, uid = site
    _login(b)
    r = b.post("/library/import", data={"csrf_token": "forged"}, files={"file": ("a.txt", ATTENTION.encode())})
    assert r.status_code == 403 and "CSRF" in r.text
    assert _library(store, uid) is None


def test_hostile_text_from_the_file_is_shown_as_text(site):
    b, store, uid = site
    _login(b)
    bib = (
        "@article{x<b>key</b>,\n  title = {" + HOSTILE + " Evil},\n  year = {2020}\n}\n@article{<i>broken, title={x}\n"
    )
    r = _upload(b, f"{HOSTILE}.bib", bib.encode())
    assert r.status_code == 200
    assert "<script>alert(1)" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "x&lt;b&gt;key&lt;/b&gt;" in r.text
    assert "<b>key" not in r.text and "<i>broken" not in r.text


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"1706.03762\n" * 1000, 413, "over the 4 KB limit (setting library_max_bytes)"),
        (b"\x00\x01\x02\x03" * 50, 400, "is a binary file, not a library export"),
        (b"", 400, "Choose a file or paste your library."),
    ],
)
def test_refused_files_store_nothing(site, data, status, message):
    b, store, uid = site
    _login(b)
    r = _upload(b, "big.txt" if data else "", data)
    assert r.status_code == status and message in r.text
    assert _library(store, uid) is None
