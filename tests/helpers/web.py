"""Helpers for page tests: an app over a test store, and a browser-like client that signs up and posts forms."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path

from fastapi.testclient import TestClient

from paperfeed.app import create_app
from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.settings import Settings
from paperfeed.store.passwords import hash_password

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"  # the test users' password
# argon2 at its cheapest for the test sites (a sign-up or log-in in milliseconds, not 0.3 s of CPU): tests are
# about accounts and sessions; tests/web/test_accounts.py checks the cost these settings set, and the default's
CHEAP_PASSWORDS = {"password_time_cost": 1, "password_memory_kib": 1024}
HF_FIXTURE = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "hf-daily-papers-2026-06-12.json"


@cache
def password_hash(password: str = PASSWORD) -> str:
    """The product's argon2id hash of ``password`` at ``CHEAP_PASSWORDS``' cost (verifying reads the cost from
    the hash, so logging in costs milliseconds too); one per password and process."""
    return hash_password(password, Settings(**CHEAP_PASSWORDS))


def paper(n: int, day: date | None = date(2024, 1, 2), upvotes: int = 0, **kw) -> PaperRecord:
    return checked(PaperRecord(
        title=kw.pop("title", f"Paper number {n}"), abstract=kw.pop("abstract", f"Abstract {n}."),
        arxiv_id=kw.pop("arxiv_id", f"2401.{n:05d}v1"), authors=kw.pop("authors", ["Ada Lovelace", "Alan Turing"]),
        categories=kw.pop("categories", ["cs.LG"]), upvotes=upvotes, source="hf",
        featured=[Featured(day, "akhaliq", upvotes)] if day else [], **kw))  # fmt: skip


def real_papers(n: int, day: date, *, hostile: str, upvote_step: int = 0) -> list[PaperRecord]:
    """``n`` papers with the titles and abstracts of a recorded HF response, featured on ``day``, paper ``i``
    with ``upvote_step * i`` upvotes; the last one under the ``hostile`` title."""
    items = [x["paper"] for x in json.loads(HF_FIXTURE.read_text())[:n]]
    return [
        paper(i, day, upvotes=upvote_step * i, title=hostile if i == n else p["title"], abstract=p["summary"])
        for i, p in enumerate(items, start=1)
    ]


def make_app(store, tmp_path, **settings):
    # network sources point at a closed local port: tests never reach the internet
    defaults = {"arxiv_api_url": "http://127.0.0.1:9/api/query", "http_backoff": 0.01, "http_retries": 1}
    defaults |= CHEAP_PASSWORDS
    return create_app(Settings(data_dir=tmp_path, **(defaults | settings)), store=store)


class Browser(TestClient):
    """A TestClient that keeps cookies and fills in the CSRF token like a browser submitting a form."""

    def csrf(self, path: str = "/login") -> str:
        m = CSRF_RE.search(self.get(path).text)
        assert m, f"no CSRF token on {path}"
        return m.group(1)

    def form(self, path: str, data: dict | None = None, *, from_page: str = "/login", **kw):
        data = {"csrf_token": self.csrf(from_page), **(data or {})}
        return self.post(path, data=data, follow_redirects=kw.pop("follow_redirects", False), **kw)

    def signup(self, username: str, password: str = "correct horse battery", **extra):
        r = self.form("/signup", {"username": username, "password": password, **extra}, from_page="/signup")
        assert r.status_code == 303, r.text
        return r

    def login(self, username: str, password: str = "correct horse battery"):
        return self.form("/login", {"username": username, "password": password})


def browser(app) -> Browser:
    return Browser(app, base_url="http://testserver")


def add_papers(store, *records) -> None:
    import_items(store, list(records))
