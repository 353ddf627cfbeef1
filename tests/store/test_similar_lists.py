"""Stored similar lists (``similar_lists``): what is out of date, stale marks, replacing a list; on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update

from paperfeed.store import similar_lists as L
from paperfeed.store import vectors as V
from paperfeed.store.models import papers
from tests.helpers.web import add_papers, paper

MODEL, METHOD = "model-a", "blend-1"
IDS = [f"2401.{n:05d}" for n in range(1, 6)]


def _seed(store) -> None:
    add_papers(store, *(paper(n) for n in range(1, 6)))
    with store.transaction() as conn:  # papers 1-4 have a vector, paper 5 has none
        V.save_vectors(conn, MODEL, [(pid, f"hash-{pid}", b"\0" * 16) for pid in IDS[:4]])


def _todo(store) -> dict[str, bool]:
    with store.read() as conn:
        return {t.paper_id: t.new for t in L.next_to_rank(conn, MODEL, METHOD)}


def test_papers_with_a_vector_and_no_current_list_are_to_rank(store):
    _seed(store)
    assert _todo(store) == dict.fromkeys(IDS[:4], True)  # paper 5 has no vector
    with store.transaction() as conn:
        L.save(conn, [(IDS[0], "hash-2401.00001", [(IDS[1], 1.5, "similar topic")])], model=MODEL, method=METHOD)
        L.save(conn, [(IDS[1], "", [(IDS[0], 0.5, "shared terms")])], model=MODEL, method=METHOD)  # a page's
        L.save(conn, [(IDS[2], "hash-2401.00003", [])], model=MODEL, method="blend-0")  # an older ranking
    with store.read() as conn:
        assert L.get(conn, IDS[0], model=MODEL, method=METHOD) == [(IDS[1], 1.5, "similar topic")]
        assert L.get(conn, IDS[2], model=MODEL, method=METHOD) is None
        assert L.get(conn, IDS[0], model="model-b", method=METHOD) is None
        assert L.count_to_rank(conn, MODEL, METHOD) == 3
        assert [t.paper_id for t in L.next_to_rank(conn, MODEL, METHOD, after=IDS[1], page=1)] == [IDS[2]]
    # the list a page made is new to the job (its neighbours were never told); another ranking is not
    assert _todo(store) == {IDS[1]: True, IDS[2]: False, IDS[3]: True}
    with store.transaction() as conn:
        conn.execute(update(papers).where(papers.c.id == IDS[3]).values(hidden=True))
        V.save_vectors(conn, MODEL, [(IDS[0], "hash-changed", b"\0" * 16)])  # its text changed
    assert _todo(store) == {IDS[0]: True, IDS[1]: True, IDS[2]: False}  # hidden papers are not ranked


def test_stale_marks_reach_only_lists_ranked_before_the_run(store):
    _seed(store)
    old = datetime.now(UTC) - timedelta(hours=1)
    with store.transaction() as conn:
        rows = [(pid, f"hash-{pid}", [(IDS[4], 0.1, "similar topic")]) for pid in IDS[:4]]
        L.save(conn, rows[:3], model=MODEL, method=METHOD, now=old)
        L.save(conn, rows[3:], model=MODEL, method=METHOD)  # ranked during this run
    assert _todo(store) == {}
    started = datetime.now(UTC) - timedelta(minutes=1)
    with store.transaction() as conn:
        assert L.mark_stale(conn, [IDS[0], IDS[1], IDS[3], "9999.99999"], before=started) == 2
        assert L.mark_stale(conn, [IDS[0]], before=started) == 0  # already stale
    assert _todo(store) == {IDS[0]: False, IDS[1]: False}  # to rank again, but not new: no marks from them
    with store.transaction() as conn:  # ranking again replaces the list and clears the mark
        L.save(conn, [(IDS[0], f"hash-{IDS[0]}", [(IDS[2], 2.0, "similar topic")])], model=MODEL, method=METHOD)
        assert L.get(conn, IDS[0], model=MODEL, method=METHOD) == [(IDS[2], 2.0, "similar topic")]
    assert _todo(store) == {IDS[1]: False}


def test_a_deleted_paper_takes_its_list_with_it(store):
    _seed(store)
    with store.transaction() as conn:
        L.save(conn, [(IDS[0], "h", [(IDS[1], 1.0, "similar topic")])], model=MODEL, method=METHOD)
        L.save(conn, [(IDS[1], "h", [(IDS[0], 1.0, "similar topic")])], model=MODEL, method=METHOD)
        conn.execute(delete(papers).where(papers.c.id == IDS[0]))
    with store.read() as conn:
        assert L.count_lists(conn) == 1
        assert L.get(conn, IDS[1], model=MODEL, method=METHOD) == [(IDS[0], 1.0, "similar topic")]  # still named
        assert V.visible(conn, [IDS[0], IDS[1]]) == {IDS[1]}  # ... and dropped by whoever reads it
