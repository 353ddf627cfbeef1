"""The day a paper fetched from arXiv's query API or OAI-PMH is listed on: its first version's day (UTC),
as neither says when arXiv announced it; a guess (``announced_guess``), which the store only fills in and
the day of arXiv's listing (RSS, files) replaces. A paper asked for by id (a submission) gets none."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.records import PaperRecord
from paperfeed.sources.arxiv_api import fetch, parse_feed
from paperfeed.sources.oai import parse_list_records
from tests.helpers.net import ATOM, client, load


def _records(items) -> dict[str, PaperRecord]:
    return {r.id: r for r in items if isinstance(r, PaperRecord)}


def test_api_papers_are_listed_on_their_submission_day():
    items, _ = parse_feed(load("arxiv-api-query-cat-2026-06.atom.xml"), location="api")
    recs = _records(items)
    assert len(recs) == 5
    assert {r.announced_guess for r in recs.values()} == {date(2026, 6, 11)}
    assert all(r.announced_guess == r.published.date() and r.announced is None for r in recs.values())


def test_oai_papers_are_listed_on_their_first_version_day():
    arxiv, _ = parse_list_records(load("arxiv-oai-listrecords-arXiv-hepth-2017.xml"), location="oai")
    toolbox = _records(arxiv)["1412.8323"]
    assert toolbox.announced_guess == date(2014, 12, 29) and toolbox.announced is None  # updated 2017-12-13
    dc, _ = parse_list_records(load("arxiv-oai-listrecords-oaidc-2023-page1.xml"), location="oai")
    recs = _records(dc)
    assert recs and all(r.announced_guess == r.published.date() and r.announced is None for r in recs.values())


@pytest.mark.network_server
def test_papers_asked_for_by_id_get_no_listing_day(httpserver):
    """A submission of a 2011 paper is not new on arXiv in 2011: only a search lists papers by their day."""
    httpserver.expect_request("/api/query").respond_with_data(load("arxiv-api-idlist-2016.atom.xml"), content_type=ATOM)
    url = httpserver.url_for("/api/query")
    with client() as c:
        (by_id,) = [i for page in fetch(c, base_url=url, id_list=["1111.2011"]) for i in page.items]
        (searched,) = [i for page in fetch(c, base_url=url, search_query="id:1111.2011") for i in page.items]
    assert by_id.announced_guess is None and by_id.announced is None
    assert searched.announced_guess == date(2011, 11, 8)
