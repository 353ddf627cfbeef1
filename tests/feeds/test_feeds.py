"""Atom and RSS feeds: valid for feedparser, the expected entries, hostile text as text, advertised by pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from html import unescape

import feedparser
import pytest
from fastapi.testclient import TestClient

from paperfeed.app import create_app
from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.settings import Settings

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> $\\alpha < \\beta$ & co'
HOSTILE_SHOWN = '<script>alert(1)</script> "><img src=x onerror=alert(2)> α < β & co'  # math as text
BASE = "https://papers.example.org"


def paper(n: int, day: date | None, upvotes: int, **kw) -> PaperRecord:
    return checked(
        PaperRecord(
            title=kw.pop("title", f"Paper number {n} on graphs"),
            abstract=kw.pop("abstract", f"Abstract {n}."),
            arxiv_id=f"2401.{n:05d}",
            authors=kw.pop("authors", ["Ada Lovelace", "Alan Turing"]),
            categories=kw.pop("categories", ["cs.LG", "stat.ML"]),
            published=datetime(2024, 1, day.day if day else 1, 12, tzinfo=UTC),
            updated=kw.pop("updated", None),
            upvotes=upvotes,
            source="hf",
            featured=[Featured(day, "akhaliq", upvotes)] if day else [],
            **kw,
        )
    )


@pytest.fixture
def client(store, tmp_path):
    import_items(
        store,
        [
            paper(1, date(2024, 1, 2), 10, updated=datetime(2024, 1, 5, tzinfo=UTC)),
            paper(2, date(2024, 1, 3), 30, title=HOSTILE, abstract="<b>bold</b> & $x^2$ \x01 <script>x()</script>"),
            paper(3, date(2024, 1, 3), 5, authors=["Grace Hopper"], categories=["cs.CL"]),
            paper(4, None, 0, categories=["cs.CL"], authors=["Grace Hopper"]),
        ],
    )
    with TestClient(create_app(Settings(data_dir=tmp_path, base_url=BASE + "/"), store=store)) as c:
        yield c


def parse(client, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, (url, r.text[:300])
    kind = "atom" if ".atom" in url else "rss"
    assert r.headers["content-type"] == f"application/{kind}+xml; charset=utf-8"
    assert b"<script>" not in r.content and b"<img" not in r.content  # markup arrives escaped, as text
    feed = feedparser.parse(r.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    assert feed.version == ("atom10" if kind == "atom" else "rss20")
    return feed


def entry_ids(feed) -> list[str]:
    return [e.link.rsplit("/", 1)[1] for e in feed.entries]


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feeds_have_the_expected_entries(client, fmt):
    daily = parse(client, f"/feeds/daily.{fmt}")
    assert entry_ids(daily) == ["2401.00002", "2401.00003"]  # the latest day, most upvoted first
    assert daily.feed.title == "paperfeed: Daily papers" and daily.feed.link == f"{BASE}/"
    assert entry_ids(parse(client, f"/feeds/trending.{fmt}")) == ["2401.00002", "2401.00003", "2401.00001"]
    assert entry_ids(parse(client, f"/feeds/trending.{fmt}?category=cs.CL")) == ["2401.00003"]
    assert set(entry_ids(parse(client, f"/feeds/category/cs.CL.{fmt}"))) == {"2401.00003", "2401.00004"}
    assert set(entry_ids(parse(client, f"/feeds/author/Grace%20Hopper.{fmt}"))) == {"2401.00003", "2401.00004"}

    e = next(e for e in daily.entries if e.link.endswith("2401.00003"))
    assert e.link == e.id == f"{BASE}/papers/2401.00003"
    assert e.title == "Paper number 3 on graphs" and "Abstract 3." in e.summary
    assert [a.name for a in e.authors] == ["Grace Hopper"] and [t.term for t in e.tags] == ["cs.CL"]
    assert e.published_parsed[:3] == (2024, 1, 3)
    one = next(e for e in parse(client, f"/feeds/trending.{fmt}").entries if e.link.endswith("2401.00001"))
    if fmt == "atom":
        assert one.updated_parsed[:3] == (2024, 1, 5)
    assert [t.term for t in one.tags] == ["cs.LG", "stat.ML"]


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_hostile_text_comes_out_as_text(client, fmt):
    entry = next(e for e in parse(client, f"/feeds/daily.{fmt}").entries if e.link.endswith("2401.00002"))
    assert entry.title == HOSTILE_SHOWN
    if entry.summary_detail.type == "text/plain":  # Atom: the abstract as text
        assert " ".join(entry.summary.split()) == "<b>bold</b> & $x^2$ <script>x()</script>"  # \x01 dropped
    else:  # RSS: HTML that shows the abstract's markup as text
        assert "<script" not in entry.summary and "&lt;script&gt;x()&lt;/script&gt;" in entry.summary
        assert "&lt;b&gt;bold" in entry.summary and "&amp; $x^2$" in entry.summary
    raw = client.get(f"/feeds/daily.{fmt}").text
    assert unescape(re.search(r"<title>([^<]*alert[^<]*)</title>", raw).group(1)) == HOSTILE_SHOWN


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_empty_results_are_valid_empty_feeds(client, fmt):
    for url in (f"/feeds/category/no.such.{fmt}", f"/feeds/author/Nobody%20At%20All.{fmt}"):
        feed = parse(client, url)
        assert feed.entries == [] and feed.feed.title


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_an_empty_feed_is_the_same_each_time(monkeypatch, fmt):
    """An empty collection's feed, made afresh for each request, keeps its bytes (and so its ETag: a reader's
    next poll is a 304), whatever the clock says."""
    from paperfeed.feeds import build

    class Ticking(datetime):  # a clock that moves on each time it is read
        ticks = 0

        @classmethod
        def now(cls, tz=None):
            cls.ticks += 1
            return datetime(2024, 1, 1, tzinfo=UTC).replace(second=cls.ticks % 60)

    monkeypatch.setattr(build, "datetime", Ticking)
    info = build.FeedInfo("A collection", "Its papers", "http://x/collections/1", "http://x/feeds/c.atom")
    made = [build.render_feed(fmt, info, [], base_url="http://x", site_name="paperfeed") for _ in range(2)]
    assert made[0] == made[1] and feedparser.parse(made[0]).entries == []


def test_empty_database_feeds(store, tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as c:
        for url in ("/feeds/daily.atom", "/feeds/daily.rss", "/feeds/trending.atom"):
            assert parse(c, url).entries == []


def test_bad_feed_requests(client):
    assert client.get("/feeds/daily.xml").status_code == 422
    assert client.get("/feeds/search.atom").status_code == 422  # q is required
    assert client.get("/feeds/search.atom?q=%20").status_code == 400
    assert client.get("/feeds/nothing.atom").status_code == 404


@dataclass
class FakeHit:
    paper_id: str
    score: float = 1.0
    why: str = "keywords"


@dataclass
class FakeResult:
    hits: list
    total: int
    lexical_only: bool = True
    not_embedded: int = 0


@pytest.fixture
def fake_search(monkeypatch):
    """rank.search's contract, without an index: 'graphs' finds papers 1 and 3, anything else nothing."""
    calls = []

    def search(store, settings, q, **kw):
        calls.append((q, kw))
        hits = [FakeHit("2401.00003"), FakeHit("2401.00001")] if "graphs" in q else []
        return FakeResult(hits, len(hits))

    # the function, not the module: a fake module would also stand in for what others import from it
    # (rank.similar's Hit), and break the paper pages of whichever test imports them first
    import paperfeed.rank.search

    monkeypatch.setattr(paperfeed.rank.search, "search", search)
    return calls


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_search_feed(client, fake_search, fmt):
    feed = parse(client, f"/feeds/search.{fmt}?q=graphs")
    assert entry_ids(feed) == ["2401.00003", "2401.00001"]
    assert fake_search[-1] == ("graphs", {"sort": "newest", "limit": 50, "offset": 0})  # a saved search: newest
    assert "graphs" in feed.feed.title
    assert parse(client, f"/feeds/search.{fmt}?q=%3Cscript%3E").entries == []


def test_search_feed_with_the_real_ranker(client):
    pytest.importorskip("paperfeed.rank.search")
    feed = parse(client, "/feeds/search.atom?q=graphs")
    assert {"2401.00001", "2401.00003"} <= set(entry_ids(feed))


_ATOM_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)"')


@pytest.mark.parametrize(
    "page, expected",
    [
        ("/", "2401.00002"),
        ("/trending", "2401.00001"),
        ("/trending?category=cs.CL", "2401.00003"),
        ("/papers/2401.00003", "2401.00004"),  # its first author's feed
        ("/authors/Grace%20Hopper", "2401.00004"),
        ("/search?q=graphs", "2401.00001"),
    ],
)
def test_pages_advertise_their_feeds(client, fake_search, page, expected):
    r = client.get(page)
    assert r.status_code == 200
    hrefs = [unescape(h) for h in _ATOM_LINK.findall(r.text)]
    assert hrefs, f"{page} advertises no Atom feed"
    found = set()
    for href in hrefs:
        found |= set(entry_ids(parse(client, href)))
    assert expected in found
    rss = re.findall(r'<link rel="alternate" type="application/rss\+xml" title="[^"]*" href="([^"]+)"', r.text)
    assert rss and parse(client, unescape(rss[0]))
    titles = re.findall(r'<link rel="alternate" type="application/(?:atom|rss)\+xml" title="([^"]*)"', r.text)
    assert len(set(titles)) == len(titles) and all(t.endswith((" (Atom)", " (RSS)")) for t in titles), titles


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_entries_lead_with_the_one_line_summary(client, store, fmt):
    from paperfeed.store import summaries as store_summaries

    with store.transaction() as conn:  # as the index job stores it (index/summaries.py)
        store_summaries.save_summaries(conn, [("2401.00003", "h", "Graphs <b>route</b> & scale.")], "m")
    entries = {e.link.rsplit("/", 1)[1]: e for e in parse(client, f"/feeds/daily.{fmt}").entries}
    with_line, without = entries["2401.00003"].summary, entries["2401.00002"].summary
    assert "Abstract 3." in with_line and "In one line:" not in without
    if fmt == "atom":  # text: the summary first, then the abstract
        assert with_line.startswith("In one line: Graphs <b>route</b> & scale.")
    else:  # HTML: the summary's markup shown as text
        assert "In one line:" in with_line and "Graphs &lt;b&gt;route&lt;/b&gt; &amp; scale." in with_line
        assert "<b>route" not in with_line


@pytest.mark.parametrize("url", ["/feeds/daily.atom", "/feeds/trending.rss", "/feeds/author/Grace%20Hopper.atom"])
def test_feed_readers_revalidate_and_get_304_until_the_feed_changes(client, store, url):
    from paperfeed.store import community

    first = client.get(url)
    tag, when = first.headers["etag"], first.headers["last-modified"]
    assert first.status_code == 200 and tag and "2401.00003" in first.text
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and _kept_for(again) == _kept_for(first) == 900
    assert client.get(url, headers={"If-Modified-Since": when}).status_code == 304
    with store.transaction() as conn:
        community.hide_paper(conn, "2401.00003")  # a moderator takes a paper off every list
    client.app.state.page_cache.clear()  # what the action's event does in every serving process
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag and "2401.00003" not in changed.text


def _kept_for(r) -> int | None:
    """The seconds a shared cache may keep the answer (``public, max-age=N`` with ``Vary: Authorization,
    Cookie``), else None."""
    vary = {v.strip().lower() for v in r.headers.get("vary", "").split(",")}
    control = r.headers.get("cache-control", "")
    if not control.startswith("public, max-age=") or not {"authorization", "cookie"} <= vary:
        return None
    return int(control.removeprefix("public, max-age="))


def test_a_feed_is_the_same_for_every_reader_and_shared_caches_may_keep_it(lite_store, tmp_path):
    """Signed in by a token or a session, or not: the same feed, tag and lifetime (``feed_cache_seconds``),
    and a 304 that says the same; a shared cache may give it to every reader (headers only: one database)."""
    from paperfeed.store import users as store_users
    from tests.helpers.web import CHEAP_PASSWORDS, browser, password_hash

    import_items(lite_store, [paper(1, date(2024, 1, 2), 10)])
    client = TestClient(create_app(Settings(data_dir=tmp_path, base_url=BASE, **CHEAP_PASSWORDS), store=lite_store))
    with lite_store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash=password_hash())
        token = {"Authorization": f"Bearer {store_users.create_token(conn, ada.id, 't')}"}
    anonymous = client.get("/feeds/daily.rss")
    with browser(client.app) as session:
        assert session.login("ada").status_code == 303
        answers = [client.get("/feeds/daily.rss", headers=token), session.get("/feeds/daily.rss")]
        tag = anonymous.headers["etag"]
        answers += [session.get("/feeds/daily.rss", headers={"If-None-Match": tag})]
    answers += [client.get("/feeds/daily.rss", headers={**token, "If-None-Match": tag})]
    assert [r.status_code for r in answers] == [200, 200, 304, 304]
    for r in [anonymous, *answers]:
        assert r.headers["etag"] == tag and _kept_for(r) == 900 and "set-cookie" not in r.headers
    assert answers[0].content == anonymous.content


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_the_daily_feed_dates_its_entries_by_the_day_listed(store, tmp_path, fmt):
    """A paper published weeks before it reached the list: a reader that sorts by date (or keeps only new
    items) must see it with the day's list, not under its old publication date."""
    old = replace(paper(9, date(2024, 1, 3), 7), published=datetime(2023, 12, 20, 9, tzinfo=UTC))
    import_items(store, [old, paper(3, date(2024, 1, 3), 5)])
    with TestClient(create_app(Settings(data_dir=tmp_path, base_url=BASE), store=store)) as c:
        daily = parse(c, f"/feeds/daily.{fmt}")
        author = parse(c, f"/feeds/author/Ada%20Lovelace.{fmt}")
    assert {e.link.rsplit("/", 1)[1]: e.published_parsed[:3] for e in daily.entries} == {
        "2401.00009": (2024, 1, 3), "2401.00003": (2024, 1, 3)
    }  # fmt: skip
    # other feeds keep the paper's own date (an author's papers, newest first)
    assert next(e for e in author.entries if e.link.endswith("2401.00009")).published_parsed[:3] == (2023, 12, 20)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_keyword_has_a_feed_that_its_page_advertises(client, store, fmt):
    from paperfeed.store import keywords as store_keywords

    with store.transaction() as conn:
        store_keywords.save_keywords(conn, [("2401.00001", [("KV cache", 0.9)]), ("2401.00003", [("KV cache", 0.5)])])
    page = client.get("/keywords/kv%20cache")
    [href] = [unescape(h) for h in _ATOM_LINK.findall(page.text)]
    feed = parse(client, href.replace(".atom", f".{fmt}"))
    assert entry_ids(feed) == ["2401.00003", "2401.00001"]  # newest first, as the page lists them
    assert "KV cache" in feed.feed.title and feed.feed.link == f"{BASE}/keywords/KV%20cache"
    assert entry_ids(parse(client, f"/feeds/keyword/no%20such%20thing.{fmt}")) == []  # a valid empty feed


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_public_collection_has_a_feed_dated_by_its_additions(client, store, fmt):
    """The papers added last come first, each dated by its addition (a reader sees what was just added as
    new); a private collection's feed is a 404, as its page is to anyone but the owner."""
    from paperfeed.store import collections as store_collections
    from paperfeed.store import users as store_users
    from paperfeed.store.models import collection_items

    with store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash="x")
        shared = store_collections.create(conn, user_id=ada.id, name="Graph reading", is_public=True)
        private = store_collections.create(conn, user_id=ada.id, name="Mine")
        for cid, pid, day in ((shared, "2401.00003", 1), (shared, "2401.00001", 20), (private, "2401.00002", 2)):
            store_collections.add_paper(conn, cid, pid)
            conn.execute(collection_items.update().where(collection_items.c.paper_id == pid)
                         .values(added_at=datetime(2024, 3, day, 8, tzinfo=UTC)))  # fmt: skip
    page = client.get(f"/collections/{shared}")
    [href] = [unescape(h) for h in _ATOM_LINK.findall(page.text)]
    feed = parse(client, href.replace(".atom", f".{fmt}"))
    assert entry_ids(feed) == ["2401.00001", "2401.00003"]
    assert [e.published_parsed[:3] for e in feed.entries] == [(2024, 3, 20), (2024, 3, 1)]
    assert "Graph reading" in feed.feed.title and "ada" in feed.feed.title
    # not kept here (an edit shows at once), but tagged, and kept by shared caches as long as its page
    first = client.get(f"/feeds/collection/{shared}.{fmt}")
    again = client.get(f"/feeds/collection/{shared}.{fmt}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and _kept_for(again) == _kept_for(first) == 60
    for cid in (private, 99_999):
        r = client.get(f"/feeds/collection/{cid}.{fmt}")
        assert r.status_code == 404 and "2401.00002" not in r.text
    assert client.get(f"/feeds/collection/0.{fmt}").status_code == 422
