"""Keyword chips and pages, the keyword filter (lists, search, API) and the /map page, over a real index.

Six real HF papers (one with a hostile title) are featured on one day and run through the real index job
(the bundled model embeds them and extracts their keywords); tests then set some keywords by hand through
the store so that which papers share a keyword is known exactly.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import quote

import pytest

from paperfeed.index import job
from paperfeed.settings import Settings
from paperfeed.store import keywords as store_keywords
from tests.helpers.search import CachingEncoder
from tests.helpers.web import add_papers, browser, make_app, paper, real_papers

DAY = date(2024, 1, 2)
HOSTILE = '<script>alert("pwned")</script> & <b>Bold</b> claims'


@pytest.fixture(scope="module")
def encoder():
    return CachingEncoder()


@pytest.fixture
def site(store, db_url, tmp_path, encoder):
    records = real_papers(6, DAY, hostile=HOSTILE, upvote_step=10)
    add_papers(store, *records, paper(7, None, title="Never featured", abstract="Other words."))
    data = tmp_path / "data"
    job.run(store, Settings(data_dir=data, database_url=db_url, search_refresh_seconds=0), encoder=encoder)
    with store.transaction() as conn:  # a keyword three papers share, and one paper's own
        shared = [(f"2401.{n:05d}", [("shared topic", 0.9), (f"own {n}", 0.5)]) for n in (1, 3, 5)]
        store_keywords.save_keywords(conn, shared)
    return browser(make_app(store, data, database_url=db_url, search_refresh_seconds=0))


def card_ids(html: str) -> list[str]:
    return re.findall(r'<article class="card" id="paper-([^"]+)"', html)


def test_cards_and_paper_page_link_keywords_to_a_page_with_exactly_those_papers(site):
    day = site.get(f"/papers/date/{DAY}")
    assert day.status_code == 200 and '<a class="chip" href="/keywords/shared%20topic">shared topic</a>' in day.text
    page = site.get("/papers/2401.00003")
    assert 'href="/keywords/shared%20topic"' in page.text and 'href="/keywords/own%203"' in page.text
    kw = site.get("/keywords/shared%20topic")
    assert kw.status_code == 200 and sorted(card_ids(kw.text)) == ["2401.00001", "2401.00003", "2401.00005"]
    other_case = site.get("/keywords/Shared%20TOPIC")  # typed in another case: the same page
    assert sorted(card_ids(other_case.text)) == ["2401.00001", "2401.00003", "2401.00005"]
    assert '<span class="chip big">shared topic</span>' in other_case.text
    by_votes = site.get("/keywords/shared%20topic?sort=upvotes")
    assert card_ids(by_votes.text) == ["2401.00005", "2401.00003", "2401.00001"]
    newest = site.get("/keywords/shared%20topic?sort=newest")  # the search's name; published: its alias
    assert newest.status_code == 200 and card_ids(newest.text) == card_ids(kw.text)
    assert '<a href="?sort=published" class="on">newest</a>' in newest.text
    assert card_ids(site.get("/keywords/shared%20topic?sort=published").text) == card_ids(kw.text)
    # every paper embedded by the job got extracted keywords, linked the same way
    with site.app.state.store.read() as conn:
        extracted = store_keywords.for_papers(conn, ["2401.00002"])["2401.00002"]
    assert extracted and "2401.00002" in card_ids(site.get("/keywords/" + quote(extracted[0])).text)


def test_unknown_or_hostile_keyword_is_a_clean_404(site):
    r = site.get("/keywords/" + quote("<img src=x onerror=alert(1)>"))
    assert r.status_code == 404 and "<img src=x" not in r.text and "&lt;img" in r.text
    assert site.get("/keywords/" + "x" * 5000).status_code == 404
    past = site.get("/keywords/shared%20topic?p=2")  # past the last page: a 404 as on the lists, not an empty page
    assert past.status_code == 404 and "this list has 1 page" in past.text


def test_keyword_filters_lists_search_and_api(site):
    day = site.get(f"/papers/date/{DAY}?keyword=shared%20topic")
    assert sorted(card_ids(day.text)) == ["2401.00001", "2401.00003", "2401.00005"]
    assert "Only papers with the keyword" in day.text
    month = site.get("/papers/month/2024-01?keyword=own%205")
    assert card_ids(month.text) == ["2401.00005"]
    assert card_ids(site.get(f"/papers/date/{DAY}?keyword=nothing%20like%20this").text) == []
    search = site.get("/search?keyword=Shared%20Topic")
    assert sorted(card_ids(search.text)) == ["2401.00001", "2401.00003", "2401.00005"]
    words = site.get("/search?q=agents&keyword=shared%20topic")
    assert set(card_ids(words.text)) <= {"2401.00001", "2401.00003", "2401.00005"}
    api = site.get("/api/papers/search?keyword=shared%20topic").json()
    assert sorted(x["paper"]["id"] for x in api) == ["2401.00001", "2401.00003", "2401.00005"]
    assert all("shared topic" in x["paper"]["ai_keywords"] for x in api)  # extracted ones when HF gave none
    daily = site.get(f"/api/daily_papers?date={DAY}&keyword=own%201").json()
    assert [x["paper"]["id"] for x in daily] == ["2401.00001"]
    assert site.get("/api/papers/search").status_code == 400  # neither words nor a keyword


def test_map_page_draws_every_embedded_paper_once_escaped(site):
    day = site.get(f"/papers/date/{DAY}")
    assert f'href="/map?date={DAY}"' in day.text
    r = site.get(f"/map?date={DAY}")
    assert r.status_code == 200 and "<svg" in r.text and "/static/map.js" in r.text
    links = re.findall(r'<a href="/papers/([^"]+)" class="pt', r.text)
    assert sorted(links) == [f"2401.{n:05d}" for n in range(1, 7)]  # never-featured paper 7 is not in the day
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in r.text
    assert re.search(r'<text class="clabel"', r.text) and 'class="clusters"' in r.text
    assert site.get("/map?month=2024-01").status_code == 200
    assert "Topic map: January 2024" in site.get("/map").text  # nothing asked: the newest month
    empty = site.get("/map?month=2023-02")
    assert empty.status_code == 200 and "No papers were listed in February 2023: nothing to map." in empty.text
    nothing = site.get("/map?q=zzzzqqqxx")
    assert nothing.status_code == 200 and "No papers match this search: nothing to map." in nothing.text
    searched = site.get("/map?q=agents")
    assert searched.status_code == 200 and "Topic map: Search: agents" in unescape(searched.text)


def test_map_highlights_the_users_upvotes_and_rejects_bad_periods(site):
    site.signup("mapper")
    r = site.form("/papers/2401.00002/vote", {"value": "1"}, from_page="/papers/2401.00002")
    assert r.status_code in (200, 303)
    page = site.get(f"/map?date={DAY}").text
    assert re.search(r'<a href="/papers/2401.00002" class="pt c\d+ mine"', page) and "1 you upvoted" in page
    assert len(re.findall(r" mine\"", page)) == 1
    for bad in ("month=2024-13", "week=2024-W99", "date=yesterday", "month=2024-01&week=2024-W01"):
        r = site.get(f"/map?{bad}")
        assert r.status_code == 404 and "No map" in r.text, bad


def test_map_says_how_many_papers_are_not_embedded(site):
    add_papers(site.app.state.store, paper(8, DAY, title="Featured later, not embedded", abstract="New."))
    r = site.get(f"/map?date={DAY}")
    assert "1 not shown (not embedded yet" in r.text


def test_an_uncached_query_map_is_refused_while_the_layout_slots_are_busy(site):
    """A map laid out on demand takes one of the process's ``map_layouts`` slots; with none free a page
    answers 429 with Retry-After instead of tying up a worker."""
    from paperfeed.rank import topics

    slots = topics._slots(site.app.state.settings.map_layouts)
    assert slots.acquire(blocking=False)  # another request is laying out a map right now
    try:
        r = site.get("/map", params={"q": "attention"})
        assert r.status_code == 429 and r.headers["retry-after"] == "10" and "try again" in r.text
    finally:
        slots.release()
    r = site.get("/map", params={"q": "attention"})
    assert r.status_code == 200 and "<svg" in r.text
