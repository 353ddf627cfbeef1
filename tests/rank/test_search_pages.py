"""The next page of a recent search reuses its fused ranking: the same pages as ranking afresh, hidden papers
still dropped, a new ranking once the indexes change; on SQLite and PostgreSQL."""

from __future__ import annotations

from paperfeed.actions import community as actions
from paperfeed.index import job
from paperfeed.ingest import import_items
from paperfeed.rank import search as S
from paperfeed.records import PaperRecord

Q = "language model reasoning"


def _page(store, settings, n: int, *, fresh: bool = False) -> list[str]:
    if fresh:
        S._rankings._items.clear()
    return [h.paper_id for h in S.search(store, settings, Q, limit=5, offset=5 * n).hits]


def test_the_next_page_reuses_the_ranking_and_still_drops_hidden_papers(seeded, settings, encoder):
    S._rankings._items.clear()
    cached = [_page(seeded, settings, n) for n in range(3)]
    assert len(S._rankings._items) == 1  # one ranking served the three pages
    assert cached == [_page(seeded, settings, n, fresh=True) for n in range(3)]
    assert len({p for page in cached for p in page}) == 15
    _page(seeded, settings, 0)
    victim = cached[1][0]
    actions.hide_paper(seeded, victim)
    assert _page(seeded, settings, 1)[:4] == cached[1][1:]  # the database check of the page drops it
    new = PaperRecord(title="Language model reasoning, revisited", abstract="Language model reasoning in depth.",
                      arxiv_id="2609.00002", source="test")  # fmt: skip
    import_items(seeded, [new])
    job.run(seeded, settings, encoder=encoder)
    assert "2609.00002" in _page(seeded, settings, 0)  # the indexes changed: ranked afresh
