"""The anonymous page cache: hits are served before routing (http.cache.CachedPagesMiddleware), never to
signed-in users, never stale after a write, and never carry a visitor's CSRF token."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi import Request

from paperfeed.http.cache import CachedPagesMiddleware, PageCache, cached_page
from paperfeed.web.render import render
from tests.helpers.web import CSRF_RE, add_papers, browser, make_app, paper


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1, upvotes=3), paper(2, upvotes=10))
    return make_app(store, tmp_path)


def test_anonymous_list_pages_are_cached(app):
    with browser(app) as b:
        first = b.get("/")
        assert first.status_code == 200 and "x-cache" not in first.headers
        again = b.get("/")
        assert again.headers["x-cache"] == "hit" and again.headers["content-type"].startswith("text/html")
        assert again.text == first.text
        assert b.get("/trending").status_code == 200 and b.get("/trending").headers["x-cache"] == "hit"
        assert "x-cache" not in b.get("/?sort=published").headers  # another URL, another entry
        assert b.head("/").status_code in (200, 405)  # only GETs take the fast path


def test_paper_pages_and_their_markdown_and_bibtex_are_cached_and_tagged(app):
    with browser(app) as anon, browser(app) as ada:
        first = anon.get("/papers/2401.00001")
        assert first.status_code == 200 and "x-cache" not in first.headers
        assert anon.get("/papers/2401.00001").headers["x-cache"] == "hit"
        for suffix, kind in ((".md", "text/markdown"), (".bib", "application/x-bibtex")):
            r = anon.get(f"/papers/2401.00001{suffix}")
            assert r.headers["content-type"].startswith(kind) and "x-cache" not in r.headers
            assert r.headers["etag"] and r.headers["last-modified"]
            hit = anon.get(f"/papers/2401.00001{suffix}")
            assert hit.headers["x-cache"] == "hit" and hit.content == r.content
            assert hit.headers["content-type"] == r.headers["content-type"]
            again = anon.get(f"/papers/2401.00001{suffix}", headers={"If-None-Match": r.headers["etag"]})
            assert again.status_code == 304 and not again.content
        assert anon.get("/papers/2401.99999").status_code == 404
        assert anon.get("/papers/2401.99999").status_code == 404  # a missing paper is not cached either
        ada.signup("ada")
        r = ada.form("/papers/2401.00001/comments", {"body": "a fresh remark"}, from_page="/papers/2401.00001")
        assert r.status_code in (200, 303)
        fresh = anon.get("/papers/2401.00001")  # the comment expired the cached page
        assert "x-cache" not in fresh.headers and "a fresh remark" in fresh.text


def test_api_lists_are_cached_as_json_and_a_vote_expires_them(app, store):
    from paperfeed.api.schemas import HFDailyItem
    from paperfeed.store import users as store_users

    with store.transaction() as conn:
        token = store_users.create_token(conn, store_users.create_user(conn, username="bot", password_hash="x").id, "t")
    bearer = {"Authorization": f"Bearer {token}"}
    with browser(app) as b:
        for url in ("/api/daily_papers?date=2024-01-02&sort=upvotes", "/api/trending"):
            first, again = b.get(url), b.get(url)
            assert first.status_code == 200 and "x-cache" not in first.headers
            assert again.headers["x-cache"] == "hit" and again.headers["content-type"] == "application/json"
            assert again.json() == first.json()
            assert [HFDailyItem.model_validate(i) for i in again.json()]  # HF's shape and aliases, as uncached
        listed = b.get("/api/daily_papers?date=2024-01-02&sort=upvotes").json()
        assert [i["paper"]["id"] for i in listed] == ["2401.00002", "2401.00001"]
        assert listed[0]["paper"]["upvotes"] == 10
        assert "x-cache" not in b.get("/api/daily_papers?date=2024-01-02&sort=upvotes", headers=bearer).headers
        for n in range(8):  # paper 1 (3 upvotes) overtakes paper 2 (10) through the API's own votes
            with store.transaction() as conn:
                voter = store_users.create_user(conn, username=f"voter{n}", password_hash="x")
                t = store_users.create_token(conn, voter.id, "t")
            assert b.post("/api/papers/2401.00001/vote", json={"value": 1},
                          headers={"Authorization": f"Bearer {t}"}).status_code == 200  # fmt: skip
        fresh = b.get("/api/daily_papers?date=2024-01-02&sort=upvotes")
        assert "x-cache" not in fresh.headers and [i["paper"]["id"] for i in fresh.json()][0] == "2401.00001"
        bad = b.get("/api/daily_papers?date=2024-13-45")
        assert bad.status_code == 400 and "error" in bad.json() and "x-cache" not in b.get(bad.url).headers


def test_invalid_query_is_not_cached(app):
    with browser(app) as b:
        for _ in range(2):
            r = b.get("/?p=0")
            assert r.status_code == 422 and "x-cache" not in r.headers


def test_signed_in_users_get_fresh_pages_and_writes_clear_the_cache(app):
    with browser(app) as anon, browser(app) as ada:
        anon.get("/")
        assert anon.get("/").headers["x-cache"] == "hit"
        ada.signup("ada")
        page = ada.get("/")
        assert "x-cache" not in page.headers and "ada" in page.text
        token = CSRF_RE.search(page.text).group(1)
        r = ada.post("/papers/2401.00002/vote", data={"value": "1", "csrf_token": token},
                     headers={"Accept": "application/json"})  # fmt: skip
        assert r.json()["upvotes"] == 11
        fresh = anon.get("/")
        assert "x-cache" not in fresh.headers and ">11</span>" in fresh.text
        assert "x-cache" not in ada.get("/").headers


def test_a_signed_in_readers_pages_are_not_kept_by_the_browser(app):
    """Back after a vote must show the vote: the browser refetches a signed-in page instead of its copy."""
    with browser(app) as anon, browser(app) as ada:
        assert "no-store" not in anon.get("/").headers.get("cache-control", "")  # shared pages stay cacheable
        ada.signup("ada")
        for path in ("/", "/papers/2401.00002", "/search?q=paper"):
            assert ada.get(path).headers["cache-control"] == "private, no-store", path


def test_api_token_requests_bypass_the_cache(app, store):
    from paperfeed.store import users as store_users

    with store.transaction() as conn:
        user = store_users.create_user(conn, username="bot", password_hash="x")
        token = store_users.create_token(conn, user.id, "t")
    with browser(app) as b:
        b.get("/")
        assert b.get("/").headers["x-cache"] == "hit"
        r = b.get("/", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and "x-cache" not in r.headers


def test_cached_pages_carry_no_visitors_token(app):
    """A cached anonymous page is one page for every reader: a reader with a CSRF cookie (they opened the
    log-in page, which has a token) gets the same bytes as a new reader, no token in them, no cookie set."""
    with browser(app) as one, browser(app) as two:
        assert CSRF_RE.findall(two.get("/login").text)  # two holds a cookie with a token
        one.get("/")
        hit_one, hit_two = one.get("/"), two.get("/")
        assert hit_two.headers["x-cache"] == "hit"
        assert hit_one.content == hit_two.content and not CSRF_RE.findall(hit_two.text)
        assert "set-cookie" not in hit_two.headers and "set-cookie" not in hit_one.headers


@pytest.mark.parametrize("template", ["error.html", "login.html"])
def test_a_page_render_made_a_visitors_own_is_never_kept(app, template):
    """A page ``render`` makes ``private`` (a signed link's page: ``shared=False``; a form carrying the
    visitor's CSRF token: the log-in form) is rendered afresh for every visitor: kept, its hits and 304s would
    have told shared caches ``public``."""

    @cached_page
    def own_page(request: Request):
        if template == "error.html":
            return render(request, template, status=200, detail="A signed link's page", shared=False)
        return render(request, template, next="/")

    app.add_api_route("/own-page", own_page, methods=["GET"])
    with browser(app) as reader:
        first = reader.get("/own-page")
        again = reader.get("/own-page", headers={"If-None-Match": first.headers.get("etag", '"none"')})
    for r in (first, again):
        assert r.status_code == 200 and "x-cache" not in r.headers
        assert r.headers["cache-control"].startswith("private")


def test_cache_middleware_runs_inside_the_session_middleware(app):
    from starlette.middleware.sessions import SessionMiddleware

    order = [m.cls for m in app.user_middleware]  # outermost first
    assert order.index(SessionMiddleware) < order.index(CachedPagesMiddleware)


def test_expired_pages_are_re_rendered_by_one_request_while_others_get_the_old_copy():
    cache = PageCache(ttl=0.05)
    cache.put("/", b"v1")
    assert cache.get("/") == b"v1"
    time.sleep(0.06)
    assert cache.get("/", claim=False) is None  # a peek does not make the caller the renderer
    assert cache.get("/") is None  # this caller renders the new page ...
    assert cache.get("/") == b"v1" and cache.get("/", claim=False) == b"v1"  # ... the others keep the old
    cache.put("/", b"v2")
    assert cache.get("/") == b"v2"
    cache.clear()  # a write expires every page: the next request renders, the ones during it get the old
    assert cache.get("/") is None and cache.get("/") == b"v2"
    cache.release("/")  # the render failed: the next request tries again
    assert cache.get("/") is None
    assert cache.get("/missing") is None and cache.get("/missing") is None  # nothing to serve stale


def test_the_cache_holds_a_bounded_number_of_bytes():
    cache = PageCache(ttl=60, max_bytes=10_000)
    for n in range(5):
        cache.put(f"/papers/{n}", b"x" * 3_000)  # the fourth page would pass 10 kB: all are dropped first
    assert [cache.get(f"/papers/{n}") is not None for n in range(5)] == [False, False, False, True, True]
    cache.put("/papers/4", b"y" * 3_000)  # replacing a page counts its new size only
    cache.put("/papers/5", b"z" * 3_000)
    assert cache.get("/papers/3") is not None and cache.get("/papers/5") == b"z" * 3_000


def test_a_renderer_that_never_returns_stops_holding_the_others_off():
    cache = PageCache(ttl=0.01)
    cache.refresh_timeout = 0.05
    cache.put("/", b"v1")
    time.sleep(0.02)
    assert cache.get("/") is None and cache.get("/") == b"v1"
    time.sleep(0.06)
    assert cache.get("/") is None


def test_after_a_write_the_next_anonymous_page_is_fresh_even_under_concurrent_reads(app):
    """The page that expires on a vote is re-rendered by the next request; concurrent readers meanwhile
    get the previous copy, never an error."""
    with browser(app) as anon, browser(app) as ada:
        anon.get("/")
        ada.signup("ada")
        token = CSRF_RE.search(ada.get("/").text).group(1)
        ada.post("/papers/2401.00001/vote", data={"value": "1", "csrf_token": token},
                 headers={"Accept": "application/json"})  # fmt: skip
        with ThreadPoolExecutor(8) as pool:
            pages = list(pool.map(lambda _: anon.get("/"), range(16)))
        assert all(p.status_code == 200 for p in pages)
        assert ">4</span>" in anon.get("/").text


def test_etags_answer_304_to_a_client_that_has_the_page(app, store):
    with browser(app) as crawler, browser(app) as other:
        first = crawler.get("/papers/2401.00001")
        etag = first.headers["etag"]
        assert first.status_code == 200 and crawler.get("/papers/2401.00001").headers["etag"] == etag  # hit too
        r = crawler.get("/papers/2401.00001", headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
        assert crawler.get("/papers/2401.00001", headers={"If-None-Match": '"stale"'}).status_code == 200
        # no form on it carries a visitor's CSRF token: every anonymous reader's copy is the same version
        assert other.get("/papers/2401.00001", headers={"If-None-Match": etag}).status_code == 304
        api = crawler.get("/api/daily_papers")
        assert crawler.get("/api/daily_papers", headers={"If-None-Match": api.headers["etag"]}).status_code == 304
        crawler.signup("ada")
        signed_in = crawler.get("/papers/2401.00001", headers={"If-None-Match": etag})
        assert signed_in.status_code == 200 and "etag" not in signed_in.headers  # personal pages are not tagged
    with browser(app) as crawler:
        etag = crawler.get("/trending").headers["etag"]
        app.state.page_cache.clear()
        add_papers(store, paper(3, upvotes=50, title="A new paper on top"))
        assert crawler.get("/trending", headers={"If-None-Match": etag}).status_code == 200  # changed: full page


def test_last_modified_answers_304_to_a_crawler_without_cookies(app, store):
    """A crawler that keeps no tag revalidates by time: the page's Last-Modified stays while the page
    does, If-Modified-Since at or after it gets a 304; a page that changed gets a later time and the whole page."""
    url = "/papers/2401.00001"
    with browser(app) as first:
        modified = first.get(url).headers["last-modified"]
        assert "last-modified" in first.get("/api/daily_papers").headers  # the API's cached lists too
    with browser(app) as crawler:
        again = crawler.get(url, headers={"If-Modified-Since": modified})
        assert again.status_code == 304 and again.content == b"" and again.headers["last-modified"] == modified
        earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), usegmt=True)
        assert crawler.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        assert crawler.get(url, headers={"If-Modified-Since": "yesterday"}).status_code == 200  # not a date
        # If-None-Match comes first (RFC 9110): a stale tag gets the page whatever the date
        assert crawler.get(url, headers={"If-None-Match": '"stale"', "If-Modified-Since": modified}).status_code == 200
        time.sleep(1.1)  # Last-Modified counts whole seconds
        app.state.page_cache.clear()  # a write somewhere expires every page: this one renders the same again
        assert crawler.get(url).headers["last-modified"] == modified
        from paperfeed.store import users as store_users

        with store.transaction() as conn:  # a reader upvotes it through the API: the page's count changes
            voter = store_users.create_user(conn, username="voter", password_hash="x")
            bearer = {"Authorization": f"Bearer {store_users.create_token(conn, voter.id, 't')}"}
        assert crawler.post("/api/papers/2401.00001/vote", json={"value": 1}, headers=bearer).status_code == 200
        changed = crawler.get(url, headers={"If-Modified-Since": modified})
        assert changed.status_code == 200 and '<span class="count">4</span>' in changed.text
        assert parsedate_to_datetime(changed.headers["last-modified"]) > parsedate_to_datetime(modified)
        crawler.signup("ada")
        signed_in = crawler.get(url, headers={"If-Modified-Since": modified})
        assert signed_in.status_code == 200 and "last-modified" not in signed_in.headers  # personal pages


def test_author_and_collection_pages_are_cached_and_revalidated_for_anonymous_readers(app):
    with browser(app) as anon, browser(app) as ada:
        ada.signup("ada")
        r = ada.form("/collections", {"name": "Reading", "is_public": "true", "paper_id": "2401.00001"},
                     from_page="/papers/2401.00001")  # fmt: skip
        assert r.status_code == 303
        for path in ("/authors/Ada%20Lovelace", "/collections/1"):
            first = anon.get(path)
            assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"], path
            assert anon.get(path).headers["x-cache"] == "hit", path
            again = anon.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
            assert again.status_code == 304, path
        assert "x-cache" not in ada.get("/collections/1").headers  # its owner gets a fresh page
        # the owner makes it private: anonymous readers no longer get the cached copy
        r = ada.form("/collections/1/edit", {"name": "Reading", "is_public": "false"}, from_page="/collections/1")
        assert r.status_code == 303 and anon.get("/collections/1").status_code == 404
