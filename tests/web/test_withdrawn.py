"""A paper whose new version withdraws it is marked so: on its page, on its card in lists and search, in the
API; a later version that restores it drops the mark."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from paperfeed.app import create_app
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord, checked, is_withdrawn
from paperfeed.settings import Settings
from paperfeed.sources.arxiv_api import parse_feed
from tests.helpers.net import load


def test_the_ways_arxiv_says_withdrawn():
    for comment in (
        "This paper has been withdrawn by the authors due to an error",
        "This paper has been withdrawn by the author(s) due to a crucial sign error in equation 1",
        "Withdrawn: a crucial error in the proof",
        "Withdrawn",
        "withdrawn.",
        "Paper withdrawn by the authors due to an error in Lemma 3",
        "Withdrawn due to a flaw in the main theorem",
        "v2: this submission has been withdrawn by arXiv administrators due to inappropriate text reuse",
        "The authors have withdrawn this paper due to an error in the experiments",
        "This article has been withdrawn from arXiv",
    ):
        assert is_withdrawn(comment, None), comment
    assert is_withdrawn(None, "This paper has been withdrawn by the author due to a crucial error in equation 3.")
    assert is_withdrawn(None, "This paper has been withdrawn")


def test_what_is_not_a_withdrawal():
    """The paper itself must be withdrawn: a part of it, a conference submission or a claim is not it."""
    for comment in (
        "12 pages, 3 figures; v2: a withdrawn claim corrected",
        "v3: Lemma 2 withdrawn by the author; main result unchanged",
        "Withdrawn from NeurIPS; resubmitted to ICML",
        "This work is withdrawn from consideration at ICLR",
        "v2 supersedes the withdrawn version 1",
    ):
        assert not is_withdrawn(comment, None), comment
    assert not is_withdrawn(None, "We study withdrawn drugs.")
    assert not is_withdrawn(None, "This work is withdrawn from consideration at ICLR; we release it here.")


def _v2(**kw) -> PaperRecord:
    return checked(PaperRecord(**({
        "title": "Withdrawn Paper Original Title", "arxiv_id": "2606.13591v2", "authors": ["A. Author"],
        "abstract": "This paper has been withdrawn by the author due to a crucial error in equation 3.",
        "comment": "This paper has been withdrawn", "categories": ["cs.LG"], "source": "arxiv-api",
        "updated": datetime(2026, 6, 15, 10, tzinfo=UTC),
    } | kw)))  # fmt: skip


def _client(store, tmp_path) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path), store=store))  # a new one: no cached pages


def test_a_withdrawn_paper_is_marked_on_its_page_its_card_and_in_the_api(store, tmp_path):
    items, _ = parse_feed(load("arxiv-api-query-cat-2026-06.atom.xml"), location="api")
    import_items(store, items)
    with _client(store, tmp_path) as c:
        assert "Withdrawn" not in c.get("/papers/2606.13591").text
        assert "withdrawn" not in c.get("/api/papers/2606.13591").json()
    import_items(store, [_v2()])
    with _client(store, tmp_path) as c:
        page = c.get("/papers/2606.13591").text
        assert 'class="flash withdrawn">Withdrawn: the latest version (v2) on arXiv says' in page
        listed = c.get("/papers/date/2026-06-11").text
        card = listed[listed.index('id="paper-2606.13591"') :].split("</article>")[0]
        assert '<span class="tag withdrawn"' in card
        assert c.get("/api/papers/2606.13591").json()["withdrawn"] is True
    # a v3 that puts the paper back: the mark goes
    import_items(store, [_v2(arxiv_id="2606.13591v3", abstract="Fixed.", comment="v3: corrected")])
    with _client(store, tmp_path) as c:
        assert "flash withdrawn" not in c.get("/papers/2606.13591").text
