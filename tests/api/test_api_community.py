"""paperfeed's own API: votes, comments, collections, submissions — authentication, CSRF and permissions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from paperfeed.api.schemas import CollectionDetail, CollectionOut, CommentOut, HFPaper, VoteOut
from paperfeed.app import create_app
from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.settings import Settings
from paperfeed.store import users as store_users
from tests.helpers.web import CHEAP_PASSWORDS, password_hash

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> $\\frac{a}{b}$'
PASSWORD = "correct horse battery"


def paper(n: int, *, upvotes: int = 0, featured: bool = True) -> PaperRecord:
    return checked(
        PaperRecord(
            title=f"Paper number {n}",
            abstract=f"Abstract {n}.",
            arxiv_id=f"2401.{n:05d}",
            authors=["Ada Lovelace"],
            categories=["cs.LG"],
            published=datetime(2024, 1, 1, tzinfo=UTC),
            upvotes=upvotes,
            source="hf",
            featured=[Featured(date(2024, 1, 2), "akhaliq", upvotes)] if featured else [],
        )
    )


class Api:
    """The app plus two users with API tokens: ``ann`` and ``bob``."""

    def __init__(self, store, tmp_path):
        import_items(store, [paper(1, upvotes=5), paper(2), paper(3, featured=False)])
        self.client = TestClient(create_app(Settings(data_dir=tmp_path, **CHEAP_PASSWORDS), store=store))
        hashed = password_hash(PASSWORD)  # argon2 at the test sites' cost
        with store.transaction() as conn:
            for name in ("ann", "bob"):
                user = store_users.create_user(conn, username=name, password_hash=hashed)
                setattr(self, name, {"Authorization": f"Bearer {store_users.create_token(conn, user.id, 'cli')}"})

    def __getattr__(self, method):  # api.post(path, who, json=...) -> client.post(path, headers=who, json=...)
        call = getattr(self.client, method)
        return lambda path, who=None, **kw: call(path, headers=who or {}, **kw)


@pytest.fixture
def api(store, tmp_path):
    a = Api(store, tmp_path)
    with a.client:
        yield a


def test_vote_counts(api):
    r = api.post("/api/papers/2401.00001/vote", api.ann, json={"value": 1})
    assert r.status_code == 200 and VoteOut.model_validate(r.json()) == VoteOut(id="2401.00001", upvotes=6, vote=1)
    assert api.post("/api/papers/2401.00001/vote", api.ann, json={"value": 1}).json()["upvotes"] == 6  # one each
    assert api.post("/api/papers/2401.00001v1/vote", api.bob).json()["upvotes"] == 7  # no body: an upvote
    assert api.get("/api/papers/2401.00001").json()["upvotes"] == 7
    assert api.get("/api/daily_papers?date=2024-01-02&sort=upvotes").json()[0]["paper"]["upvotes"] == 7
    assert api.post("/api/papers/2401.00001/vote", api.bob, json={"value": -1}).json()["upvotes"] == 6
    r = api.delete("/api/papers/2401.00001/vote", api.ann)
    assert r.status_code == 200 and r.json() == {"id": "2401.00001", "upvotes": 5, "vote": 0}
    assert api.post("/api/papers/2401.00001/vote", api.ann, json={"value": 2}).status_code == 422
    r = api.client.post("/api/papers/2401.00001/vote", content=b"{oops", headers=api.ann)
    assert r.status_code == 422 and "error" in r.json()


def test_auth_required(api):
    writes = [
        ("post", "/api/papers/2401.00001/vote", {"value": 1}),
        ("delete", "/api/papers/2401.00001/vote", None),
        ("post", "/api/papers/2401.00001/comments", {"body": "hi"}),
        ("post", "/api/collections", {"name": "x"}),
        ("post", "/api/submit", {"paper": "2401.00003"}),
    ]
    for method, path, body in writes:
        kw = {"json": body} if body is not None else {}
        for who in (None, {"Authorization": "Bearer pf_not-a-token"}, {"Authorization": "Bearer "}):
            r = getattr(api, method)(path, who, **kw)
            assert r.status_code == 401, (method, path, who)
            assert r.headers["content-type"] == "application/json" and "error" in r.json()
            assert r.headers["www-authenticate"] == "Bearer"  # how to authenticate: a token
    assert api.get("/api/collections").status_code == 401  # "my collections" needs someone to be "me"
    assert api.get("/api/papers/2401.00001").json()["upvotes"] == 5  # nothing was counted


def test_a_suspended_accounts_token_is_refused_with_the_reason(api, store):
    with store.transaction() as conn:
        store_users.set_banned(conn, store_users.get_user_by_name(conn, "bob").id, True)
    for r in (api.post("/api/papers/2401.00001/vote", api.bob), api.get("/api/papers/search?q=paper", api.bob)):
        assert r.status_code == 403 and "suspended" in r.json()["error"]
    assert api.get("/api/papers/2401.00001").json()["upvotes"] == 5


def test_other_sites_may_read_the_api_and_feeds_but_not_write(api):
    origin = {"Origin": "https://widget.example.net"}
    r = api.get("/api/papers/2401.00001", origin)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    assert api.get("/feeds/daily.atom", origin).headers["access-control-allow-origin"] == "*"
    pre = {**origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    r = api.options("/api/papers/2401.00001", pre)
    assert r.status_code == 200 and "GET" in r.headers["access-control-allow-methods"]
    r = api.options("/api/papers/2401.00001/vote", {**origin, "Access-Control-Request-Method": "POST"})
    assert r.status_code == 400 and "POST" not in r.headers["access-control-allow-methods"]  # writes: same-origin
    assert "access-control-allow-origin" not in api.get("/papers/2401.00001", origin).headers  # pages too


def test_a_page_elsewhere_can_read_a_searchs_count(api):
    """The search headers (total, estimate, lexical only, not embedded) are readable across origins: a web
    app on another site can say "597 results" and page through them."""
    exposed = api.get("/api/papers/2401.00001", {"Origin": "https://widget.example.net"}).headers
    exposed = {h.strip().lower() for h in exposed["access-control-expose-headers"].split(",")}
    assert {"x-total-count", "x-total-is-estimate", "x-search-lexical-only", "x-search-not-embedded"} <= exposed


def test_openapi_names_the_bearer_token(api):
    """/docs offers "Authorize" and generated clients send the token: required where an account is needed,
    optional on public reads; the search's count headers are described."""
    spec = api.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"] == {**spec["components"]["securitySchemes"]["bearer"],
                                                              "type": "http", "scheme": "bearer"}  # fmt: skip
    paths = spec["paths"]
    assert paths["/api/papers/{paper_id}/vote"]["post"]["security"] == [{"bearer": []}]
    assert paths["/api/for-you"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/daily_papers"]["get"]["security"] == [{}, {"bearer": []}]
    assert "security" not in paths["/trending"]["get"]  # pages sign in with the session cookie
    assert "X-Total-Count" in paths["/api/papers/search"]["get"]["responses"]["200"]["headers"]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_cookie_session_needs_csrf_header(api):
    c = api.client
    r = c.post("/login", data={"username": "ann", "password": PASSWORD, "csrf_token": _csrf(c.get("/login").text)})
    assert r.status_code in (200, 303)
    token = _csrf(c.get("/").text)  # logging in issues a fresh token
    assert c.post("/api/papers/2401.00001/vote", json={"value": 1}).status_code == 403
    assert (
        c.post("/api/papers/2401.00001/vote", json={"value": 1}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    )
    r = c.post("/api/collections", json={"name": "mine"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201 and r.json()["owner"] == "ann"
    r = c.post("/api/papers/2401.00001/vote", json={"value": 1}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["upvotes"] == 6
    assert c.get("/api/collections").json()[0]["name"] == "mine"  # reads need no CSRF token


def test_comments(api):
    assert api.get("/api/papers/2401.00002/comments").json() == []
    r = api.post("/api/papers/2401.00002/comments", api.ann, json={"body": HOSTILE})
    assert r.status_code == 201
    first = CommentOut.model_validate(r.json())
    assert first.user == "ann" and first.body == HOSTILE and first.paper_id == "2401.00002"
    r = api.post("/api/papers/2401.00002/comments", api.bob, json={"body": "reply", "parent_id": first.id})
    assert r.status_code == 201 and r.json()["parent_id"] == first.id
    listed = TypeAdapter(list[CommentOut]).validate_python(api.get("/api/papers/2401.00002/comments").json())
    assert [(c.user, c.parent_id) for c in listed] == [("ann", None), ("bob", first.id)]
    assert api.get("/api/papers/2401.00002").json()["numComments"] == 2
    # the paper page shows the hostile comment as text
    page = api.get("/papers/2401.00002").text
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # refused: empty, whitespace, too long, a reply to another paper's comment, an unknown paper
    for body, status in (({"body": ""}, 422), ({"body": "   "}, 400), ({"body": "x" * 10_001}, 422)):
        r = api.post("/api/papers/2401.00002/comments", api.ann, json=body)
        assert r.status_code == status and "error" in r.json()
    r = api.post("/api/papers/2401.00001/comments", api.ann, json={"body": "hi", "parent_id": first.id})
    assert r.status_code == 400
    assert api.post("/api/papers/9999.99999/comments", api.ann, json={"body": "hi"}).status_code == 404
    assert api.get("/api/papers/9999.99999/comments").status_code == 404


def test_collections_and_permissions(api):
    r = api.post("/api/collections", api.ann, json={"name": "Reading", "paper": "2401.00001"})
    assert r.status_code == 201
    private = CollectionOut.model_validate(r.json())
    assert (private.public, private.size, private.owner) == (False, 1, "ann")
    public = api.post("/api/collections", api.ann, json={"name": HOSTILE[:90], "public": True}).json()
    assert api.post("/api/collections", api.ann, json={"name": "Reading"}).status_code == 400  # duplicate name

    path = f"/api/collections/{private.id}"
    r = api.post(f"{path}/papers/2401.00002", api.ann)
    assert r.status_code == 200 and r.json()["size"] == 2
    assert api.post(f"{path}/papers/2401.00002", api.ann).json()["size"] == 2  # already there
    detail = CollectionDetail.model_validate(api.get(path, api.ann).json())
    assert {p.id for p in detail.papers} == {"2401.00001", "2401.00002"}
    HFPaper.model_validate(api.get(path, api.ann).json()["papers"][0])
    assert api.delete(f"{path}/papers/2401.00002", api.ann).json()["size"] == 1
    assert api.delete(f"{path}/papers/2401.00002", api.ann).status_code == 404

    # someone else's private collection does not exist for them (or for anonymous readers)
    for who in (api.bob, None):
        assert api.get(path, who).status_code == 404
    assert api.post(f"{path}/papers/2401.00003", api.bob).status_code == 404  # private: as if missing
    assert api.delete(f"{path}/papers/2401.00001", api.bob).status_code == 404
    assert api.delete(path, api.bob).status_code == 404
    assert api.get(f"/api/collections/{public['id']}").json()["name"] == HOSTILE[:90].strip()  # public: anyone
    r = api.post(f"/api/collections/{public['id']}/papers/2401.00001", api.bob)  # readable, not bob's: says so
    assert r.status_code == 403 and "is ann's: you can change only your own" in r.json()["error"]
    assert api.delete(f"/api/collections/{public['id']}", api.bob).status_code == 403
    assert [c["name"] for c in api.get("/api/collections?user=ann", api.bob).json()] == [public["name"]]
    assert len(api.get("/api/collections", api.ann).json()) == 2
    assert api.get("/api/collections?user=nobody").status_code == 404

    # bad ids
    assert api.get("/api/collections/999999", api.ann).status_code == 404
    assert api.get("/api/collections/abc", api.ann).status_code == 422
    assert api.post(f"{path}/papers/9999.99999", api.ann).status_code == 404
    assert api.post("/api/collections", api.ann, json={"name": "x", "paper": "9999.99999"}).status_code == 404
    assert api.post("/api/collections", api.ann, json={"name": ""}).status_code == 422

    assert api.delete(path, api.ann).status_code == 204
    assert api.get(path, api.ann).status_code == 404


def test_submit(api):
    r = api.post("/api/submit", api.bob, json={"paper": "https://arxiv.org/abs/2401.00003v1"})
    assert r.status_code == 201, r.text
    today = datetime.now(UTC).date().isoformat()
    assert r.json()["id"] == "2401.00003" and r.json()["date"] == today
    assert r.json()["paper"]["submittedOnDailyBy"]["user"] == "bob"
    listed = api.get(f"/api/daily_papers?date={today}").json()
    assert [i["paper"]["id"] for i in listed] == ["2401.00003"]
    r = api.post("/api/submit", api.ann, json={"paper": "2401.00003"})
    assert r.status_code == 400 and "already on the daily list" in r.json()["error"]
    r = api.post("/api/submit", api.ann, json={"paper": HOSTILE})
    assert r.status_code == 400 and "not an arXiv id" in r.json()["error"]
    assert api.post("/api/submit", api.ann, json={}).status_code == 422
    r = api.post("/api/submit", api.ann, json={"paper": "2401.00999"})  # new here; arXiv cannot be reached
    assert r.status_code == 503 and r.headers["retry-after"] == "120"
    assert r.json()["error"].startswith("arXiv did not answer the lookup of 2401.00999 (")


def test_delete_own_comment(api):
    top = api.post("/api/papers/2401.00002/comments", api.ann, json={"body": "first"}).json()["id"]
    reply = api.post("/api/papers/2401.00002/comments", api.bob, json={"body": "answer", "parent_id": top}).json()["id"]
    lone = api.post("/api/papers/2401.00002/comments", api.ann, json={"body": "oops"}).json()["id"]
    assert api.delete(f"/api/papers/2401.00002/comments/{reply}", api.ann).status_code == 403  # bob's
    assert api.delete(f"/api/papers/2401.00002/comments/{top}").status_code == 401
    assert api.delete(f"/api/papers/2401.00001/comments/{top}", api.ann).status_code == 404  # another paper's
    assert api.delete(f"/api/papers/2401.00002/comments/{top}", api.ann).status_code == 204
    assert api.delete(f"/api/papers/2401.00002/comments/{lone}", api.ann).status_code == 204
    assert api.delete(f"/api/papers/2401.00002/comments/{lone}", api.ann).status_code == 404  # gone already
    listed = TypeAdapter(list[CommentOut]).validate_python(api.get("/api/papers/2401.00002/comments").json())
    assert [(c.id, c.user, c.body, c.removed, c.parent_id) for c in listed] == [
        (top, None, "", "deleted", None), (reply, "bob", "answer", None, top)]  # fmt: skip
    assert api.get("/api/papers/2401.00002").json()["numComments"] == 1
    r = api.post("/api/papers/2401.00002/comments", api.bob, json={"body": "late", "parent_id": top})
    assert r.status_code == 400


def test_collection_writes_through_the_api_show_on_the_cached_pages_at_once(api):
    """An anonymous reader's cached collection page, its feed and the owner's profile change as soon as the
    owner adds, removes or deletes through the API (they stayed stale for the cache's lifetime)."""
    made = api.post("/api/collections", api.ann, json={"name": "Reading", "public": True}).json()
    page, feed = f"/collections/{made['id']}", f"/feeds/collection/{made['id']}.atom"
    for url in (page, feed, "/users/ann"):  # cached for anonymous readers
        assert api.client.get(url).status_code == 200
    assert api.post(f"/api/collections/{made['id']}/papers/2401.00002", api.ann).status_code == 200
    assert "Paper number 2" in api.client.get(page).text and "Paper number 2" in api.client.get(feed).text
    assert api.delete(f"/api/collections/{made['id']}/papers/2401.00002", api.ann).status_code == 200
    assert "Paper number 2" not in api.client.get(page).text
    assert api.delete(f"/api/collections/{made['id']}", api.ann).status_code == 204
    assert api.client.get(page).status_code == 404 and "Reading" not in api.client.get("/users/ann").text
