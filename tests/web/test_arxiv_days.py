"""Papers fetched from arXiv by date (query API, OAI-PMH) are on their day's list, as new papers are on
arxiv-sanity's; featured days (Hugging Face, submissions) read as before."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from paperfeed.app import create_app
from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.settings import Settings
from paperfeed.sources.arxiv_api import parse_feed
from tests.helpers.net import load

NAV = re.compile(r'<a class="nav (prev|next)" href="([^"]+)"')


@pytest.fixture
def fetched(store):
    """``fetch arxiv --category cs.LG --date-from 2026-06-11 --date-to 2026-06-12``: five papers of 11 June."""
    items, _ = parse_feed(load("arxiv-api-query-cat-2026-06.atom.xml"), location="api")
    assert import_items(store, items).counts.added == 5
    return store


def test_papers_fetched_for_a_day_are_on_that_days_list(fetched, tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path), store=fetched)) as c:
        page = c.get("/papers/date/2026-06-11").text
        assert 'New on arXiv this day <span class="count">(5)</span>' in page
        assert page.count('class="card"') == 5 and "/papers/2606.13677" in page
        assert 'class="card"' not in c.get("/papers/date/2026-06-12").text


def test_a_site_that_fetches_arxiv_only_has_a_front_page(fetched, tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path), store=fetched)) as c:
        front = c.get("/").text
    assert "Thu 11 Jun 2026" in front and front.count('class="card"') == 5 and "database is empty" not in front


def test_featured_days_and_arxiv_days_lead_to_each_other(fetched, tmp_path):
    hf = checked(PaperRecord(title="Featured paper", arxiv_id="2606.00001v1", source="hf", upvotes=3,
                             featured=[Featured(date(2026, 6, 9), "akhaliq", 3)]))  # fmt: skip
    import_items(fetched, [hf])
    with TestClient(create_app(Settings(data_dir=tmp_path), store=fetched)) as c:
        assert dict(NAV.findall(c.get("/papers/date/2026-06-11").text)) == {"prev": "/papers/date/2026-06-09"}
        assert dict(NAV.findall(c.get("/papers/date/2026-06-09").text)) == {"next": "/papers/date/2026-06-11"}
        # the front page stays the latest featured day; the featured list, as HF's API gives it, stays the
        # featured papers
        assert "Tue 09 Jun 2026" in c.get("/").text
        assert [i["paper"]["id"] for i in c.get("/api/daily_papers").json()] == ["2606.00001"]


@pytest.mark.network_server
def test_a_submitted_old_paper_is_featured_not_new_on_arxiv(store, tmp_path, httpserver):
    """A reader submits a paper of 2011 on a site that lists Hugging Face's days only: it is on today's list,
    not new on arXiv in 2011, and today's page does not step back to 2011."""
    from datetime import UTC, datetime

    from tests.helpers.web import browser, make_app

    body = load("arxiv-api-idlist-2016.atom.xml")
    httpserver.expect_request("/api/query").respond_with_data(body, content_type="application/atom+xml")
    app = make_app(store, tmp_path, arxiv_api_url=httpserver.url_for("/api/query"), http_delay=0)
    today = datetime.now(UTC).date().isoformat()
    with browser(app) as b:
        b.signup("ada")
        assert b.form("/submit", {"paper": "1111.2011"}, from_page="/submit").status_code == 303
        page = b.get(f"/papers/date/{today}").text
        assert "/papers/1111.2011" in page and "New on arXiv" not in page and not NAV.findall(page)
        assert "/papers/1111.2011" not in b.get("/papers/date/2011-11-08").text
