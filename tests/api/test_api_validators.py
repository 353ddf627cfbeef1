"""Every successful GET of the JSON API carries an ``ETag`` (of the body as this client gets it) and answers
``If-None-Match`` with a bodiless 304, anonymously and with an API token, for GET and HEAD; anonymous
answers from the page cache have ``Last-Modified`` too; a signed-in client's answers are
``Cache-Control: private``, an anonymous one's ``public`` (``public_cache_seconds``), the 304 as the 200;
errors ``no-store``. After an upvote the tag changes and the client gets the new body."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper


def _token(store, username: str) -> dict[str, str]:
    with store.transaction() as conn:
        user = store_users.create_user(conn, username=username, password_hash="x")
        return {"Authorization": f"Bearer {store_users.create_token(conn, user.id, 't')}"}


def _varies_by_client(r) -> bool:
    return {"authorization", "cookie"} <= {v.strip().lower() for v in r.headers.get("vary", "").split(",")}


def _upvotes(answer) -> int:
    """Paper 1's upvotes in a paper or a list of daily items."""
    papers = [i["paper"] for i in answer] if isinstance(answer, list) else [answer]
    return next(p["upvotes"] for p in papers if p["id"] == "2401.00001")


@pytest.fixture
def client(store, tmp_path):
    add_papers(store, paper(1, upvotes=3), paper(2, upvotes=10))
    with TestClient(make_app(store, tmp_path)) as c:
        yield c


@pytest.mark.parametrize("who", ["anonymous", "token"])
@pytest.mark.parametrize("url", ["/api/papers/2401.00001", "/api/daily_papers?date=2024-01-02", "/api/trending"])
def test_revalidating_gets_304_until_an_upvote_changes_the_answer(client, store, who, url):
    headers = _token(store, "reader") if who == "token" else {}
    first = client.get(url, headers=headers)
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('"') and first.json()
    if who == "token":  # the reader's own answer: no shared cache keeps it; no time moves with every change
        assert first.headers["cache-control"] == "private" and "last-modified" not in first.headers
    else:  # the same for every anonymous client: a shared cache may keep it, apart from a token's or session's
        assert first.headers["cache-control"] == "public, max-age=60" and first.headers["last-modified"]
        assert _varies_by_client(first)
        since = client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
        assert since.status_code == 304 and since.headers["cache-control"] == "public, max-age=60"
    for method in (client.get, client.head):
        same = method(url, headers={**headers, "If-None-Match": tag})
        assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == tag
        assert same.headers["cache-control"] == first.headers["cache-control"] and _varies_by_client(same)
    head = client.head(url, headers=headers)
    assert head.status_code == 200 and head.headers["etag"] == tag and head.content == b""
    assert client.get(url, headers={**headers, "If-None-Match": '"something-else"'}).status_code == 200

    voted = client.post("/api/papers/2401.00001/vote", json={"value": 1}, headers=_token(store, "someone"))
    assert voted.status_code == 200 and voted.json()["upvotes"] == 4
    changed = client.get(url, headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    assert _upvotes(first.json()) == 3 and _upvotes(changed.json()) == 4
    assert client.get(url, headers={**headers, "If-None-Match": changed.headers["etag"]}).status_code == 304


def test_a_users_own_answers_are_private_and_tagged_by_what_they_hold(client, store):
    """Collections (private ones included), comments, follows, for-you: with the token, or a session."""
    ada = _token(store, "ada")
    made = client.post("/api/collections", json={"name": "Mine", "public": False}, headers=ada)
    cid = made.json()["id"]
    urls = ["/api/collections", f"/api/collections/{cid}", "/api/papers/2401.00001/comments", "/api/follows"]
    tags = {}
    for url in urls:
        r = client.get(url, headers=ada)
        assert r.status_code == 200 and r.headers["cache-control"] == "private", url
        tags[url] = r.headers["etag"]
        assert client.get(url, headers={**ada, "If-None-Match": tags[url]}).status_code == 304, url
    assert client.get(f"/api/collections/{cid}").status_code == 404  # private: not for anyone else
    assert client.post(f"/api/collections/{cid}/papers/2401.00002", headers=ada).status_code == 200
    r = client.get(f"/api/collections/{cid}", headers={**ada, "If-None-Match": tags[f"/api/collections/{cid}"]})
    assert r.status_code == 200 and [p["id"] for p in r.json()["papers"]] == ["2401.00002"]
    assert client.get("/api/collections", headers={**ada, "If-None-Match": tags["/api/collections"]}).status_code == 200
    with browser(client.app) as b:  # a signed-in browser session's answers are its own too
        b.signup("grace")
        r = b.get("/api/daily_papers")
        assert r.status_code == 200 and r.headers["etag"] and r.headers["cache-control"] == "private"
    anonymous = client.get("/api/papers/2401.00001/comments")  # tagged on its way out, not kept: public too
    assert anonymous.headers["cache-control"] == "public, max-age=60" and _varies_by_client(anonymous)
    again = client.get("/api/papers/2401.00001/comments", headers={"If-None-Match": anonymous.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "public, max-age=60"


def test_errors_and_writes_carry_no_tag(client, store):
    for url in ("/api/papers/2499.99999", "/api/daily_papers?date=2024-13-45", "/api/for-you"):  # 404, 400, 401
        r = client.get(url)
        assert r.status_code >= 400 and "etag" not in r.headers and r.headers["cache-control"] == "no-store", url
    r = client.post("/api/papers/2401.00001/vote", json={"value": 1}, headers=_token(store, "ada"))
    assert r.status_code == 200 and "etag" not in r.headers


def test_every_answer_says_it_depends_on_who_asks(client, store):
    """A shared proxy keeps apart what an anonymous client and a token's owner get (a private collection's
    404 against its contents), errors and writes included; a 304 says it too."""
    token = _token(store, "vera")
    answers = [
        client.get("/api/papers/2401.00001"),
        client.get("/api/papers/2401.00001", headers=token),
        client.get("/api/papers/2499.99999"),
    ]
    answers.append(client.get("/api/papers/2401.00001", headers={"If-None-Match": answers[0].headers["etag"]}))
    assert answers[-1].status_code == 304
    answers.append(client.post("/api/papers/2401.00001/vote", json={"value": 1}, headers=token))
    for r in answers:
        named = {v.strip().lower() for v in r.headers.get("vary", "").split(",")}
        assert {"authorization", "cookie"} <= named, (r.request.url, r.status_code, r.headers)


def test_every_api_get_documents_its_304(client):
    schema = client.get("/openapi.json").json()
    gets = 0
    for path, ops in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in ops.items():
            assert ("304" in op["responses"]) == (method == "get"), (method, path)
            gets += method == "get"
    assert gets >= 10
    assert "304" in schema["paths"]["/feeds/daily.{fmt}"]["get"]["responses"]  # cached feeds revalidate too


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/papers/{paper_id}", {"paper_id": "2401.00001"}),
        ("/api/daily_papers", {}),
        ("/api/papers/{paper_id}/comments", {"paper_id": "2401.00001"}),
        ("/feeds/daily.{fmt}", {"fmt": "atom"}),
        ("/feeds/collection/{collection_id}.{fmt}", {"collection_id": 99_999, "fmt": "rss"}),  # 404 as text
    ],
)
def test_the_answers_fit_the_schema(client, store, path, params):
    """What schemathesis holds every answer to (tests/api/test_openapi_fuzz.py), for answers it never asks
    for: the 304s of revalidation, anonymous and with a token, and a feed's error as text."""
    checks = [status_code_conformance, content_type_conformance, response_headers_conformance]
    operation = schemathesis.openapi.from_asgi("/openapi.json", client.app)[path]["GET"]
    for headers in [{}, _token(store, "reader")] if path.startswith("/api/") else [{}]:
        first = operation.Case(path_parameters=params, headers=headers)
        answer = first.call(app=client.app)
        first.validate_response(answer, checks=[*checks, response_schema_conformance])
        if answer.status_code != 200:
            assert answer.status_code == 404 and answer.headers["content-type"] == ["text/plain; charset=utf-8"]
            continue
        again = operation.Case(path_parameters=params, headers={**headers, "If-None-Match": answer.headers["etag"][0]})
        not_modified = again.call(app=client.app)
        assert not_modified.status_code == 304
        again.validate_response(not_modified, checks=checks)
