"""``publishedAt`` of papers known only from arXiv's RSS listing: never the epoch, never the listing day of
an old paper (the API and the pages read the same ``PaperView``)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperfeed.app import create_app
from paperfeed.ingest import import_items
from paperfeed.settings import Settings
from paperfeed.sources.rss import parse_rss
from tests.helpers.net import load


def test_rss_only_papers_are_dated_by_their_arxiv_id_month(store, tmp_path):
    import_items(store, parse_rss(load("arxiv-rss-multi-2026-09-24.rss.xml"), location="rss"))
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as c:
        published = {pid: c.get(f"/api/papers/{pid}").json()["publishedAt"] for pid in
                     ("2609.26811", "2205.06398", "2009.13987")}  # fmt: skip
        page = c.get("/papers/2009.13987").text
    assert published == {
        "2609.26811": "2026-09-24T00:00:00.000Z",  # a new submission: the day arXiv listed it
        "2205.06398": "2022-05-01T00:00:00.000Z",  # v2 cross-listed in 2026: a paper of May 2022
        "2009.13987": "2020-09-01T00:00:00.000Z",  # a replacement (v3): it was the epoch
    }
    assert "1970" not in page
