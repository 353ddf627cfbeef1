"""Reports through the API: a bearer token reports a paper or a comment, once; bad input is a 4xx; the
endpoints are described in /openapi.json."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from paperfeed.actions import community as actions
from paperfeed.actions import reports as report_actions
from paperfeed.api.schemas import ReportOut
from paperfeed.app import create_app
from paperfeed.settings import Settings
from paperfeed.store import community
from paperfeed.store import reports as store_reports
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, paper


@pytest.fixture
def api(store, tmp_path):
    """A client, the bearer headers of ann and bob, and ann's comment on paper 1."""
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        heads = {}
        for name in ("ann", "bob"):
            user = store_users.create_user(conn, username=name, password_hash="x")
            heads[name] = {"Authorization": f"Bearer {store_users.create_token(conn, user.id, 'cli')}"}
        cid = community.add_comment(conn, user_id=user.id - 1, paper_id="2401.00001", body="spam spam")
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as client:
        yield client, heads, cid


def test_a_reader_reports_once_with_a_token(api, store):
    client, who, cid = api
    path = f"/api/papers/2401.00001/comments/{cid}/report"
    r = client.post(path, headers=who["bob"], json={"reason": "spam", "note": "same text on every paper"})
    assert r.status_code == 201
    first = ReportOut.model_validate(r.json())
    assert (first.kind, first.target, first.paper_id, first.status) == ("comment", str(cid), "2401.00001", "open")
    r = client.post(path, headers=who["bob"], json={"reason": "abuse"})
    assert r.status_code == 200 and r.json()["status"] == "already-reported" and r.json()["id"] == first.id
    r = client.post("/api/papers/arXiv:2401.00002v1/report", headers=who["ann"], json={"reason": "not-a-paper"})
    assert r.status_code == 201 and r.json()["target"] == "2401.00002"
    with store.read() as conn:
        assert store_reports.open_count(conn) == 2


def test_bad_reports_get_4xx(api, store):
    client, who, cid = api
    comment = f"/api/papers/2401.00001/comments/{cid}/report"
    assert client.post(comment, json={"reason": "spam"}).status_code == 401
    r = client.post(comment, headers=who["ann"], json={"reason": "spam"})
    assert r.status_code == 400 and "your own comment" in r.json()["error"]
    for body in ({"reason": "boring"}, {"reason": "spam", "note": "x" * 501}, {}, {"reason": ["spam"]},
                 {"reason": "spam", "note": 5}, {"reason": "spam\x00"}):  # fmt: skip
        assert client.post("/api/papers/2401.00001/report", headers=who["bob"], json=body).status_code == 422, body
    for path in ("/api/papers/2499.99999/report", f"/api/papers/2401.00002/comments/{cid}/report",
                 "/api/papers/2401.00001/comments/99999/report"):  # fmt: skip
        r = client.post(path, headers=who["bob"], json={"reason": "spam"})
        assert r.status_code == 404 and "error" in r.json(), path
    r = client.post("/api/papers/2401.00001/comments/99999999999/report", headers=who["bob"], json={"reason": "spam"})
    assert r.status_code == 422
    with store.read() as conn:
        assert store_reports.open_count(conn) == 0


def test_hidden_items_are_handled_and_reports_are_limited(api, store, monkeypatch):
    client, who, cid = api
    actions.hide_comment(store, cid, actor="root")
    r = client.post(f"/api/papers/2401.00001/comments/{cid}/report", headers=who["bob"], json={"reason": "spam"})
    assert r.status_code == 200 and r.json()["status"] == "handled" and r.json()["id"] is None
    monkeypatch.setattr(report_actions, "REPORTS_PER_HOUR", 1)
    assert client.post("/api/papers/2401.00001/report", headers=who["bob"], json={"reason": "spam"}).status_code == 201
    r = client.post("/api/papers/2401.00002/report", headers=who["bob"], json={"reason": "spam"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_openapi_describes_reports(api):
    client, _, _ = api
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/papers/{paper_id}/report", "/api/papers/{paper_id}/comments/{comment_id}/report"):
        post = paths[path]["post"]
        assert post["security"] == [{"bearer": []}], path
        assert {"200", "201", "400", "401", "404", "422", "429"} <= set(post["responses"]), path
        assert "not-a-paper" in post["description"]


def test_control_characters_are_refused_in_comments_and_notes(api, store):
    """An escape sequence would repaint a moderator's terminal: a comment or a note holding a control
    character is a 400 that names it; line breaks (CRLF from a form: LF) and tabs stay."""
    client, who, cid = api
    comments_at = "/api/papers/2401.00001/comments"
    for body, where in [("esc \x1b[2J", "U+001B at character 5"), ("bell\x07", "U+0007 at character 5"),
                        ("csi \x9b31m", "U+009B at character 5")]:  # fmt: skip
        r = client.post(comments_at, headers=who["ann"], json={"body": body})
        assert r.status_code == 400, r.text
        assert r.json()["error"] == f"a comment cannot hold control characters ({where}): only line breaks and tabs"
    r = client.patch(f"{comments_at}/{cid}", headers=who["ann"], json={"body": "edited \x1b]8;;https://x.example"})
    assert r.status_code == 400 and "cannot hold control characters" in r.json()["error"]
    r = client.post(comments_at, headers=who["ann"], json={"body": "one\r\ntwo\tcolumns\rthree"})
    assert r.status_code == 201 and r.json()["body"] == "one\ntwo\tcolumns\nthree"
    r = client.post(f"{comments_at}/{cid}/report", headers=who["bob"], json={"reason": "spam", "note": "see \x1b[31m"})
    assert r.status_code == 400 and r.json()["error"].startswith("a report's note cannot hold control characters")
    with store.read() as conn:
        assert store_reports.open_count(conn) == 0
