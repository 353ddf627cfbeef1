"""A paper's one date (``store.papers.paper_day``): published, else announced, else first featured. The
search filters and the "newest" sort, the API's ``publishedAt``, MCP answers and BibTeX all use it, so a
paper known only from Hugging Face's lists (no publication date, as the demo's) is found by the day it
is shown with; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from paperfeed.export import to_bibtex
from paperfeed.ids import stable_id
from paperfeed.index import update_lexical
from paperfeed.mcp.shape import full
from paperfeed.rank.search import search
from paperfeed.store import papers as P
from tests.helpers.web import add_papers, make_app, paper

NOV, MAR = date(2024, 11, 4), date(2025, 3, 18)


def _ids(result) -> list[str]:
    return [h.paper_id for h in result.hits]


def test_a_paper_without_dates_of_its_own_is_dated_by_its_first_featured_day(store, settings):
    add_papers(
        store,
        paper(1, NOV, title="Sparse gating for mixtures", arxiv_id="2411.00001"),
        paper(2, MAR, title="Sparse gating revisited", arxiv_id="2503.00002"),
        paper(
            3,
            None,
            title="Sparse gating, published",
            arxiv_id="2401.00003",
            published=datetime(2024, 1, 5, 9, 0, tzinfo=UTC),
        ),  # fmt: skip
    )
    add_papers(store, paper(1, MAR, arxiv_id="2411.00001", title="Sparse gating for mixtures"))  # listed again
    with store.read() as conn:
        first, second, published = (P.get_paper(conn, i) for i in ("2411.00001", "2503.00002", "2401.00003"))
    assert (first.day, second.day, published.day) == (NOV, MAR, date(2024, 1, 5))
    update_lexical(store, settings)

    in_nov = search(store, settings, "sparse gating", date_from=date(2024, 11, 1), date_to=date(2024, 11, 30))
    assert _ids(in_nov) == ["2411.00001"]  # was: dated by the day it was imported, so found by no date
    assert _ids(search(store, settings, "sparse gating", date_from=date(2026, 1, 1))) == []
    newest = search(store, settings, "sparse gating", sort="newest")
    assert _ids(newest) == ["2503.00002", "2411.00001", "2401.00003"]


def test_a_paper_featured_after_it_was_indexed_is_found_by_that_day(store, settings):
    add_papers(store, paper(1, None, title="Quokka locomotion", arxiv_id="2411.00001"))  # no date at all yet
    update_lexical(store, settings)
    assert _ids(search(store, settings, "quokka", date_to=date(2024, 12, 31))) == []  # dated today
    add_papers(store, paper(1, NOV, title="Quokka locomotion", arxiv_id="2411.00001"))  # Hugging Face lists it
    update_lexical(store, settings)  # the new featured day moved the paper's modified_at: re-indexed
    assert _ids(search(store, settings, "quokka", date_to=date(2024, 12, 31))) == ["2411.00001"]


def test_the_api_mcp_and_bibtex_give_the_same_date_on_every_list(store, tmp_path):
    add_papers(store, paper(1, NOV, arxiv_id="2411.00001", title="Sparse gating for mixtures"))
    add_papers(store, paper(1, MAR, arxiv_id="2411.00001", title="Sparse gating for mixtures"))
    with TestClient(make_app(store, tmp_path)) as c:
        alone = c.get("/api/papers/2411.00001").json()["publishedAt"]
        listed = c.get("/api/daily_papers", params={"date": MAR.isoformat()}).json()
        bib = c.get("/papers/2411.00001.bib").text
    assert alone == "2024-11-04T00:00:00.000Z"
    assert [(i["paper"]["publishedAt"], i["publishedAt"], i["paper"]["submittedOnDailyAt"]) for i in listed] == [
        (alone, alone, "2025-03-18T00:00:00.000Z")  # the day it was listed, where HF gives it
    ]
    assert "year = {2024}" in bib and "lovelace2024sparse" in bib
    with store.read() as conn:
        view = P.get_paper(conn, "2411.00001")
    assert full(view, "http://x")["published"] == "2024-11-04"


def test_the_year_to_cite_comes_from_the_arxiv_id_before_any_list(store):
    """HF listed it in 2025; its arXiv id says its first version came out in December 2024. A paper from
    elsewhere (no arXiv id) is cited by the year of its date."""
    add_papers(store, paper(1, date(2025, 1, 2), arxiv_id="2412.09999", title="Late listing"),
               paper(2, date(2025, 1, 2), arxiv_id=None, title="A paper from elsewhere"))  # fmt: skip
    with store.read() as conn:
        late, other = P.get_papers(conn, ["2412.09999", stable_id("A paper from elsewhere")])
    assert late.year == 2024 and "year = {2024}" in to_bibtex(late) and late.day == date(2025, 1, 2)
    assert other.year == 2025 and "year = {2025}" in to_bibtex(other)
