"""robots.txt and the sitemaps: every visible paper is reachable, hidden ones are not listed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from paperfeed.store import community
from paperfeed.store import users as store_users
from paperfeed.store.models import papers
from paperfeed.web import crawlers
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, *(paper(i, day=date(2024, 1, 1 + i % 2)) for i in range(1, 6)))
    add_papers(store, paper(6, day=None, arxiv_id="hep-th/9901001v2"))
    with store.transaction() as conn:
        community.hide_paper(conn, "2401.00003")
    return make_app(store, tmp_path, base_url="https://papers.example.org/")


def test_robots_txt(app):
    with browser(app) as b:
        r = b.get("/robots.txt")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    lines = r.text.splitlines()
    assert lines[0] == "User-agent: *" and "Disallow: /search" in lines and "Disallow: /api/" in lines
    assert "Sitemap: https://papers.example.org/sitemap.xml" in lines
    assert not any(line.startswith("Disallow: /papers") for line in lines)


def test_shared_caches_may_keep_robots_txt_and_the_sitemaps(lite_store, tmp_path):
    """The same for every client, signed in or not: robots.txt a day, the sitemaps ``feed_cache_seconds``
    (they change when papers arrive), a sitemap's 304 as its 200; a missing sitemap page is kept by nobody."""
    add_papers(lite_store, paper(1))
    app = make_app(lite_store, tmp_path)  # headers only: one database is enough
    with lite_store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash=password_hash())
        token = {"Authorization": f"Bearer {store_users.create_token(conn, ada.id, 't')}"}
    with browser(app) as b, browser(app) as signed_in:
        assert signed_in.login("ada").status_code == 303
        for client, who in ((b, {}), (b, token), (signed_in, {})):
            assert client.get("/robots.txt", headers=who).headers["cache-control"] == "public, max-age=86400"
            for path in ("/sitemap.xml", "/sitemaps/days.xml", "/sitemaps/papers-1.xml"):
                r = client.get(path, headers=who)
                again = client.get(path, headers={**who, "If-None-Match": r.headers["etag"]})
                assert (r.status_code, again.status_code) == (200, 304), path
                for answer in (r, again):
                    vary = {v.strip().lower() for v in answer.headers["vary"].split(",")}
                    assert answer.headers["cache-control"] == "public, max-age=900", (path, who)
                    assert {"authorization", "cookie"} <= vary
        assert b.get("/sitemaps/papers-9.xml").headers["cache-control"] == "no-store"


def test_the_site_icon_is_where_browsers_look(app):
    with browser(app) as b:
        icon = b.get("/favicon.ico")
        page = b.get("/").text
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg") and '<link rel="icon" href="/static/favicon.svg"' in page


def _locs(r) -> list[str]:
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    return [e.text for e in ET.fromstring(r.content).iter() if e.tag.endswith("loc")]


def test_sitemaps_reach_every_visible_paper(app, monkeypatch):
    monkeypatch.setattr(crawlers, "SITEMAP_SIZE", 2)
    with browser(app) as b:
        index = _locs(b.get("/sitemap.xml"))
        base = "https://papers.example.org"
        assert index == [f"{base}/sitemaps/days.xml"] + [f"{base}/sitemaps/papers-{n}.xml" for n in (1, 2, 3)]
        papers = [loc for n in (1, 2, 3) for loc in _locs(b.get(f"/sitemaps/papers-{n}.xml"))]
        days = _locs(b.get("/sitemaps/days.xml"))
        for bad in ("/sitemaps/papers-4.xml", "/sitemaps/papers-0.xml", "/sitemaps/papers-99999999999.xml"):
            assert b.get(bad).status_code == 404, bad
        assert b.get("/sitemaps/papers-x.xml").status_code in (404, 422)
    ids = [p.removeprefix(f"{base}/papers/") for p in papers]
    assert ids == ["2401.00001", "2401.00002", "2401.00004", "2401.00005", "hep-th/9901001"]  # not the hidden one
    assert sorted(days) == [f"{base}/papers/date/2024-01-01", f"{base}/papers/date/2024-01-02"]
    with browser(app) as b:
        page = ET.fromstring(b.get("/sitemaps/papers-1.xml").content)
        assert all(u.find("s:lastmod", NS) is not None for u in page.findall("s:url", NS))
        assert b.get(f"/papers/{ids[-1]}").status_code == 200  # the listed URLs are real pages


def test_every_sitemap_entry_has_a_lastmod_that_follows_its_papers(app, store, monkeypatch):
    monkeypatch.setattr(crawlers, "SITEMAP_SIZE", 2)
    stamps = {"2401.00001": (2025, 1, 1), "2401.00002": (2025, 2, 1), "2401.00003": (2026, 1, 1),  # hidden
              "2401.00004": (2025, 3, 1), "2401.00005": (2025, 1, 15), "hep-th/9901001": (2025, 4, 1)}  # fmt: skip
    with store.transaction() as conn:
        for pid, ymd in stamps.items():
            conn.execute(update(papers).where(papers.c.id == pid).values(modified_at=datetime(*ymd, 9, tzinfo=UTC)))
    base = "https://papers.example.org"

    def lastmods(r, tag):
        found = {}
        for item in ET.fromstring(r.content).iter(f"{{{NS['s']}}}{tag}"):
            found[item.find("s:loc", NS).text.removeprefix(base)] = item.find("s:lastmod", NS).text
        return found

    with browser(app) as b:
        days = lastmods(b.get("/sitemaps/days.xml"), "url")
        index = lastmods(b.get("/sitemap.xml"), "sitemap")
    # a day: its newest visible paper's change (the hidden paper's later one does not count)
    assert days == {"/papers/date/2024-01-01": "2025-03-01T09:00:00+00:00",
                    "/papers/date/2024-01-02": "2025-01-15T09:00:00+00:00"}  # fmt: skip
    assert index == {
        "/sitemaps/days.xml": "2025-03-01T09:00:00+00:00",
        "/sitemaps/papers-1.xml": "2025-02-01T09:00:00+00:00",  # 2401.00001, 2401.00002
        "/sitemaps/papers-2.xml": "2025-03-01T09:00:00+00:00",  # 2401.00004, 2401.00005
        "/sitemaps/papers-3.xml": "2025-04-01T09:00:00+00:00",  # hep-th/9901001
    }
