"""The trending score: documented formula, fresh beats old, votes count, window and fallback 'now'."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.ingest import import_items
from paperfeed.rank.trending import score, trending
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.store import community
from paperfeed.store import users as store_users


def rec(n: int, day: date, upvotes: int, cats=("cs.LG",)) -> PaperRecord:
    return checked(
        PaperRecord(
            title=f"P{n}",
            arxiv_id=f"2401.{n:05d}",
            upvotes=upvotes,
            categories=list(cats),
            featured=[Featured(day)],
            source="hf",
        )
    )


def test_formula():
    assert score(10, 0) == pytest.approx(10 / 2**1.8)
    assert score(10, 22, gravity=1.0) == pytest.approx(10 / 24)
    assert score(0, 5) == 0


def test_fresh_paper_beats_old_one_with_more_votes(store):
    import_items(store, [rec(1, date(2024, 3, 1), 100), rec(2, date(2024, 3, 7), 20), rec(3, date(2024, 2, 1), 999)])
    now = datetime(2024, 3, 7, 12, tzinfo=UTC)
    with store.read() as conn:
        ranked = trending(conn, now=now)
    assert [t.paper_id for t in ranked] == ["2401.00002", "2401.00001"]  # P3 is outside the 7-day window
    assert ranked[0].age_hours == pytest.approx(12)


def test_community_votes_count_and_category_filter(store):
    import_items(store, [rec(1, date(2024, 3, 7), 5), rec(2, date(2024, 3, 7), 6, cats=("cs.CV",))])
    with store.transaction() as conn:
        for i in range(3):
            uid = store_users.create_user(conn, username=f"user{i}", password_hash="x").id
            community.vote(conn, user_id=uid, paper_id="2401.00001", value=1)
    now = datetime(2024, 3, 8, tzinfo=UTC)
    with store.read() as conn:
        ranked = trending(conn, now=now)
        assert [(t.paper_id, t.upvotes) for t in ranked] == [("2401.00001", 8), ("2401.00002", 6)]
        assert [t.paper_id for t in trending(conn, now=now, category="cs.CV")] == ["2401.00002"]


def test_archive_instance_ranks_its_latest_week(store):
    """Nothing recent (the demo data is from 2024): 'now' becomes the end of the newest featured day."""
    import_items(store, [rec(1, date(2024, 11, 10), 5), rec(2, date(2024, 11, 1), 50), rec(3, date(2024, 10, 1), 500)])
    with store.read() as conn:
        ranked = trending(conn, now=datetime(2026, 11, 26, tzinfo=UTC))
    assert {t.paper_id for t in ranked} == {"2401.00001"}  # only the newest 7 days compete


def test_a_vote_for_an_old_paper_does_not_move_the_archive_week(store):
    """The demo: imported votes up to 10 Nov 2024, papers without votes listed in March 2025. A reader's
    upvote today for one of those must not make its day the week (the page would list that one paper)."""
    import_items(store, [rec(1, date(2024, 11, 10), 5), rec(2, date(2024, 11, 8), 50), rec(3, date(2025, 3, 18), 0)])
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="reader", password_hash="x").id
        community.vote(conn, user_id=uid, paper_id="2401.00003", value=1)
    with store.read() as conn:
        ranked = trending(conn, now=datetime(2026, 11, 26, tzinfo=UTC))
    assert [t.paper_id for t in ranked] == ["2401.00002", "2401.00001"]


def test_community_votes_alone_set_the_week_when_nothing_was_imported(store):
    import_items(store, [rec(1, date(2024, 11, 10), 0), rec(2, date(2025, 3, 18), 0)])
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="reader", password_hash="x").id
        community.vote(conn, user_id=uid, paper_id="2401.00002", value=1)
    with store.read() as conn:
        assert [t.paper_id for t in trending(conn, now=datetime(2026, 11, 26, tzinfo=UTC))] == ["2401.00002"]


def test_papers_without_votes_do_not_trend(store):
    import_items(store, [rec(1, date(2024, 11, 10), 0), rec(2, date(2024, 11, 8), 4)])
    with store.read() as conn:
        ranked = trending(conn, now=datetime(2026, 11, 26, tzinfo=UTC))
    assert [t.paper_id for t in ranked] == ["2401.00002"]


def test_refeatured_old_paper_does_not_move_the_reference_day(store):
    old = rec(1, date(2024, 1, 1), 50)
    old.featured.append(Featured(date(2025, 3, 18)))  # an old paper listed again much later
    import_items(store, [old, rec(2, date(2024, 11, 10), 9)])
    with store.read() as conn:
        ranked = trending(conn, now=datetime(2026, 11, 26, tzinfo=UTC))
    assert [t.paper_id for t in ranked] == ["2401.00002"]
