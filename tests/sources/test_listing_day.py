"""The day a paper fetched from arXiv's query API or OAI-PMH is listed on: its first version's day (UTC),
as neither says when arXiv announced it (RSS and files do, and keep their day)."""

from __future__ import annotations

from datetime import date

from paperfeed.records import PaperRecord
from paperfeed.sources.arxiv_api import parse_feed
from paperfeed.sources.oai import parse_list_records
from tests.helpers.net import load


def _records(items) -> dict[str, PaperRecord]:
    return {r.id: r for r in items if isinstance(r, PaperRecord)}


def test_api_papers_are_listed_on_their_submission_day():
    items, _ = parse_feed(load("arxiv-api-query-cat-2026-06.atom.xml"), location="api")
    recs = _records(items)
    assert len(recs) == 5
    assert {r.announced for r in recs.values()} == {date(2026, 6, 11)}
    assert all(r.announced == r.published.date() for r in recs.values())


def test_oai_papers_are_listed_on_their_first_version_day():
    arxiv, _ = parse_list_records(load("arxiv-oai-listrecords-arXiv-hepth-2017.xml"), location="oai")
    toolbox = _records(arxiv)["1412.8323"]
    assert toolbox.announced == date(2014, 12, 29)  # created 2014-12-29, updated 2017-12-13
    dc, _ = parse_list_records(load("arxiv-oai-listrecords-oaidc-2023-page1.xml"), location="oai")
    recs = _records(dc)
    assert recs and all(r.announced == r.published.date() for r in recs.values())
