"""The MCP server over streamable HTTP (``/mcp`` of the app on a live uvicorn server), through the SDK's own
client: every tool and resource, no token, a bad token and a good one, bad arguments; SQLite and PostgreSQL.

One database per module and backend (the 124 seed papers, indexed with vectors, plus three papers featured
in January 2024), one server; each test opens its own session (milliseconds).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from mcp import MCPError
from sqlalchemy import text

from paperfeed.index import job
from paperfeed.settings import Settings
from paperfeed.store import Store
from paperfeed.store import papers as store_papers
from paperfeed.store import summaries as store_summaries
from paperfeed.store import users as store_users
from tests.conftest import PG_URL
from tests.helpers.liveserver import live_server
from tests.helpers.mcp import connect, http
from tests.helpers.search import SEED_FILES, load
from tests.helpers.web import add_papers, make_app, paper

TOOLS = {
    "search", "similar", "paper", "daily_papers", "weekly_papers", "monthly_papers", "trending", "for_you",
    "upvote", "collections", "collection", "create_collection", "add_to_collection",
}  # fmt: skip
TITLE = "Upcycling Text-to-Image Diffusion Models for Multi-Task Capabilities"  # seed paper 2503.11905
SUMMARY = "Multi-Task Upcycling turns one text-to-image diffusion model into an on-device multi-task one."
OLD, NEW, VOTED = "2401.00001", "2401.00002", "2401.00003"  # featured 2 Jan (5 upvotes), 30 Jan (3), 31 Jan (0)


@dataclass
class Served:
    url: str  # the MCP endpoint
    base: str
    store: Store
    ann: str  # API tokens
    bob: str
    bob_private: int  # a private collection of bob's


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory, encoder):
    tmp = tmp_path_factory.mktemp("mcp")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'paperfeed.db'}"
    else:
        pg_admin = request.getfixturevalue("pg_admin")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with pg_admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    store = Store.open(url)
    settings = Settings(data_dir=tmp / "data", database_url=url, search_refresh_seconds=0, rate_limit_per_minute=0,
                        arxiv_api_url="http://127.0.0.1:9/api/query", http_retries=1, http_backoff=0.01)  # fmt: skip
    load(store, *SEED_FILES)
    add_papers(store, paper(1, date(2024, 1, 2), upvotes=5), paper(2, date(2024, 1, 30), upvotes=3),
               paper(3, date(2024, 1, 31)))  # fmt: skip
    # what search and similar read (lexical index and vectors); the other steps cost minutes on 2 cores
    job.run(store, settings, encoder=encoder, keywords=False, sentences=False, summaries=False)
    with store.transaction() as conn:
        store_summaries.save_summaries(conn, [("2503.11905", "-", SUMMARY)], method="test")  # as the index job would
        ann = store_users.create_user(conn, username="ann", password_hash="x")
        bob = store_users.create_user(conn, username="bob", password_hash="x")
        tokens = store_users.create_token(conn, ann.id, "mcp"), store_users.create_token(conn, bob.id, "mcp")
    from paperfeed.actions import collections as collection_actions

    private = collection_actions.create_collection(store, bob, name="bob's secrets", paper_id=OLD)
    from paperfeed.app import create_app

    try:
        with live_server(create_app(settings, store=store)) as base:
            yield Served(f"{base}/mcp", base, store, *tokens, private.id)
    finally:
        store.close()
        if schema:
            with request.getfixturevalue("pg_admin").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_tools_and_resources_are_listed(served):
    with connect(http(served.url)) as c:
        tools = c.tools()
        assert set(tools) == TOOLS
        assert tools["search"].annotations.read_only_hint and not tools["upvote"].annotations.read_only_hint
        assert {"query", "category", "author", "date_from", "date_to", "has_code", "keyword", "sort"} <= set(
            tools["search"].input_schema["properties"]
        )
        assert "ti:" in tools["search"].input_schema["properties"]["query"]["description"]
        assert set(c.templates()) == {"paperfeed://papers/{paper_id}", "paperfeed://collections/{collection_id}"}


def test_search_with_the_query_syntax_and_filters(served):
    with connect(http(served.url)) as c:
        out = c.call("search", query=TITLE.lower())
        assert out["papers"][0]["id"] == "2503.11905" and out["papers"][0]["why"] == "exact title"
        assert out["papers"][0]["summary"] == SUMMARY
        assert not out["lexical_only"] and out["total"] >= 1
        out = c.call("search", query="learning", category="eess.IV", limit=50)
        assert out["papers"] and all("eess.IV" in p["categories"] for p in out["papers"])
        out = c.call("search", query="image", author="Radu Timofte", limit=50)
        assert {p["id"] for p in out["papers"]} == {"2506.02197", "2503.11781"}
        out = c.call("search", query="restoration", date_from="2025-06-01", date_to="2025-06-30")
        assert [p["id"] for p in out["papers"]] == ["2506.02197"]
        out = c.call("search", query="ti:diffusion -upcycling", limit=50)
        assert out["papers"] and "2503.11905" not in {p["id"] for p in out["papers"]}
        assert all("diffusion" in p["title"].lower() for p in out["papers"])
        # bad arguments: tool errors saying what is wrong, and the session goes on
        assert "nothing to search for" in c.error("search", query="*")
        assert "limit" in c.error("search", query="diffusion", limit=500)
        assert "date_from" in c.error("search", query="diffusion", date_from="2025-13-45")
        assert "is after" in c.error("search", query="diffusion", date_from="2025-06-02", date_to="2025-06-01")
        assert "sort" in c.error("search", query="diffusion", sort="best")
        assert "NUL" in c.error("search", query="diff\x00usion")  # PostgreSQL would refuse it
        assert "NUL" in c.error("paper", paper_id="2503.11905\x00")
        assert c.call("search", query="diffusion", limit=1)["papers"]


def test_paper_similar_and_the_paper_resource(served):
    with served.store.read() as conn:
        view = store_papers.get_paper(conn, "2503.11905")
    with connect(http(served.url)) as c:
        out = c.call("paper", paper_id="arXiv:2503.11905v2")
        assert out["id"] == "2503.11905" and out["title"] == TITLE and out["abstract"] == view.abstract
        assert out["authors"][0] == "Ruchika Chavhan" and out["categories"] == view.categories
        assert out["links"]["arxiv"] == "https://arxiv.org/abs/2503.11905" and out["links"]["pdf"]
        assert out["links"]["paperfeed"].endswith("/papers/2503.11905")
        assert out["bibtex"].startswith("@misc{") and "2503.11905" in out["bibtex"]
        assert view.summary == out["summary"] == SUMMARY  # the one-line summary, where the paper has one
        assert "summary" not in c.call("paper", paper_id=OLD)
        assert "No paper '9999.99999'" in c.error("paper", paper_id="9999.99999")
        assert "paper_id" in c.error("paper", paper_id="")

        sim = c.call("similar", paper_id="2503.11905", limit=5)
        ids = [p["id"] for p in sim["papers"]]
        assert sim["paper"]["id"] == "2503.11905" and 0 < len(ids) <= 5 and "2503.11905" not in ids
        assert all(p["why"] for p in sim["papers"])
        assert "No paper" in c.error("similar", paper_id="9999.99999")
        assert "facet" in c.error("similar", paper_id="2503.11905", facet="colour")

        md = c.read("paperfeed://papers/2503.11905")
        assert md.startswith(f"# {TITLE}") and "## Abstract" in md and "```bibtex\n@misc{" in md
        assert md.count(SUMMARY) == 1
        with pytest.raises(MCPError, match="9999.99999"):
            c.read("paperfeed://papers/9999.99999")


def test_daily_weekly_and_monthly_lists(served):
    with connect(http(served.url)) as c:
        day = c.call("daily_papers")  # the latest day with papers: the seed's
        assert day["period"]["key"] == "2026-03-18" and day["total"] == 102 and len(day["papers"]) == 20
        # previous and next lead to the nearest periods with papers (as the pages' links), none past the ends
        before = day["period"]["previous"]
        assert before < "2026-03-18" and day["period"]["next"] is None
        assert (
            c.call("daily_papers", day=before)["total"] > 0 and c.call("daily_papers", day="2026-03-17")["total"] == 0
        )
        assert [p["id"] for p in c.call("daily_papers", day="2024-01-02")["papers"]] == [OLD]
        week = c.call("weekly_papers", week="2024-W05")
        assert week["period"]["start"] == "2024-01-29" and [p["id"] for p in week["papers"]][:2] == [NEW, VOTED]
        month = c.call("monthly_papers", month="2024-01", sort="upvotes")
        assert [p["id"] for p in month["papers"]][:2] == [OLD, NEW] and month["total"] == 3
        assert month["period"]["previous"] is None and month["period"]["next"] == "2026-03"  # none in between
        trending = [p["id"] for p in c.call("monthly_papers", month="2024-01", sort="trending")["papers"]]
        assert trending.index(NEW) < trending.index(OLD)  # fewer upvotes, but days rather than weeks old
        assert len(c.call("monthly_papers", month="2024-01", limit=1, offset=1)["papers"]) == 1
        assert c.call("weekly_papers")["period"]["key"] == "2026-W12"
        assert "bad week '2024-53'" in c.error("weekly_papers", week="2024-53")
        assert "bad date '2024-02-30'" in c.error("daily_papers", day="2024-02-30")
        assert "no papers in" in c.error("monthly_papers", month="1985-01")
        assert "sort" in c.error("daily_papers", sort="random")
        newest = c.call("monthly_papers", month="2024-01", sort="newest")["papers"]
        for alias in ("published", "publishedAt"):  # the web lists' and the API's names of newest
            assert c.call("monthly_papers", month="2024-01", sort=alias)["papers"] == newest


def test_tokens_say_who_acts(served):
    with connect(http(served.url)) as anonymous:
        for tool, args in (("for_you", {}), ("upvote", {"paper_id": VOTED}), ("collections", {}),
                           ("create_collection", {"name": "x"})):  # fmt: skip
            assert "create an API token" in anonymous.error(tool, **args)
        assert anonymous.call("collections", user="bob") == {"collections": []}  # bob's are private
        assert "no such collection" in anonymous.error("collection", collection_id=served.bob_private)
    with connect(http(served.url, token="pf_not-a-token")) as bad:
        for tool, args in (("search", {"query": "diffusion"}), ("paper", {"paper_id": OLD}),
                           ("upvote", {"paper_id": VOTED}), ("for_you", {})):  # fmt: skip
            assert "invalid API token" in bad.error(tool, **args)
        with pytest.raises(MCPError, match="invalid API token"):
            bad.read(f"paperfeed://papers/{OLD}")
    with connect(http(served.url, token=served.bob)) as bob:
        assert [c["name"] for c in bob.call("collections")["collections"]] == ["bob's secrets"]
        assert bob.call("collection", collection_id=served.bob_private)["papers"][0]["id"] == OLD


def test_upvote_for_you_and_collections_with_a_token(served):
    with connect(http(served.url, token=served.ann)) as ann:
        out = ann.call("upvote", paper_id=f"https://arxiv.org/abs/{VOTED}v1")
        assert out == {"id": VOTED, "title": "Paper number 3", "upvotes": 1, "upvoted": True}
        assert ann.call("upvote", paper_id=VOTED)["upvotes"] == 1  # one vote per user
        assert VOTED in [p["id"] for p in ann.call("trending")["papers"]]
        assert "No paper" in ann.error("upvote", paper_id="9999.99999")
        mine = ann.call("for_you", limit=5)
        assert mine["user"] == "ann" and VOTED not in {p["id"] for p in mine["papers"]}  # voted: not recommended
        assert all("reasons" in p and "score" in p for p in mine["papers"])
        assert "days" in ann.error("for_you", days=0)

        coll = ann.call("create_collection", name="To read", paper_id=OLD)["collection"]
        assert coll["owner"] == "ann" and coll["size"] == 1 and not coll["public"]
        added = ann.call("add_to_collection", collection_id=coll["id"], paper_id=NEW)
        assert added["added"] and added["collection"]["size"] == 2
        assert not ann.call("add_to_collection", collection_id=coll["id"], paper_id=NEW)["added"]
        assert [c["name"] for c in ann.call("collections")["collections"]] == ["To read"]
        assert {p["id"] for p in ann.call("collection", collection_id=coll["id"])["papers"]} == {OLD, NEW}
        as_json = json.loads(ann.read(f"paperfeed://collections/{coll['id']}"))
        assert as_json["collection"]["name"] == "To read" and len(as_json["papers"]) == 2
        # refused: someone else's private collection, a taken name, unknown papers, bad ids
        assert "no such collection" in ann.error("add_to_collection", collection_id=served.bob_private, paper_id=OLD)
        assert "no such collection" in ann.error("collection", collection_id=served.bob_private)
        with pytest.raises(MCPError, match="no such collection"):
            ann.read(f"paperfeed://collections/{served.bob_private}")
        with pytest.raises(MCPError, match="collection ids are numbers"):
            ann.read("paperfeed://collections/latest")
        assert "already have a collection" in ann.error("create_collection", name="To read")
        assert "name" in ann.error("create_collection", name="")
        assert "No paper" in ann.error("add_to_collection", collection_id=coll["id"], paper_id="9999.99999")
        assert "collection_id" in ann.error("collection", collection_id=0)
        assert "collection_id" in ann.error("collection", collection_id=2**40)  # past the database's integer
    with connect(http(served.url, token=served.bob)) as bob:
        assert "no such collection" in bob.error("collection", collection_id=coll["id"])  # ann's is private


def test_the_endpoint_under_the_app_middleware(lite_store, tmp_path):
    """Starlette's TestClient, no lifespan: one JSON-RPC exchange per POST, the security headers, GET 405,
    and a write through MCP expires the anonymous page cache at once (as one through the API does)."""
    add_papers(lite_store, paper(1, date(2024, 1, 2), upvotes=5))
    with lite_store.transaction() as conn:
        user = store_users.create_user(conn, username="cyd", password_hash="x")
        token = store_users.create_token(conn, user.id, "mcp")
    client = TestClient(make_app(lite_store, tmp_path))
    headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}

    def rpc(method: str, params: dict, **extra) -> httpx.Response:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        return client.post("/mcp", json=body, headers=headers | extra)

    r = rpc(
        "initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["result"]["serverInfo"]["name"] == "paperfeed"
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-request-id"] and "set-cookie" not in r.headers
    assert client.get("/mcp", headers={"Accept": "text/event-stream"}).status_code == 405

    def upvotes() -> int:
        return client.get("/api/daily_papers?date=2024-01-02").json()[0]["paper"]["upvotes"]

    assert upvotes() == 5 and upvotes() == 5  # the second from the page cache
    r = rpc("tools/call", {"name": "upvote", "arguments": {"paper_id": OLD}}, Authorization=f"Bearer {token}")
    assert json.loads(r.json()["result"]["content"][0]["text"])["upvotes"] == 6
    assert upvotes() == 6
    r = rpc("tools/call", {"name": "upvote", "arguments": {"paper_id": OLD}})
    assert r.json()["result"]["isError"] and "API token" in r.json()["result"]["content"][0]["text"]


def test_a_paper_with_a_one_line_summary_shows_it(lite_store):
    from paperfeed.mcp import shape

    add_papers(lite_store, paper(1, date(2024, 1, 2)))
    with lite_store.read() as conn:
        view = store_papers.get_paper(conn, OLD)
    view.summary = None
    assert "summary" not in shape.full(view, "http://pf") and "summary" not in shape.brief(view, "http://pf")
    view.summary = "We show that one line is enough."
    assert shape.full(view, "http://pf")["summary"] == shape.brief(view, "http://pf")["summary"] == view.summary
