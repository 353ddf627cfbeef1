"""Only a request that an API token really signs in escapes the anonymous rate limit and the page cache; any
other ``Authorization`` header is an anonymous request. And whether a map is a query's is read from the
query's parameters as the route reads them, however they are spelled."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from paperfeed.http.ratelimit import limited
from paperfeed.store import users as store_users
from tests.helpers.web import Browser, add_papers, make_app, paper

JUNK = ["x", "Basic eA==", "Bearer junk", "Bearer pf_forged", "bearer"]


def _client(app, addr: str) -> Browser:
    return Browser(app, base_url="http://testserver", client=(addr, 50000))


def _token(store, name: str = "bot", *, banned: bool = False) -> str:
    with store.transaction() as conn:
        user = store_users.create_user(conn, username=name, password_hash="x")
        store_users.set_banned(conn, user.id, banned)
        return store_users.create_token(conn, user.id, "t")


@pytest.mark.parametrize("header", JUNK)
def test_any_authorization_header_that_signs_nobody_in_is_limited(store, tmp_path, header):
    add_papers(store, paper(1))
    app = make_app(store, tmp_path, rate_limit_per_minute=1, rate_limit_burst=2)
    with _client(app, "203.0.113.5") as bot:
        codes = [bot.get("/api/daily_papers", params={"p": i}, headers={"Authorization": header}).status_code
                 for i in range(4)]  # fmt: skip
        assert codes[-1] == 429, codes


def test_a_valid_token_is_not_limited_but_a_suspended_accounts_is(store, tmp_path):
    add_papers(store, paper(1))
    good, suspended = _token(store, "ada"), _token(store, "troll", banned=True)
    app = make_app(store, tmp_path, rate_limit_per_minute=1, rate_limit_burst=2)
    with _client(app, "203.0.113.5") as client:
        bearer = {"Authorization": f"Bearer {good}"}
        assert all(client.get("/api/daily_papers", params={"p": i}, headers=bearer).status_code == 200
                   for i in range(5))  # fmt: skip
    with _client(app, "198.51.100.7") as client:
        bearer = {"Authorization": f"Bearer {suspended}"}
        codes = [client.get("/api/daily_papers", params={"p": i}, headers=bearer).status_code
                 for i in range(4)]  # fmt: skip
        assert codes == [403, 403, 429, 429]


@pytest.mark.parametrize("query", ["q=foo", "%71=foo", "q", "a=1&q=x", "q=&month=2026-06"])
def test_a_query_map_is_limited_however_q_is_spelled(query):
    scope = {"type": "http", "query_string": query.encode(), "headers": []}
    assert "q" in Request(scope).query_params  # the route sees a q ...
    assert limited("/map", query)  # ... so the limit does


@pytest.mark.parametrize("query", ["", "month=2026-06", "date=2026-06-12&note=q%3Dx", "aq=1", "week=2026-W24"])
def test_a_periods_map_is_not_limited(query):
    assert not limited("/map", query)


@pytest.mark.parametrize("header", JUNK)
def test_junk_authorization_does_not_get_past_the_page_cache(store, tmp_path, header):
    """A header that signs nobody in gets the cached page: it cannot make the server render every time."""
    add_papers(store, paper(1))
    app = make_app(store, tmp_path)
    with _client(app, "203.0.113.5") as anon:
        assert anon.get("/trending").status_code == 200
        r = anon.get("/trending", headers={"Authorization": header})
        assert r.status_code == 200 and r.headers.get("x-cache") == "hit"


def test_a_valid_token_gets_a_fresh_page(store, tmp_path):
    add_papers(store, paper(1))
    token = _token(store)
    app = make_app(store, tmp_path)
    with _client(app, "203.0.113.5") as client:
        assert client.get("/trending").status_code == 200
        r = client.get("/trending", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and "x-cache" not in r.headers
