"""For you: a user's topic comes first, reasons name real signals, seen papers never come back,
diversity, cold start, and models retrained only when the signals change (real model, both databases)."""

from __future__ import annotations

import pytest

from paperfeed.rank.recommend import for_you, rank_users, train_users
from paperfeed.settings import Settings
from paperfeed.store import collections as store_collections
from paperfeed.store import community
from paperfeed.store import digests as store_digests
from paperfeed.store import follows as store_follows
from paperfeed.store import signals as store_signals
from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from tests.helpers.recommend import NOW, TOPICS, load_corpus, paper_id, rec_encoder  # noqa: F401


@pytest.fixture
def corpus(store, rec_encoder):  # noqa: F811
    load_corpus(store, rec_encoder)
    return store


def _settings(tmp_path, **kw) -> Settings:
    return Settings(data_dir=tmp_path, **kw)


def _user(store, name="ada"):
    with store.transaction() as conn:
        return store_users.create_user(conn, username=name, password_hash="x").id


def _vote(store, uid, pid, value=1):
    with store.transaction() as conn:
        community.vote(conn, user_id=uid, paper_id=pid, value=value)


def _topic(pid: str) -> str:
    return {"1": "diffusion", "2": "protein", "3": "robots", "4": "speech"}[pid.split(".")[1][0]]


def test_upvoting_a_topic_ranks_that_topic_first_with_reasons_naming_the_upvote(corpus, tmp_path):
    uid = _user(corpus)
    _vote(corpus, uid, paper_id("diffusion", 0, new=False))
    _vote(corpus, uid, paper_id("diffusion", 1, new=False))
    page = for_you(corpus, _settings(tmp_path, recommend_diversity=0), uid, now=NOW)
    assert not page.cold_start and page.positives == 2 and page.negatives > 0 and page.trained_at is not None
    assert [_topic(p.paper.id) for p in page.picks[:5]] == ["diffusion"] * 5
    assert len(page.picks) == 20  # every new paper: none was seen yet
    first = page.picks[0]
    upvoted_titles = {f"{TOPICS['diffusion'][n][0]} (earlier study)" for n in (0, 1)}
    close = [r for r in first.reasons if r.startswith("close to")]
    assert close and any(f"“{t}”, which you upvoted" in close[0] for t in upvoted_titles)


def test_every_pick_gives_a_reason_even_without_categories(corpus, tmp_path):
    """HF's papers carry no categories: a pick far from every upvote still says why it is there."""
    with corpus.transaction() as conn:
        conn.exec_driver_sql("DELETE FROM paper_categories")
    uid = _user(corpus)
    _vote(corpus, uid, paper_id("diffusion", 0, new=False))
    picks = for_you(corpus, _settings(tmp_path, recommend_diversity=0), uid, now=NOW).picks
    assert all(p.reasons for p in picks)
    assert any(p.reasons == ["like your upvotes and saves taken together"] for p in picks)


def test_a_saved_paper_is_a_positive_and_named_as_saved(corpus, tmp_path):
    uid = _user(corpus)
    with corpus.transaction() as conn:
        cid = store_collections.create(conn, user_id=uid, name="Library")
        store_collections.add_paper(conn, cid, paper_id("robots", 0, new=False))
    page = for_you(corpus, _settings(tmp_path, recommend_diversity=0), uid, now=NOW)
    assert _topic(page.picks[0].paper.id) == "robots"
    title = TOPICS["robots"][0][0]
    assert page.picks[0].reasons[0] == f"close to “{title} (earlier study)”, which you saved"


def test_voted_saved_and_digest_sent_papers_never_come_back(corpus, tmp_path):
    uid = _user(corpus)
    up, down = paper_id("diffusion", 0, new=True), paper_id("diffusion", 1, new=True)
    saved, sent = paper_id("diffusion", 2, new=True), paper_id("diffusion", 3, new=True)
    _vote(corpus, uid, up)
    _vote(corpus, uid, down, -1)
    with corpus.transaction() as conn:
        cid = store_collections.create(conn, user_id=uid, name="Mine")
        store_collections.add_paper(conn, cid, saved)
        sub = subs.subscribe(conn, "ada@example.org", user_id=uid)
        store_digests.record_sent(
            conn, [{"subscriber_id": sub.id, "paper_id": sent, "digest": "personal", "sent_at": NOW}]
        )
    page = for_you(corpus, _settings(tmp_path), uid, limit=200, now=NOW)
    shown = {p.paper.id for p in page.picks}
    assert shown and not shown & {up, down, saved, sent}
    assert len(shown) == 20 - 4
    # the "not interested" vote also counts against the topic as a weighted negative
    assert page.negatives >= 1


def test_a_downvote_pushes_its_topic_down(corpus, tmp_path):
    settings = _settings(tmp_path, recommend_diversity=0)
    uid = _user(corpus)
    _vote(corpus, uid, paper_id("robots", 0, new=False))
    _vote(corpus, uid, paper_id("diffusion", 0, new=False))
    before = [_topic(p.paper.id) for p in for_you(corpus, settings, uid, now=NOW).picks]
    for n in range(1, 5):
        _vote(corpus, uid, paper_id("diffusion", n, new=False), -1)
    after = [_topic(p.paper.id) for p in for_you(corpus, settings, uid, now=NOW).picks]
    ranks = lambda topics: sum(i for i, t in enumerate(topics) if t == "diffusion")  # noqa: E731
    assert after[0] == "robots" and ranks(after) > ranks(before)


def test_diversity_spreads_the_first_picks_over_topics(corpus, tmp_path):
    uid = _user(corpus)
    for n in range(3):
        _vote(corpus, uid, paper_id("diffusion", n, new=False))
    _vote(corpus, uid, paper_id("protein", 0, new=False))
    plain = [_topic(p.paper.id) for p in for_you(corpus, _settings(tmp_path, recommend_diversity=0), uid, limit=6,
                                                   now=NOW).picks]  # fmt: skip
    mixed = [_topic(p.paper.id) for p in for_you(corpus, _settings(tmp_path, recommend_diversity=0.5), uid, limit=6,
                                                   now=NOW).picks]  # fmt: skip
    assert plain[:4] == ["diffusion"] * 4  # by score alone, one topic fills the top
    assert mixed[0] == "diffusion" and mixed[1] != "diffusion"  # diversity brings the other interest up


def test_cold_start_uses_follows_then_popularity(corpus, tmp_path):
    uid = _user(corpus)
    page = for_you(corpus, _settings(tmp_path), uid, now=NOW)
    assert page.cold_start and page.positives == 0 and page.trained_at is None
    assert _topic(page.picks[0].paper.id) == "speech" and page.picks[0].reasons == ["popular: 9 upvotes"]
    with corpus.transaction() as conn:
        name, new = store_follows.follow(conn, user_id=uid, kind="author", value="rob otto")
        store_follows.follow(conn, user_id=uid, kind="category", value="q-bio.BM")
    assert (name, new) == ("Rob Otto", True)
    page = for_you(corpus, _settings(tmp_path), uid, now=NOW)
    assert page.cold_start
    assert _topic(page.picks[0].paper.id) == "robots"
    assert "by Rob Otto, whom you follow" in page.picks[0].reasons
    assert any("in q-bio.BM, which you follow" in p.reasons for p in page.picks)


def test_a_followed_author_is_boosted_for_a_trained_user_too(corpus, tmp_path):
    uid = _user(corpus)
    _vote(corpus, uid, paper_id("diffusion", 0, new=False))
    with corpus.transaction() as conn:
        store_follows.follow(conn, user_id=uid, kind="author", value="Sam Speech")
    picks = for_you(corpus, _settings(tmp_path, recommend_diversity=0), uid, now=NOW).picks
    speech = [i for i, p in enumerate(picks) if _topic(p.paper.id) == "speech"]
    protein = [i for i, p in enumerate(picks) if _topic(p.paper.id) == "protein"]
    assert min(speech) < min(protein)
    assert "by Sam Speech, whom you follow" in picks[speech[0]].reasons


def test_models_are_stored_and_retrained_only_when_signals_change(corpus, tmp_path):
    settings = _settings(tmp_path)
    ada, bob, cat = _user(corpus, "ada"), _user(corpus, "bob"), _user(corpus, "cat")
    _vote(corpus, ada, paper_id("protein", 0, new=False))
    _vote(corpus, bob, paper_id("speech", 0, new=False))
    with corpus.transaction() as conn:
        store_follows.follow(conn, user_id=cat, kind="category", value="cs.RO")
    first = train_users(corpus, settings, now=NOW)
    assert (first.users, first.trained, first.unchanged, first.no_positives) == (3, 2, 0, 1)
    with corpus.read() as conn:
        models = store_signals.get_models(conn, [ada, bob, cat], "all-MiniLM-L6-v2")
    assert set(models) == {ada, bob} and models[ada].weights.shape == (385,) and models[ada].positives == 1
    again = train_users(corpus, settings, now=NOW)
    assert (again.trained, again.unchanged) == (0, 2)
    _vote(corpus, ada, paper_id("protein", 1, new=False))
    third = train_users(corpus, settings, now=NOW)
    assert (third.trained, third.unchanged) == (1, 1)
    # batch ranking answers for every user at once, each with their own topic first
    ranked = rank_users(corpus, settings, [ada, bob, cat], limit=3, now=NOW)
    assert _topic(ranked[ada].items[0][0]) == "protein" and _topic(ranked[bob].items[0][0]) == "speech"
    assert ranked[cat].cold_start and _topic(ranked[cat].items[0][0]) == "robots"


def test_bad_limits_are_refused(corpus, tmp_path):
    uid = _user(corpus)
    for kw in ({"limit": 0}, {"limit": 10_000}, {"days": 0}, {"days": 1000}):
        with pytest.raises(ValueError):
            for_you(corpus, _settings(tmp_path), uid, now=NOW, **kw)


def test_a_hidden_paper_is_neither_a_positive_nor_named_in_reasons(corpus, tmp_path):
    uid = _user(corpus)
    gone, kept = paper_id("diffusion", 0, new=False), paper_id("diffusion", 1, new=False)
    _vote(corpus, uid, gone)
    _vote(corpus, uid, kept)
    with corpus.transaction() as conn:
        community.hide_paper(conn, gone)
    page = for_you(corpus, _settings(tmp_path, recommend_diversity=0), uid, now=NOW)
    assert page.positives == 1
    hidden_title = f"{TOPICS['diffusion'][0][0]} (earlier study)"
    reasons = [r for p in page.picks for r in p.reasons]
    assert any(r.startswith("close to") for r in reasons) and not any(hidden_title in r for r in reasons)
    with corpus.read() as conn:
        assert set(store_signals.titles_of(conn, [gone, kept])) == {kept}
