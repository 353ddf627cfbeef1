"""Anonymous traffic that costs work is limited per client: 429 with Retry-After, never a tied-up worker."""

from __future__ import annotations

import pytest

from paperfeed.http.ratelimit import TokenBuckets, limited
from tests.helpers.web import Browser, add_papers, make_app, paper


def test_token_buckets():
    b = TokenBuckets(rate=2.0, burst=3)
    assert [b.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("a", now=0.0) == pytest.approx(0.5)  # the next token comes in half a second
    assert b.take("b", now=0.0) == 0.0  # another client has its own bucket
    assert b.take("a", now=0.5) == 0.0
    assert b.take("a", now=100.0) == 0.0 and b.take("a", now=100.0) == 0.0  # refilled, up to the burst


def test_what_is_limited():
    assert limited("/api/daily_papers", "") and limited("/search", "q=x") and limited("/feeds/search.atom", "q=x")
    assert limited("/map", "q=diffusion") and not limited("/map", "month=2026-06")
    assert not limited("/trending", "") and not limited("/papers/2401.00001", "") and not limited("/", "")


def _client(app, addr: str) -> Browser:
    return Browser(app, base_url="http://testserver", client=(addr, 50000))


def test_anonymous_search_and_api_get_429_with_retry_after(store, tmp_path):
    add_papers(store, paper(1), paper(2))
    # one token a minute: however slow the first search (it loads the model), none comes back during the test
    app = make_app(store, tmp_path, rate_limit_per_minute=1, rate_limit_burst=3)
    with _client(app, "203.0.113.5") as bot, _client(app, "198.51.100.7") as reader:
        codes = [bot.get("/search", params={"q": f"paper {i}"}).status_code for i in range(3)]
        assert codes == [200, 200, 200]
        r = bot.get("/api/papers/search", params={"q": "number"})
        assert r.status_code == 429 and "too many requests" in r.json()["error"]
        assert 1 <= int(r.headers["retry-after"]) <= 60 and r.headers["retry-after"] in r.json()["error"]
        assert r.headers["cache-control"] == "no-store"  # this client's, now: no proxy gives it to everybody
        assert bot.get("/trending").status_code == 200  # list and paper pages are not limited
        assert bot.get("/papers/2401.00001").status_code == 200
        assert reader.get("/search", params={"q": "paper"}).status_code == 200  # other clients go on


def test_signed_in_users_are_not_limited(store, tmp_path):
    add_papers(store, paper(1))
    app = make_app(store, tmp_path, rate_limit_per_minute=60, rate_limit_burst=1)
    with _client(app, "203.0.113.5") as b:
        b.signup("ada")
        assert all(b.get("/search", params={"q": f"p{i}"}).status_code == 200 for i in range(4))
    off = make_app(store, tmp_path, rate_limit_per_minute=0)
    with _client(off, "203.0.113.6") as b:
        assert all(b.get("/api/daily_papers", params={"p": i}).status_code == 200 for i in range(5))


def test_an_mcp_client_over_the_limit_reads_why(store, tmp_path):
    """Over the limit, /mcp answers a JSON-RPC error, the body an MCP client (the SDK) shows its user, naming
    the wait and the way round it; not the API's {"error": ...}, which the SDK reports as a bare failure."""
    from mcp.client.streamable_http import jsonrpc_message_adapter
    from mcp.types import JSONRPCError

    app = make_app(store, tmp_path, rate_limit_per_minute=1, rate_limit_burst=1)
    call = {"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
    with _client(app, "203.0.113.5") as agent:
        codes = [agent.post("/mcp", json=call, headers=headers) for _ in range(2)]
    r = codes[-1]
    assert r.status_code == 429 and r.headers["content-type"] == "application/json"
    error = jsonrpc_message_adapter.validate_json(r.content)
    assert isinstance(error, JSONRPCError)
    assert f"retry in {r.headers['retry-after']} s" in error.error.message and "API token" in error.error.message
