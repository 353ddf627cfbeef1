"""Numbers and ids are checked where they enter: too large for the database's integer type, negative or
out of range gives 4xx, never a 500 (on PostgreSQL an oversized integer is a database error)."""

from __future__ import annotations

import pytest

from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper

BIG = "99999999999999999999"
GETS = [
    f"/collections/{BIG}", f"/collections/{BIG}.json", f"/api/collections/{BIG}", "/collections/-1",
    f"/api/daily_papers?p={BIG}", "/api/daily_papers?p=-1", "/api/daily_papers?limit=100000",
    "/api/daily_papers?date=99999-01-01", "/papers/date/0000-01-01", "/papers/week/2026-W99", "/papers/month/2026-13",
    f"/search?q=x&p={BIG}", "/search?q=x&p=-1", f"/api/papers/search?q=x&p={BIG}", f"/authors/x?p={BIG}",
    f"/api/papers/{BIG}", f"/api/trending?p={BIG}", f"/keywords/x?p={BIG}", "/map?date=2026-02-30",
    f"/sitemaps/papers-{BIG}.xml",
]  # fmt: skip


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1))
    return make_app(store, tmp_path, rate_limit_per_minute=0)


def test_bad_numbers_in_gets_are_4xx(app):
    with browser(app) as b:
        for path in GETS:
            r = b.get(path)
            assert 400 <= r.status_code < 500, (path, r.status_code)


def test_bad_ids_in_writes_are_4xx(app, store):
    with store.transaction() as conn:
        token = store_users.create_token(conn, store_users.create_user(conn, username="ada", password_hash="x").id, "t")
    auth = {"Authorization": f"Bearer {token}"}
    with browser(app) as b:
        assert b.delete(f"/api/collections/{BIG}", headers=auth).status_code == 422
        assert b.post(f"/api/collections/{BIG}/papers/2401.00001", headers=auth).status_code == 422
        r = b.post("/api/papers/2401.00001/comments", json={"body": "hi", "parent_id": int(BIG)}, headers=auth)
        assert r.status_code == 422
        r = b.post("/api/papers/2401.00001/comments", json={"body": "hi", "parent_id": 0}, headers=auth)
        assert r.status_code == 422
        b.signup("bob")
        for path, data in [(f"/account/tokens/{BIG}/delete", {}), ("/collections/add", {"collection_id": BIG,
                           "paper_id": "2401.00001"}), ("/papers/2401.00001/comments", {"body": "x", "parent_id": BIG}),
                           (f"/collections/{BIG}/delete", {})]:  # fmt: skip
            r = b.form(path, data, from_page="/")
            assert 400 <= r.status_code < 500, (path, r.status_code)


def test_a_nul_character_anywhere_is_422(app, store):
    """PostgreSQL refuses a NUL in any text parameter (the query failed: a 500); found by the OpenAPI fuzzing
    (tests/api/test_openapi_fuzz.py) in a feed's ``category``. Refused at the edge, on SQLite too."""
    with store.transaction() as conn:
        token = store_users.create_token(conn, store_users.create_user(conn, username="ada", password_hash="x").id, "t")
    auth = {"Authorization": f"Bearer {token}"}
    with browser(app) as b:
        for path in ["/feeds/trending.rss?category=cs%00", "/api/papers/2401.00001%00", "/authors/A%00",
                     "/api/daily_papers?keyword=a%00b", "/papers/date%00/2024-01-02", "/users/ada%00"]:  # fmt: skip
            r = b.get(path, headers=auth)
            assert r.status_code == 422, (path, r.status_code)
        r = b.get("/search?keyword=%00", headers={"Accept": "application/json"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "keyword"]
        assert b.post("/api/collections", json={"name": "a\x00"}, headers=auth).status_code == 422
        assert b.post("/api/papers/2401.00001/comments", json={"body": "\x00"}, headers=auth).status_code == 422
        assert b.post("/account/tokens", data={"name": "t\x00"}, headers=auth).status_code == 422
        files = {"file": ("lib.txt", b"1706.03762\n")}
        r = b.post("/library/import", data={"collection": "x\x00"}, files=files, headers=auth)
        assert r.status_code == 422
        assert b.post("/login", data={"username": "ada\x00", "password": "x"}, headers=auth).status_code == 422
