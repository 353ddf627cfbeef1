"""The lists of cards (a day's, week's and month's list, an author's, a keyword's, a profile's, a collection)
read what their cards show (``store.cards``) and their papers' ids (``store.lists``): a card still shows
who submitted the paper, its comments, keyphrases and summary; a hidden paper is on none of them; a heading
names its author or keyword as the papers write them, beyond what a card shows; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.store import collections as store_collections
from paperfeed.store import community
from paperfeed.store import keywords as store_keywords
from paperfeed.store import summaries as store_summaries
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper

DAY = date(2024, 1, 2)
SEVEN = ["Ada Lovelace", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "John Backus"]


@pytest.fixture
def app(store, tmp_path):
    add_papers(
        store,
        paper(1, upvotes=5, authors=[*SEVEN, "Grace Hopper"]),  # the seventh author: not on its card
        paper(2, upvotes=3),
        paper(3, day=None, title="Taken down"),
        paper(4, day=None, title="Submitted here"),
    )
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="ada", password_hash="x").id
        community.submit(conn, paper_id="2401.00004", username="ada", day=DAY)
        community.submit(conn, paper_id="2401.00003", username="ada", day=DAY)
        for pid in ("2401.00001", "2401.00003"):
            community.vote(conn, user_id=uid, paper_id=pid, value=1)
        community.add_comment(conn, user_id=uid, paper_id="2401.00001", body="Nice.")
        phrases = [(f"phrase {n}", n / 10) for n in range(8)] + [("KV Cache", 0.01)]  # the ninth best
        store_keywords.save_keywords(conn, [("2401.00001", phrases), ("2401.00003", [("kv cache", 0.9)])])
        store_summaries.save_summaries(conn, [("2401.00001", "h", "It reads one statement.")], method="m")
        cid = store_collections.create(conn, user_id=uid, name="Reading", is_public=True)
        for pid in ("2401.00001", "2401.00003"):
            store_collections.add_paper(conn, cid, pid)
        community.hide_paper(conn, "2401.00003")
    return make_app(store, tmp_path)


def test_cards_of_lists_show_what_a_card_shows_and_no_hidden_paper(app):
    with browser(app) as b:
        pages = {
            url: b.get(url)
            for url in ("/papers/date/2024-01-02", "/papers/week/2024-W01", "/papers/month/2024-01",
                        "/authors/ada%20lovelace", "/keywords/kv%20cache", "/users/ada", "/collections/1")
        }  # fmt: skip
    for url, r in pages.items():
        assert r.status_code == 200, url
        assert "Paper number 1" in r.text and "Taken down" not in r.text, url
        assert "1 comment<" in r.text and "It reads one statement." in r.text, url  # comments and summary
        assert '<a class="chip" href="/keywords/phrase%207">phrase 7</a>' in r.text, url  # the best keyphrase
    day = pages["/papers/date/2024-01-02"].text
    assert "submitted by ada" in day and "Submitted here" in day
    assert "3 papers featured" in day  # 1, 2 and the submitted 4: not the hidden 3


def test_a_heading_names_its_author_and_keyword_as_the_papers_write_them(app):
    with browser(app) as b:
        # Grace Hopper is the seventh author of paper 1 (a card shows five) and "KV Cache" its ninth keyphrase
        assert "<h1>Grace Hopper " in b.get("/authors/grace%20HOPPER").text
        page = b.get("/keywords/kv%20cache").text
        assert '<span class="chip big">KV Cache</span>' in page  # the hidden paper's "kv cache" is not listed
        assert b.get("/authors/Nobody").status_code == 404 and b.get("/keywords/nothing").status_code == 404


def test_a_hidden_paper_a_user_submitted_is_not_on_their_profile(app):
    with browser(app) as b:
        profile = b.get("/users/ada").text
    assert "Submitted here" in profile and "Taken down" not in profile  # its page is a 404 to readers
