"""The API's account endpoints and comment edits: download your data, delete your account (the password in
the body), edit your own comment (PATCH) — with tokens, permissions, bad input and /openapi.json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from paperfeed.api.schemas import CommentOut
from paperfeed.store import users as store_users
from paperfeed.store.models import comments
from tests.helpers.web import add_papers, make_app, paper, password_hash

PASSWORD = "correct horse battery"


@pytest.fixture
def api(store, tmp_path):
    add_papers(store, paper(1, upvotes=5), paper(2))
    hashed = password_hash(PASSWORD)
    who = {}
    with store.transaction() as conn:
        for name in ("ann", "bob"):
            user = store_users.create_user(conn, username=name, password_hash=hashed)
            who[name] = {"Authorization": f"Bearer {store_users.create_token(conn, user.id, 'cli')}"}
    with TestClient(make_app(store, tmp_path, login_max_failures=3)) as client:
        client.who = who
        yield client


def _comment(api, who: str, body: str, parent: int | None = None) -> int:
    r = api.post("/api/papers/2401.00001/comments", headers=api.who[who], json={"body": body, "parent_id": parent})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_token_downloads_its_accounts_data(api):
    ann = api.who["ann"]
    api.post("/api/papers/2401.00002/vote", headers=ann)
    _comment(api, "ann", "mine")
    _comment(api, "bob", "bob's")
    r = api.get("/api/account/export", headers=ann)
    assert r.status_code == 200
    data = r.json()
    assert data["account"]["username"] == "ann" and [c["body"] for c in data["comments"]] == ["mine"]
    assert [v["paper_id"] for v in data["votes"]] == ["2401.00002"]
    assert api.get("/api/account/export").status_code == 401


def test_a_token_deletes_its_account_with_the_password(api, store):
    ann, bob = api.who["ann"], api.who["bob"]
    api.post("/api/papers/2401.00001/vote", headers=ann)
    top = _comment(api, "ann", "ann's point")
    _comment(api, "bob", "bob's reply", top)
    assert api.get("/api/papers/2401.00001", headers=bob).json()["upvotes"] == 6
    for body, status in [(None, 422), ({}, 422), ({"password": ""}, 422), ({"password": "x" * 1025}, 422),
                         ({"password": 12345678}, 422), ({"password": "wrong password"}, 400)]:  # fmt: skip
        r = api.request("DELETE", "/api/account", headers=ann, json=body)
        assert r.status_code == status and "error" in r.json(), (body, r.text)
    assert r.json()["error"] == "that is not your password: nothing was deleted"
    assert api.request("DELETE", "/api/account", json={"password": PASSWORD}).status_code == 401  # no token
    assert api.get("/api/account/export", headers=ann).status_code == 200  # nothing happened yet

    r = api.request("DELETE", "/api/account", headers=ann, json={"password": PASSWORD})
    assert r.status_code == 204 and r.content == b""
    r = api.get("/api/account/export", headers=ann)
    assert r.status_code == 401 and "invalid API token" in r.json()["error"]  # the token died with it
    assert api.post("/api/papers/2401.00002/vote", headers=ann).status_code == 401
    assert api.get("/api/papers/2401.00001", headers=bob).json()["upvotes"] == 5  # its vote went
    thread = api.get("/api/papers/2401.00001/comments").json()
    assert [(c["user"], c["body"], c["removed"]) for c in thread] == [
        (None, "", "deleted"),
        ("bob", "bob's reply", None),
    ]
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ann") is None


def test_wrong_passwords_are_limited_like_logins(api, store):
    ann = api.who["ann"]
    for _ in range(3):
        assert api.request("DELETE", "/api/account", headers=ann, json={"password": "guess"}).status_code == 400
    r = api.request("DELETE", "/api/account", headers=ann, json={"password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ann") is not None


def test_an_author_edits_their_comment(api, store):
    ann, bob = api.who["ann"], api.who["bob"]
    mine = _comment(api, "ann", "frist")
    theirs = _comment(api, "bob", "bob's")
    r = api.patch(f"/api/papers/2401.00001/comments/{mine}", headers=ann, json={"body": "  first  "})
    assert r.status_code == 200
    out = CommentOut.model_validate(r.json())
    assert out.body == "first" and out.user == "ann" and out.edited_at > datetime.now(UTC) - timedelta(minutes=1)
    listed = {c["id"]: c for c in api.get("/api/papers/2401.00001/comments").json()}
    assert listed[mine]["body"] == "first" and listed[mine]["edited_at"] is not None
    assert listed[theirs]["edited_at"] is None

    path = f"/api/papers/2401.00001/comments/{mine}"
    assert api.patch(path, json={"body": "anonymous"}).status_code == 401
    r = api.patch(path, headers=bob, json={"body": "bob's now"})
    assert r.status_code == 403 and r.json()["error"] == "you can edit only your own comments"
    assert api.patch(path, headers=ann, json={"body": "x" * 10_001}).status_code == 422
    assert api.patch(path, headers=ann, json={"body": ""}).status_code == 422
    assert api.patch(path, headers=ann, json={"body": 5}).status_code == 422
    r = api.patch(path, headers=ann, json={"body": "   "})
    assert r.status_code == 400 and r.json()["error"] == "a comment cannot be empty"
    assert api.patch(f"/api/papers/2401.00002/comments/{mine}", headers=ann, json={"body": "x"}).status_code == 404
    with store.transaction() as conn:
        old = datetime.now(UTC) - timedelta(hours=25)
        conn.execute(update(comments).where(comments.c.id == mine).values(created_at=old))
    r = api.patch(path, headers=ann, json={"body": "too late"})
    assert r.status_code == 403 and "24 hours" in r.json()["error"]
    assert api.delete(f"/api/papers/2401.00001/comments/{theirs}", headers=bob).status_code == 204
    r = api.patch(f"/api/papers/2401.00001/comments/{theirs}", headers=bob, json={"body": "back"})
    assert r.status_code == 404  # deleted: nothing to edit
    assert api.get("/api/papers/2401.00001/comments").json()[0]["body"] == "first"


def test_openapi_documents_the_account_and_edit_endpoints(api):
    paths = api.get("/openapi.json").json()["paths"]
    delete = paths["/api/account"]["delete"]
    assert delete["summary"] == "Delete your account" and "password" in delete["description"]
    assert {"204", "400", "401", "403", "422", "429"} <= set(delete["responses"])
    assert "requestBody" in delete
    assert paths["/api/account/export"]["get"]["summary"] == "Download your data"
    patch = paths["/api/papers/{paper_id}/comments/{comment_id}"]["patch"]
    assert patch["summary"] == "Edit your own comment" and {"200", "400", "403", "404"} <= set(patch["responses"])
