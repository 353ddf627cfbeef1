"""One spelling of each path: a trailing slash (or an escaped one) is a permanent redirect, never a second
page, a temporary redirect or a redirect into a 404."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from paperfeed.http.slashes import SlashRedirect
from tests.helpers.web import add_papers, browser, make_app, paper


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1), paper(2, arxiv_id="hep-th/9901001v1"))
    return make_app(store, tmp_path)


@pytest.mark.parametrize(
    ("asked", "target"),
    [
        ("/trending/", "/trending"),
        ("/trending/?category=cs.LG", "/trending?category=cs.LG"),
        ("/papers/date/2024-01-02/", "/papers/date/2024-01-02"),
        ("/papers/2401.00001/", "/papers/2401.00001"),
        ("/papers/hep-th/9901001/", "/papers/hep-th/9901001"),
        ("/authors/Ada%20Lovelace/", "/authors/Ada%20Lovelace"),
        ("/papers/", "/papers"),
        ("/feeds/trending.atom/", "/feeds/trending.atom"),
        ("/papers/hep-th%2F9901001", "/papers/hep-th/9901001"),
    ],
)
def test_a_trailing_slash_is_a_permanent_redirect_to_the_path_without_it(app, asked, target):
    with browser(app) as b:
        r = b.get(asked, follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == target, (asked, r.status_code, r.headers)
        assert b.head(asked, follow_redirects=False).status_code == 301


def test_the_slashless_paths_answer_and_nothing_redirects_into_a_404(app):
    with browser(app) as b:
        for path in ("/", "/trending", "/papers/date/2024-01-02", "/papers/2401.00001", "/authors/Ada%20Lovelace"):
            assert b.get(path, follow_redirects=False).status_code == 200, path
        r = b.get("/papers", follow_redirects=False)  # was a 307 to /papers/, itself a 404
        assert r.status_code == 404 and "location" not in r.headers


def test_other_methods_keep_their_method_through_a_308(app):
    with browser(app) as b:
        r = b.post("/papers/2401.00001/vote/", data={"value": "1"}, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/papers/2401.00001/vote"


def test_a_doubled_leading_slash_never_becomes_a_link_to_another_site():
    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "//evil.example/", "raw_path": b"//evil.example/",
             "query_string": b"", "headers": []}  # fmt: skip
    # in a thread of its own: an earlier test in this worker may have left an event loop running here
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, SlashRedirect(None)(scope, None, send)).result()
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 301 and headers[b"location"] == b"/evil.example"


def test_the_json_api_answers_an_escaped_slash_and_never_redirects(app):
    with browser(app) as b:
        r = b.get("/api/papers/hep-th%2F9901001", follow_redirects=False)
        assert r.status_code == 200 and r.json()["id"] == "hep-th/9901001"
        r = b.get("/api/daily_papers/", follow_redirects=False)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")


def test_a_form_posted_to_an_escaped_slash_is_routed_not_redirected(app):
    with browser(app) as b:
        r = b.post("/papers/hep-th%2F9901001/vote", data={"value": "1"}, follow_redirects=False)
    assert r.status_code != 308 and "/papers/hep-th/9901001/vote" not in r.headers.get("location", "")
