"""``GET /api/for-you`` and ``/api/follows``: authentication, the paper shape plus reasons, bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from paperfeed.api.foryou import FollowOut, ForYouOut
from paperfeed.app import create_app
from paperfeed.settings import Settings
from paperfeed.store import users as store_users
from tests.helpers.recommend import TOPICS, load_corpus, paper_id, rec_encoder  # noqa: F401


@pytest.fixture
def api(store, tmp_path, rec_encoder):  # noqa: F811
    load_corpus(store, rec_encoder)
    client = TestClient(create_app(Settings(data_dir=tmp_path), store=store))
    with store.transaction() as conn:
        user = store_users.create_user(conn, username="ann", password_hash="x")
        client.headers["Authorization"] = f"Bearer {store_users.create_token(conn, user.id, 'cli')}"
    with client:
        yield client


def test_for_you_needs_a_token(api):
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer pf_not-a-token"}):
        for path in ("/api/for-you", "/api/follows"):
            r = api.get(path, headers=headers)
            assert r.status_code == 401 and "error" in r.json()
    r = api.post("/api/follows", json={"kind": "author", "value": "Rob Otto"}, headers={"Authorization": ""})
    assert r.status_code == 401


def test_for_you_returns_papers_with_reasons_and_model_info(api):
    cold = ForYouOut.model_validate(api.get("/api/for-you").json())
    assert cold.model.cold_start and cold.model.positives == 0 and cold.model.embedding_model == "all-MiniLM-L6-v2"
    assert cold.papers[0].reasons == ["popular: 9 upvotes"]
    up = paper_id("protein", 0, new=False)
    assert api.post(f"/api/papers/{up}/vote", json={"value": 1}).status_code == 200
    down = paper_id("protein", 1, new=True)
    assert api.post(f"/api/papers/{down}/vote", json={"value": -1}).status_code == 200
    got = ForYouOut.model_validate(api.get("/api/for-you?limit=5&days=7").json())
    assert not got.model.cold_start and got.model.positives == 1 and got.model.trained_at is not None
    assert got.model.until == "2024-03-06" and len(got.papers) == 5
    first = got.papers[0]
    assert first.id.startswith("2403.2") and first.title in [t for t, _ in TOPICS["protein"]]
    assert first.reasons[0] == f"close to “{TOPICS['protein'][0][0]} (earlier study)”, which you upvoted"
    assert first.authors[0].name == "Petra Protein" and first.upvotes == 0
    assert down not in {p.id for p in got.papers}


def test_follows_round_trip(api):
    r = api.post("/api/follows", json={"kind": "author", "value": "  lea LEGS "})
    assert r.status_code == 201 and FollowOut.model_validate(r.json()).value == "Lea Legs"
    assert api.post("/api/follows", json={"kind": "author", "value": "Lea Legs"}).status_code == 200
    assert api.post("/api/follows", json={"kind": "category", "value": "cs.RO"}).status_code == 201
    listed = [FollowOut.model_validate(f) for f in api.get("/api/follows").json()]
    assert [(f.kind, f.value) for f in listed] == [("author", "Lea Legs"), ("category", "cs.RO")]
    picks = api.get("/api/for-you").json()["papers"]
    assert "by Lea Legs, whom you follow" in picks[0]["reasons"]
    r = api.delete("/api/follows", params={"kind": "author", "value": "lea legs"})
    assert r.status_code == 200 and r.json()["following"] is False
    assert api.delete("/api/follows", params={"kind": "author", "value": "lea legs"}).status_code == 404
    assert [f["value"] for f in api.get("/api/follows").json()] == ["cs.RO"]


@pytest.mark.parametrize(
    ("method", "kw", "status"),
    [
        ("post", {"json": {"kind": "author", "value": "Nobody Atall"}}, 400),
        ("post", {"json": {"kind": "category", "value": "not a category"}}, 400),
        ("post", {"json": {"kind": "venue", "value": "NeurIPS"}}, 422),
        ("post", {"json": {"kind": "author", "value": "x" * 1001}}, 422),
        ("post", {"content": b"{oops"}, 422),
        ("delete", {"params": {"kind": "author"}}, 422),
        ("get_for_you", {"params": {"limit": 0}}, 422),
        ("get_for_you", {"params": {"limit": 201}}, 422),
        ("get_for_you", {"params": {"days": 91}}, 422),
    ],
)
def test_bad_input_is_a_clear_4xx(api, method, kw, status):
    if method == "get_for_you":
        r = api.get("/api/for-you", **kw)
    else:
        r = api.request(method.upper(), "/api/follows", **kw)
    assert r.status_code == status and r.json()["error"]
    assert api.get("/api/follows").json() == []
