"""A paper's card (``store.cards``) shows what its ``PaperView`` holds, cut to what a card shows; hidden
papers never get one; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from paperfeed.records import Featured
from paperfeed.store import community
from paperfeed.store import keywords as store_keywords
from paperfeed.store import papers as P
from paperfeed.store import summaries as store_summaries
from paperfeed.store import users as store_users
from paperfeed.store.cards import cards
from tests.helpers.web import add_papers, paper

FULL = dict(
    authors=[f"Author {n}" for n in range(1, 8)], primary_category="cs.LG",
    categories=["cs.AI", "cs.CL", "cs.LG", "stat.ML"], comment="Withdrawn.", code_url="https://github.com/a/b",
    project_url="javascript:alert(1)", day=None,
)  # fmt: skip
DAYS = [Featured(date(2024, 1, 2)), Featured(date(2024, 1, 3), "akhaliq"), Featured(date(2024, 1, 1), "ada")]


def test_a_card_shows_what_the_paper_view_holds_and_hidden_papers_have_none(store):
    add_papers(store, replace(paper(1, upvotes=7, **FULL), featured=DAYS), paper(2), paper(3))
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="reader", password_hash="x").id
        community.vote(conn, user_id=uid, paper_id="2401.00001", value=1)
        community.add_comment(conn, user_id=uid, paper_id="2401.00001", body="Nice.")
        store_summaries.save_summaries(conn, [("2401.00001", "h", "It parses everything.")], method="m")
        phrases = [(f"phrase {n}", n / 10) for n in range(8)]
        store_keywords.save_keywords(conn, [("2401.00001", phrases)])
        community.hide_paper(conn, "2401.00003")
    with store.read() as conn:
        views = P.get_papers(conn, ["2401.00002", "2401.00001"])
        got = cards(conn, ["2401.00002", "2401.00003", "nope", "2401.00001", "2401.00002"])
    assert [c.id for c in got] == ["2401.00002", "2401.00001", "2401.00002"]  # the order asked for, repeats kept
    for card, view in zip(got, views, strict=False):
        assert card.authors == view.authors[:5]  # four are named, else three and "et al."
        assert card.categories == view.categories[:3]  # the primary one first
        assert card.keyphrases == view.keyphrases[:6]  # the best first
        assert card.featured == [(f.day, f.submitted_by) for f in view.featured if f.submitted_by]
        for name in ("title", "abstract", "code_url", "project_url", "upvotes", "num_comments", "summary", "withdrawn"):
            assert getattr(card, name) == getattr(view, name), name
    one = got[1]
    assert one.authors == ["Author 1", "Author 2", "Author 3", "Author 4", "Author 5"]
    assert one.categories == ["cs.LG", "cs.AI", "cs.CL"] and one.keyphrases[0] == "phrase 7"
    assert (one.upvotes, one.num_comments, one.summary, one.withdrawn) == (8, 1, "It parses everything.", True)
    assert one.featured == [(date(2024, 1, 1), "ada"), (date(2024, 1, 3), "akhaliq")]
    assert (one.code_url, one.project_url) == ("https://github.com/a/b", None)  # a script link is never shown
    with store.read() as conn:
        assert cards(conn, []) == [] and cards(conn, ["2401.00003"]) == []
