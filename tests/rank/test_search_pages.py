"""The next page of a recent search reuses its fused ranking: the same pages as ranking afresh, hidden papers
still dropped, a new ranking once the indexes change, pages asked for at once ranked once; on SQLite and
PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

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


def test_pages_asked_for_at_once_share_one_ranking(seeded, settings, monkeypatch):
    """A crawler asks for pages 1-5 of a search at the same moment: one ranks, the others wait for it."""
    S._rankings._items.clear()
    ranked, real = [], S._rank

    def slow_rank(*args, **kw):
        ranked.append(1)
        time.sleep(0.2)  # long enough for every other request to arrive meanwhile
        return real(*args, **kw)

    monkeypatch.setattr(S, "_rank", slow_rank)
    with ThreadPoolExecutor(5) as pool:
        pages = list(pool.map(lambda n: _page(seeded, settings, n), range(5)))
    assert len(ranked) == 1
    S._rankings._items.clear()
    assert pages == [_page(seeded, settings, n) for n in range(5)]  # the same pages as one at a time


def test_a_failed_ranking_does_not_hold_up_the_pages_waiting_for_it(seeded, settings, monkeypatch):
    S._rankings._items.clear()
    calls, real = [], S._rank

    def fail_first(*args, **kw):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.2)
            raise RuntimeError("the index went away")
        return real(*args, **kw)

    monkeypatch.setattr(S, "_rank", fail_first)
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(_page, seeded, settings, n) for n in range(3)]
        outcomes = [f.exception(timeout=10) or f.result() for f in futures]
    assert sum(isinstance(o, RuntimeError) for o in outcomes) == 1  # only the request that ranked fails
    assert [o for o in outcomes if not isinstance(o, RuntimeError)] and len(calls) == 2  # one of the rest ranked


def test_recent_rankings_wait_for_the_thread_computing_them():
    recent = S._Recent(4)
    assert recent.get("q", claim=True) is None  # this thread computes "q"
    got = []
    waiter = threading.Thread(target=lambda: got.append(recent.get("q", claim=True)))
    waiter.start()
    time.sleep(0.1)
    assert got == []  # still waiting
    recent.put("q", "ranking")
    recent.release("q")
    waiter.join(5)
    assert got == ["ranking"]
    recent.wait_seconds = 0.1
    assert recent.get("stuck", claim=True) is None
    assert recent.get("stuck", claim=True) is None  # the computer never answered: after 0.1 s, compute it too
    for i in range(6):
        recent.put(i, i)
    assert recent.get(0) is None and recent.get(5) == 5  # at most 4 kept, the oldest dropped
    long = S._Recent(100, max_weight=1_000, weight=len)
    for i in range(5):
        long.put(i, "x" * 300)  # a long ranking weighs its places
    assert [long.get(i) is not None for i in range(5)] == [False, False, True, True, True]
    long.put(2, "y")  # replaced: its old weight goes
    long.put(5, "x" * 600)
    assert long.get(2) == "y" and long.get(3) is None and long.get(5) is not None


def test_paging_deeper_than_the_fused_candidates_never_repeats_or_skips_a_paper(seeded, settings):
    """Pages past ``search_candidates`` come from a deeper fusion, whose first places are the shallower
    one's: paging on shows each paper once, whichever page was asked for first."""
    deep = settings.model_copy(update={"search_candidates": 10})

    def pages(order) -> dict[int, list[str]]:
        S._rankings._items.clear()
        return {n: [h.paper_id for h in S.search(seeded, deep, Q, limit=5, offset=5 * n).hits] for n in order}

    forward = pages(range(7))  # 35 papers: fusions of 10, 20 and 40 candidates
    shown = [pid for n in range(7) for pid in forward[n]]
    assert len(shown) == 35 and len(set(shown)) == 35
    backward = pages(reversed(range(7)))  # the deepest asked for first
    assert [backward[n] for n in range(7)] == [forward[n] for n in range(7)]
    assert S.ranking_depths(10, 35) == [10, 20, 40] and S.ranking_depths(100, 30) == [100]
    assert S.ranking_depths(100, S.MAX_OFFSET + S.MAX_LIMIT)[-1] == S.MAX_OFFSET + S.MAX_LIMIT
