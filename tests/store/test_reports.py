"""Readers' reports in the store: one open report per reader and item (also when two arrive at once), the
queue grouped by item, and a hide anywhere closing the item's reports; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from paperfeed.actions import community as actions
from paperfeed.actions import reports as report_actions
from paperfeed.store import community, modlog
from paperfeed.store import reports as R
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, paper


@pytest.fixture
def world(store):
    """Papers 1 and 2; ann commented on paper 1; readers bob and cy."""
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        ann, bob, cy = (store_users.create_user(conn, username=n, password_hash="x") for n in ("ann", "bob", "cyd"))
        cid = community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="buy pills at example.org")
    return {"ann": ann, "bob": bob, "cyd": cy, "cid": cid}


def test_one_open_report_per_reader_and_item(store, world):
    bob, cid = world["bob"], world["cid"]
    with store.transaction() as conn:
        item = R.find_item(conn, "comment", str(cid))
        assert item == R.Item("comment", str(cid), "2401.00001", world["ann"].id, False, "buy pills at example.org")
        first, new = R.add(conn, user_id=bob.id, item=item, reason="spam", note="  pills  ")
        assert new
        assert R.add(conn, user_id=bob.id, item=item, reason="abuse") == (first, False)  # the unique index
        assert R.open_report_of(conn, user_id=bob.id, kind="comment", target=str(cid)) == first
        with pytest.raises(ValueError):
            R.add(conn, user_id=bob.id, item=item, reason="boring")
    with store.read() as conn:
        assert R.get(conn, first).note == "pills"
        assert R.find_item(conn, "comment", "999999") is None
        assert R.find_item(conn, "comment", "x1") is None
        assert R.find_item(conn, "paper", "2499.99999") is None
        assert R.open_count(conn) == 1


def test_the_queue_groups_by_item_newest_first(store, world):
    bob, cy, cid = world["bob"], world["cyd"], world["cid"]
    with store.transaction() as conn:
        comment = R.find_item(conn, "comment", str(cid))
        p2 = R.find_item(conn, "paper", "2401.00002")
        R.add(conn, user_id=bob.id, item=comment, reason="spam")
        R.add(conn, user_id=bob.id, item=p2, reason="not-a-paper", note="a blog post")
        newest, _ = R.add(conn, user_id=cy.id, item=comment, reason="spam", note="same link everywhere")
    with store.read() as conn:
        groups = R.queue(conn)
        assert R.open_count(conn) == 2
    assert [(g.kind, g.target) for g in groups] == [("comment", str(cid)), ("paper", "2401.00002")]
    c, p = groups
    assert (c.id, c.reporters, c.reasons, c.author, c.text) == (newest, ["cyd", "bob"], {"spam": 2}, "ann",
                                                                 "buy pills at example.org")  # fmt: skip
    assert c.notes == [("cyd", "same link everywhere")] and c.title == "Paper number 1"
    assert (p.reasons, p.notes, p.author, p.text) == ({"not-a-paper": 1}, [("bob", "a blog post")], None, "")
    assert c.as_dict()["report_ids"] == c.report_ids and len(c.report_ids) == 2
    with store.read() as conn:
        assert len(R.queue(conn, limit=1)) == 1


def test_hiding_anywhere_closes_the_reports_and_the_log_says_so(store, world):
    bob, cy, cid = world["bob"], world["cyd"], world["cid"]
    for who in (bob, cy):
        report_actions.report(store, who, "comment", str(cid), "spam")
    report_actions.report(store, bob, "paper", "2401.00001", "off-topic")
    actions.hide_comment(store, cid, actor="root", reason="pill spam")  # the comment's own button
    with store.read() as conn:
        assert [(g.kind, g.target) for g in R.queue(conn)] == [("paper", "2401.00001")]
        entry = modlog.entries(conn, limit=1)[0]
    assert (entry.actor, entry.action) == ("root", "hide-comment")
    assert entry.reason == "pill spam; closes 2 reports (spam ×2)"
    # a hidden paper takes its thread down: its reports and its comments' go with it
    report_actions.report(store, cy, "paper", "2401.00001", "spam")
    actions.hide_paper(store, "2401.00001", actor="root")
    with store.read() as conn:
        assert R.queue(conn) == [] and R.open_count(conn) == 0
        assert modlog.entries(conn, limit=1)[0].reason == "closes 2 reports (off-topic, spam)"


def test_a_deleted_comment_takes_its_reports_with_it(store, world):
    report_actions.report(store, world["bob"], "comment", str(world["cid"]), "abuse")
    actions.delete_comment(store, world["ann"], "2401.00001", world["cid"])
    with store.read() as conn:
        assert R.open_count(conn) == 0
        assert R.find_item(conn, "comment", str(world["cid"])) is None  # nothing left to report


def test_a_reader_reports_again_once_the_first_report_was_dismissed(store, world):
    bob = world["bob"]
    first = report_actions.report(store, bob, "paper", "2401.00002", "spam")
    assert report_actions.report(store, bob, "paper", "arXiv:2401.00002v1", "abuse").status == "already-reported"
    report_actions.resolve(store, first.id, hide=False, actor="root")
    again = report_actions.report(store, bob, "paper", "2401.00002", "abuse")
    assert again.status == "open" and again.id != first.id
