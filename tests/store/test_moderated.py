"""What moderation takes away leaves no trace: a day whose papers are all hidden is no day with papers, and
a banned user's votes count nowhere; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from paperfeed.periods import period_of
from paperfeed.store import community, days, maps, signals
from paperfeed.store import papers as P
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, paper

D1, D2, D3 = date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)


def test_days_whose_papers_are_all_hidden_are_skipped(store):
    add_papers(store, paper(1, D1), paper(2, D2), paper(3, D3), paper(4, D3))
    with store.transaction() as conn:
        for pid in ("2401.00003", "2401.00004", "2401.00002"):
            community.hide_paper(conn, pid)
    with store.read() as conn:
        assert days.latest_featured_day(conn) == D1
        assert days.latest_featured_day(conn, on_or_before=D3) == D1
        assert days.featured_days(conn) == [D1]
        assert days.neighbours(conn, period_of("day", D1)) == (None, None)
        assert days.neighbours(conn, period_of("day", D3)) == (period_of("day", D1), None)
        assert maps.latest_day(conn) == D1
        assert signals.latest_listed_day(conn) == D1
        assert not days.listed_since(conn, D2, D3)
    with store.transaction() as conn:
        community.hide_paper(conn, "2401.00003", hidden=False)
    with store.read() as conn:
        assert days.latest_featured_day(conn) == D3 and days.featured_days(conn) == [D3, D1]


def test_a_banned_users_votes_count_nowhere(store):
    add_papers(store, paper(1, D1, upvotes=2), paper(2, D1, upvotes=3), paper(3, D2))
    with store.transaction() as conn:
        ids = [store_users.create_user(conn, username=f"ring{n}", password_hash="x").id for n in range(3)]
        honest = store_users.create_user(conn, username="honest", password_hash="x").id
        for uid in ids:
            community.vote(conn, user_id=uid, paper_id="2401.00001", value=1)
        community.vote(conn, user_id=ids[0], paper_id="2401.00003", value=1)
        community.vote(conn, user_id=honest, paper_id="2401.00002", value=1)
    with store.read() as conn:
        assert P.get_paper(conn, "2401.00001").upvotes == 5
        assert [p.id for p in P.featured_between(conn, D1, D1)[0]] == ["2401.00001", "2401.00002"]
        assert days.latest_voted_day(conn) == D2
    with store.transaction() as conn:
        for uid in ids:
            store_users.set_banned(conn, uid, True)
    with store.read() as conn:
        assert P.get_paper(conn, "2401.00001").upvotes == 2  # the imported ones stay
        assert P.get_paper(conn, "2401.00002").upvotes == 4
        assert [p.id for p in P.featured_between(conn, D1, D1)[0]] == ["2401.00002", "2401.00001"]
        assert {r.paper_id: r.upvotes for r in P.trending_candidates(conn, since=D1)} == {
            "2401.00001": 2, "2401.00002": 4}  # fmt: skip
        assert days.latest_voted_day(conn) == D1
