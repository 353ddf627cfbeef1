"""Follows and the recommender's signals, in the store: canonical names, refusals, batch reads."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.store import collections as store_collections
from paperfeed.store import community
from paperfeed.store import digests as store_digests
from paperfeed.store import follows as store_follows
from paperfeed.store import signals as store_signals
from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from paperfeed.store.follows import FollowError
from tests.helpers.web import add_papers, paper


def _user(store, name: str) -> int:
    with store.transaction() as conn:
        return store_users.create_user(conn, username=name, password_hash="x").id


@pytest.fixture
def papers(store):
    add_papers(
        store,
        paper(1, authors=["Ada Lovelace", "Alan Turing"], categories=["cs.LG"]),
        paper(2, authors=["Grace Hopper"], categories=["cs.PL", "cs.SE"]),
        paper(3, authors=["Ada Lovelace"], categories=["math.CO"]),
    )
    return store


def test_follow_stores_the_papers_spelling_once(papers):
    uid = _user(papers, "ada")
    with papers.transaction() as conn:
        got = store_follows.follow(conn, user_id=uid, kind="author", value="  ada   LOVELACE ")
        assert got == ("Ada Lovelace", True)
        assert store_follows.follow(conn, user_id=uid, kind="author", value="Ada Lovelace") == ("Ada Lovelace", False)
        assert store_follows.follow(conn, user_id=uid, kind="category", value="cs.pl") == ("cs.PL", True)
        assert store_follows.is_following(conn, user_id=uid, kind="author", value="ADA LOVELACE")
    with papers.read() as conn:
        got = [(f.kind, f.value) for f in store_follows.follows_of(conn, uid)]
    assert got == [("author", "Ada Lovelace"), ("category", "cs.PL")]
    with papers.transaction() as conn:
        assert store_follows.unfollow(conn, user_id=uid, kind="author", value="ada lovelace")
        assert not store_follows.unfollow(conn, user_id=uid, kind="author", value="ada lovelace")
    with papers.read() as conn:
        assert [(f.kind, f.value) for f in store_follows.follows_of(conn, uid)] == [("category", "cs.PL")]


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("author", "Nobody Atall", "no papers by 'Nobody Atall' here"),
        ("category", "cs.XX", "no papers in 'cs.XX' here"),
        ("category", "not a category!", "is not an arXiv category"),
        ("author", "x" * 301, "at most 300 characters"),
        ("author", "Ada\nLovelace", "one line"),
        ("author", "   ", "name the author"),
        ("venue", "NeurIPS", "you can follow an author or a category"),
    ],
)
def test_follow_refuses_what_it_cannot_follow(papers, kind, value, message):
    uid = _user(papers, "ada")
    with pytest.raises(FollowError, match=message.replace("(", r"\(")):
        with papers.transaction() as conn:
            store_follows.follow(conn, user_id=uid, kind=kind, value=value)
    with papers.read() as conn:
        assert store_follows.follows_of(conn, uid) == []


def test_follows_per_user_are_capped(papers, monkeypatch):
    monkeypatch.setattr(store_follows, "MAX_FOLLOWS", 2)
    uid = _user(papers, "ada")
    with papers.transaction() as conn:
        store_follows.follow(conn, user_id=uid, kind="author", value="Ada Lovelace")
        store_follows.follow(conn, user_id=uid, kind="author", value="Grace Hopper")
        with pytest.raises(FollowError, match="unfollow some first"):
            store_follows.follow(conn, user_id=uid, kind="category", value="cs.LG")


def test_signals_for_many_users_in_one_read(papers):
    ada, bob, eve = _user(papers, "ada"), _user(papers, "bob"), _user(papers, "eve")
    now = datetime(2024, 1, 3, tzinfo=UTC)
    with papers.transaction() as conn:
        community.vote(conn, user_id=ada, paper_id="2401.00001", value=1)
        community.vote(conn, user_id=ada, paper_id="2401.00002", value=-1)
        community.vote(conn, user_id=bob, paper_id="2401.00003", value=1)
        cid = store_collections.create(conn, user_id=ada, name="Library")
        store_collections.add_paper(conn, cid, "2401.00003")
        store_follows.follow(conn, user_id=bob, kind="author", value="Grace Hopper")
        sub = subs.subscribe(conn, "ada@example.org", user_id=ada)
        store_digests.record_sent(conn, [{"subscriber_id": sub.id, "paper_id": "2401.00002", "digest": "trending",
                                 "sent_at": now}])  # fmt: skip
    with papers.read() as conn:
        got = store_signals.signals_for(conn, [ada, bob, eve])
        assert store_signals.users_with_signals(conn) == sorted([ada, bob])
        assert store_signals.latest_listed_day(conn) == date(2024, 1, 2)
    assert got[ada].upvoted == ["2401.00001"] and got[ada].downvoted == ["2401.00002"]
    assert got[ada].saved == ["2401.00003"] and got[ada].sent == {"2401.00002"}
    assert got[ada].positives == ["2401.00001", "2401.00003"]
    assert got[ada].seen == {"2401.00001", "2401.00002", "2401.00003"}
    assert got[bob].follows == [("author", "Grace Hopper")] and got[bob].positives == ["2401.00003"]
    assert got[eve].positives == [] and got[eve].seen == set()
    # the hash moves with the positives and negatives, not with follows or digests
    h = got[ada].digest("m", "r")
    got[ada].sent.add("x")
    assert got[ada].digest("m", "r") == h
    got[ada].upvoted.append("2401.00009")
    assert got[ada].digest("m", "r") != h
