"""20 clients upvoting and unvoting at once, over real HTTP, leave exact counts: one vote per user per paper.

A real uvicorn server (``tests.helpers.liveserver``) serves the app on loopback; each client is its own user
with its own connection pool and credentials: half log in through the form and vote with their session cookie
and CSRF token (as the page's JavaScript does), half vote with an API token. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from paperfeed.store import users as store_users
from paperfeed.store.models import votes
from tests.helpers.liveserver import live_server
from tests.helpers.web import CSRF_RE, PASSWORD, add_papers, make_app, paper, password_hash

CLIENTS = 20
OPS_PER_CLIENT = 8
PAPERS = ["2401.00001", "2401.00002", "2401.00003"]
IMPORTED = {"2401.00001": 5, "2401.00002": 0, "2401.00003": 2}  # Hugging Face upvotes, counted on top
COUNT_RE = re.compile(r'<span class="count">(\d+)</span>')


@pytest.fixture
def server(store, tmp_path):
    add_papers(store, *(paper(i + 1, upvotes=IMPORTED[pid]) for i, pid in enumerate(PAPERS)))
    hashed = password_hash()  # cheap argon2 parameters: logins here test sessions, not argon2
    tokens = {}
    with store.transaction() as conn:
        for i in range(CLIENTS):
            user = store_users.create_user(conn, username=f"voter{i:02d}", password_hash=hashed)
            if i % 2:
                tokens[i] = store_users.create_token(conn, user.id, "concurrency test")
    app = make_app(store, tmp_path)
    with live_server(app) as base_url:
        yield base_url, tokens


class Voter:
    """One user's client: session cookie + CSRF token (even ids) or API token (odd ids)."""

    def __init__(self, base_url: str, i: int, token: str | None):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=20)
        self.csrf = None
        if token is None:
            r = self.http.post(
                "/login",
                data={"username": f"voter{i:02d}", "password": PASSWORD, "csrf_token": self._csrf("/login")},
            )
            assert r.status_code == 303, r.text
            self.csrf = self._csrf("/")  # logging in starts a new session with a new CSRF token

    def _csrf(self, path: str) -> str:
        m = CSRF_RE.search(self.http.get(path, headers={"Accept": "text/html"}).text)
        assert m, f"no CSRF token on {path}"
        return m.group(1)

    def vote(self, paper_id: str, value: int) -> dict:
        data = {"value": str(value)} | ({"csrf_token": self.csrf} if self.csrf else {})
        r = self.http.post(f"/papers/{paper_id}/vote", data=data)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        body = r.json()
        assert body["id"] == paper_id and body["vote"] == value
        assert IMPORTED[paper_id] <= body["upvotes"] <= IMPORTED[paper_id] + CLIENTS
        return body


def test_concurrent_votes_leave_exact_counts(server, store):
    base_url, tokens = server
    voters = [None] * CLIENTS
    final = [dict.fromkeys(PAPERS, 0) for _ in range(CLIENTS)]  # each user's last vote per paper
    start = threading.Barrier(CLIENTS, timeout=30)

    def run(i: int) -> None:
        voters[i] = voter = Voter(base_url, i, tokens.get(i))
        rnd = random.Random(i)
        start.wait()  # every client logged in: now all vote at once
        for _ in range(OPS_PER_CLIENT):
            pid, value = rnd.choice(PAPERS), rnd.choice((1, 1, 0))
            voter.vote(pid, value)
            final[i][pid] = value

    with ThreadPoolExecutor(CLIENTS) as pool:
        for f in [pool.submit(run, i) for i in range(CLIENTS)]:
            f.result(timeout=60)

    # the same user double-clicking: two identical requests at the same instant, for every user at once
    double = PAPERS[2]
    with ThreadPoolExecutor(2 * CLIENTS) as pool:
        for f in [pool.submit(voters[i].vote, double, 1) for i in range(CLIENTS) for _ in range(2)]:
            f.result(timeout=60)
    for votes_of in final:
        votes_of[double] = 1

    expected = {pid: sum(v[pid] for v in final) for pid in PAPERS}
    with store.read() as conn:
        rows = conn.execute(select(votes.c.user_id, votes.c.paper_id, votes.c.value)).all()
        stored = dict(
            conn.execute(
                select(votes.c.paper_id, func.count()).where(votes.c.value == 1).group_by(votes.c.paper_id)
            ).all()
        )
    assert len(rows) == len({(r.user_id, r.paper_id) for r in rows})  # one vote per user per paper
    assert {pid: stored.get(pid, 0) for pid in PAPERS} == expected
    assert expected[double] == CLIENTS
    anonymous = httpx.Client(base_url=base_url, timeout=20)
    for pid in PAPERS:  # and the pages show imported + community votes
        shown = int(COUNT_RE.search(anonymous.get(f"/papers/{pid}").text).group(1))
        assert shown == IMPORTED[pid] + expected[pid], pid
    for voter in voters:
        voter.http.close()
    anonymous.close()
