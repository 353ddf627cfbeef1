"""``paperfeed mcp`` as an assistant starts it: a real ``python -m paperfeed mcp`` process over stdin/stdout,
driven by the SDK's own stdio client, with the API token in ``PAPERFEED_MCP_TOKEN`` (SQLite).

One process for the module (each start costs seconds); the tests share its session and run in file order.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from paperfeed.index import update_lexical
from paperfeed.settings import Settings
from paperfeed.store import Store
from paperfeed.store import papers as store_papers
from paperfeed.store import users as store_users
from tests.helpers.mcp import connect, stdio
from tests.helpers.web import add_papers, paper


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mcp-stdio")
    url = f"sqlite:///{tmp / 'paperfeed.db'}"
    store = Store.open(url)
    add_papers(store, paper(1, date(2024, 1, 2), upvotes=5, title="Sparse attention for long documents"),
               paper(2, date(2024, 1, 3), upvotes=2, title="Dense retrieval with sparse attention"))  # fmt: skip
    update_lexical(store, Settings(data_dir=tmp / "data", database_url=url))  # words only: no model to load
    with store.transaction() as conn:
        user = store_users.create_user(conn, username="ann", password_hash="x")
        token = store_users.create_token(conn, user.id, "assistant")
    try:
        with connect(stdio(url, data_dir=tmp / "data", token=token)) as client:
            yield client, store
    finally:
        store.close()


def test_the_tools_over_stdio(session):
    c, _ = session
    assert {"search", "paper", "daily_papers", "for_you", "upvote", "add_to_collection"} <= set(c.tools())
    out = c.call("search", query='"sparse attention"')
    assert {p["id"] for p in out["papers"]} == {"2401.00001", "2401.00002"} and out["lexical_only"]
    assert [p["id"] for p in c.call("search", query="sparse -dense")["papers"]] == ["2401.00001"]
    full = c.call("paper", paper_id="2401.00001v1")
    assert full["title"] == "Sparse attention for long documents" and full["abstract"] == "Abstract 1."
    assert "@misc{" in full["bibtex"] and full["links"]["arxiv"] == "https://arxiv.org/abs/2401.00001"
    day = c.call("daily_papers")
    assert day["period"]["key"] == "2024-01-03" and [p["id"] for p in day["papers"]] == ["2401.00002"]
    week = c.call("weekly_papers", week="2024-W01")
    assert [p["id"] for p in week["papers"]] == ["2401.00001", "2401.00002"]  # most upvoted first
    assert c.read("paperfeed://papers/2401.00002").startswith("# Dense retrieval with sparse attention")


def test_bad_arguments_are_tool_errors(session):
    c, _ = session
    err = c.error("search", query="sparse", limit=0)
    assert "limit" in err and "errors.pydantic.dev" not in err  # what to change, not a library's manual
    assert "nothing to search for" in c.error("search", query="-sparse")
    assert "No paper '2401.09999'" in c.error("paper", paper_id="2401.09999")
    assert "bad date '2024-1-2'" in c.error("daily_papers", day="2024-1-2")
    assert "paper_id" in c.error("similar")  # a required argument missing
    assert "unknown" in c.error("no_such_tool").lower()
    err = c.error("search", query="sparse", limt=5)  # a misspelt argument is named, not silently dropped
    assert "search takes no argument 'limt'" in err and "limit" in err
    assert c.call("paper", paper_id="2401.00002")["id"] == "2401.00002"  # the server is still there


def test_the_token_in_the_environment_acts(session):
    c, store = session
    assert c.call("upvote", paper_id="2401.00002") == {
        "id": "2401.00002", "title": "Dense retrieval with sparse attention", "upvotes": 3, "upvoted": True
    }  # fmt: skip
    with store.read() as conn:
        assert store_papers.get_paper(conn, "2401.00002").upvotes == 3  # in the database, for every surface
    coll = c.call("create_collection", name="Reading list", paper_id="2401.00001")["collection"]
    assert c.call("add_to_collection", collection_id=coll["id"], paper_id="2401.00002")["collection"]["size"] == 2
    assert [x["name"] for x in c.call("collections")["collections"]] == ["Reading list"]
    assert c.call("for_you")["user"] == "ann"


def test_a_revoked_token_is_a_tool_error(session):
    c, store = session
    with store.transaction() as conn:
        user = store_users.get_user_by_name(conn, "ann")
        for t in store_users.list_tokens(conn, user.id):
            store_users.delete_token(conn, user.id, t["id"])
    assert "invalid API token" in c.error("upvote", paper_id="2401.00001")
    assert "invalid API token" in c.error("search", query="sparse")  # as the API answers 401 to any request
    assert "search" in c.tools()  # and the process serves on


def test_a_data_folder_without_a_database_is_refused_not_created(tmp_path):
    """An assistant starts ``paperfeed mcp`` in a folder of its own: without the site's data folder it must
    say so, not answer every question from a new, empty database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    r = subprocess.run([sys.executable, "-m", "paperfeed", "mcp"], capture_output=True, text=True, env=env,
                       cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=120)  # fmt: skip
    assert r.returncode == 1 and "no paperfeed database in" in r.stderr and "--data-dir" in r.stderr
    assert "Traceback" not in r.stderr and list(tmp_path.iterdir()) == []
