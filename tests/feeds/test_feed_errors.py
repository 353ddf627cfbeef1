"""A feed URL that fails answers one line of plain text with the right status, which a feed reader shows as
it is (an HTML page reads as "not a feed"); the web pages keep their HTML error pages."""

from __future__ import annotations

import pytest

from paperfeed.store import collections as store_collections
from paperfeed.store import users as store_users
from tests.helpers.web import Browser, add_papers, make_app, paper

PLAIN = "text/plain; charset=utf-8"


@pytest.fixture
def site(store, tmp_path):
    add_papers(store, paper(1))
    with store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash="x")
        private = store_collections.create(conn, user_id=ada.id, name="Mine")
    with Browser(make_app(store, tmp_path)) as c:
        yield c, private


def test_each_feed_error_is_plain_text_with_its_status(site):
    client, private = site
    cases = [
        (f"/feeds/collection/{private}.atom", 404, "no such collection"),  # private: as if missing
        ("/feeds/collection/99999.rss", 404, "no such collection"),
        ("/feeds/daily.xml", 422, "bad fmt: Input should be 'atom' or 'rss'"),
        ("/feeds/collection/0.atom", 422, "bad collection_id:"),
        ("/feeds/search.atom", 422, "bad q: Field required"),
        ("/feeds/search.rss?q=%20", 400, "q is empty"),
        ("/feeds/nothing.atom", 404, "Not Found"),
    ]
    for url, status, message in cases:
        for accept in ("*/*", "application/json"):  # a reader asking for JSON still reads a line of text
            r = client.get(url, headers={"Accept": accept})
            assert (r.status_code, r.headers["content-type"]) == (status, PLAIN), (url, r.text[:200])
            assert r.text.startswith(message) and r.text.count("\n") == 1 and "<" not in r.text, (url, r.text)
            assert r.headers["cache-control"] == "no-store", url  # no cache keeps an error
        head = client.head(url)
        assert (head.status_code, head.headers["content-type"], head.content) == (status, PLAIN, b"")


def test_a_feed_reader_over_the_rate_limit_reads_when_to_come_back(store, tmp_path):
    app = make_app(store, tmp_path, rate_limit_per_minute=1, rate_limit_burst=2)
    with Browser(app, base_url="http://testserver", client=("203.0.113.9", 50000)) as reader:
        assert [reader.get("/feeds/search.atom?q=%20").status_code for _ in range(2)] == [400, 400]
        r = reader.get("/feeds/search.atom?q=graphs")
        assert (r.status_code, r.headers["content-type"]) == (429, PLAIN)
        retry = r.headers["retry-after"]
        assert 1 <= int(retry) <= 60 and r.text == f"too many requests: retry in {retry} s\n"
        api = reader.get("/api/papers/search?q=graphs")  # the API's 429 stays JSON
        assert api.status_code == 429 and api.json()["error"].startswith("too many requests")
        assert r.headers["cache-control"] == api.headers["cache-control"] == "no-store"  # this reader's, now


def test_pages_keep_their_html_error_pages(site):
    client, private = site
    for url, status in ((f"/collections/{private}", 404), ("/collections/99999", 404), ("/nothing", 404)):
        r = client.get(url)
        assert r.status_code == status and r.headers["content-type"].startswith("text/html"), url
        assert "<html" in r.text
    assert client.get("/api/collections/99999").json() == {"error": "no such collection"}
