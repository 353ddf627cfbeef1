"""A free account cannot tie up the server with submissions: each user submits a bounded number an hour (the
page and the API answer 429 with Retry-After), and a process looks up one unknown paper on arXiv at a time
(another lookup meanwhile is a 503 at once, not a request thread waiting on arXiv)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from werkzeug import Response

from paperfeed.actions import community as actions
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"
PER_HOUR = 10  # submissions a user makes an hour (docs/operations.md)


def _user_with_token(store, name: str) -> dict:
    with store.transaction() as conn:
        user = store_users.create_user(conn, username=name, password_hash="x")
        return {"Authorization": f"Bearer {store_users.create_token(conn, user.id, 'cli')}"}


def test_the_limit_is_the_documented_one():
    assert actions.SUBMISSIONS_PER_HOUR == PER_HOUR


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, *(paper(n, None) for n in range(1, PER_HOUR + 2)))  # on no list yet: all submittable
    return make_app(store, tmp_path)


def test_a_user_submits_a_bounded_number_an_hour(app, store, monkeypatch):
    bob = _user_with_token(store, "bob")
    with browser(app) as api:
        for n in range(1, PER_HOUR + 1):
            assert api.post("/api/submit", json={"paper": f"2401.{n:05d}"}, headers=bob).status_code == 201
        r = api.post("/api/submit", json={"paper": f"2401.{PER_HOUR + 1:05d}"}, headers=bob)
        assert r.status_code == 429 and f"{PER_HOUR} submissions an hour is the most" in r.json()["error"]
        assert 60 * 59 <= int(r.headers["retry-after"]) <= 3600 and "again in 60 minutes" in r.json()["error"]
        r = api.post("/api/submit", json={"paper": "2401.00001"}, headers=bob)
        assert r.status_code == 400 and "already on the daily list" in r.json()["error"]  # said before the limit
    with browser(app) as ada:  # a refusal for a paper already listed costs nothing: no lookup, no listing
        ada.signup("ada")
        for _ in range(PER_HOUR + 1):
            r = ada.form("/submit", {"paper": "2401.00001"}, from_page="/submit")
            assert r.status_code == 400 and "already on the daily list" in r.text
        monkeypatch.setattr(actions, "SUBMISSIONS_PER_HOUR", 1)
        r = ada.form("/submit", {"paper": f"2401.{PER_HOUR + 1:05d}"}, from_page="/submit")
        assert r.status_code == 303  # other users go on
        r = ada.form("/submit", {"paper": "2401.99999"}, from_page="/submit")
        assert r.status_code == 429 and "most one account may make" in r.text and int(r.headers["retry-after"]) > 0
        assert 'value="2401.99999"' in r.text  # the form keeps what was typed


def test_one_arxiv_lookup_at_a_time_and_the_others_are_told_to_come_back(store, tmp_path, httpserver):
    body = (FIXTURES / "arxiv-api-idlist-2016.atom.xml").read_bytes()
    arrived, release = threading.Event(), threading.Event()

    def slow_arxiv(request):  # arXiv taking its time (or retrying) on the first lookup
        arrived.set()
        release.wait(20)
        return Response(body, content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(slow_arxiv)
    app = make_app(store, tmp_path, arxiv_api_url=httpserver.url_for("/api/query"), http_delay=0)
    ann, bob = _user_with_token(store, "ann"), _user_with_token(store, "bob")
    first: dict = {}

    def submit_first():
        with browser(app) as client:
            first["r"] = client.post("/api/submit", json={"paper": "1111.2011"}, headers=ann)

    lookup = threading.Thread(target=submit_first)
    lookup.start()
    try:
        assert arrived.wait(20)
        started = time.monotonic()
        with browser(app) as client:
            r = client.post("/api/submit", json={"paper": "2401.09999"}, headers=bob)
        assert time.monotonic() - started < 5  # answered at once, not after the first lookup
        assert r.status_code == 503 and r.headers["retry-after"] == "120"
        assert "another submission is being looked up on arXiv" in r.json()["error"]
    finally:
        release.set()
        lookup.join(30)
    assert first["r"].status_code == 201 and first["r"].json()["id"] == "1111.2011"
    assert len(httpserver.log) == 1  # the refused lookup never reached arXiv
