"""An account's footprint (``store.accounts``): deleting removes what the account holds in one transaction
(a failure leaves everything), keeps its comment threads and its name reserved; the export holds what the
owner made (its reports too); mail to an address it never proved stays; the reports of its comments close
and its own reports lose their notes and name. Comment edits (``store.community``). On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, select

from paperfeed.store import accounts, community, digests, follows, modlog, outbox, reports, subscriptions
from paperfeed.store import collections as store_collections
from paperfeed.store import papers as store_papers
from paperfeed.store import users as store_users
from paperfeed.store.community import CommunityError
from paperfeed.store.models import alerts, api_tokens, collection_items, sent_papers, votes
from paperfeed.store.models import outbox as outbox_table
from paperfeed.store.models import reports as report_rows
from tests.helpers.web import add_papers, paper


@pytest.fixture
def world(store):
    """ann with a bit of everything, bob replying to her and voting beside her."""
    add_papers(store, paper(1, upvotes=3), paper(2), paper(3, day=None))
    with store.transaction() as conn:
        ann = store_users.create_user(conn, username="ann", password_hash="x", email="Ann@Example.org",
                                      email_confirmed=True)  # fmt: skip
        bob = store_users.create_user(conn, username="bob", password_hash="x", email="bob@example.org")
        store_users.create_token(conn, ann.id, "laptop")
        community.vote(conn, user_id=ann.id, paper_id="2401.00001", value=1)
        community.vote(conn, user_id=ann.id, paper_id="2401.00002", value=-1)
        community.vote(conn, user_id=bob.id, paper_id="2401.00001", value=1)
        top = community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="first thought")
        reply = community.add_comment(conn, user_id=bob.id, paper_id="2401.00001", body="an answer", parent_id=top)
        lone = community.add_comment(conn, user_id=ann.id, paper_id="2401.00002", body="never mind")
        coll = store_collections.create(conn, user_id=ann.id, name="Reading", is_public=True)
        store_collections.add_paper(conn, coll, "2401.00002")
        follows.follow(conn, user_id=ann.id, kind="category", value="cs.LG")
        sub = subscriptions.subscribe(conn, "ann@example.org", user_id=ann.id)
        subscriptions.add_alert(conn, sub.id, kind="keyword", value="diffusion", frequency="daily")
        digests.record_sent(conn, [{"subscriber_id": sub.id, "paper_id": "2401.00001", "digest": "trending",
                                          "sent_at": datetime.now(UTC)}])  # fmt: skip
        outbox.queue(conn, subscriber_id=sub.id, kind="digest", dedupe_key="d1", to_addr="ann@example.org",
                     subject="Digest", message="...")  # fmt: skip
        outbox.queue(conn, subscriber_id=None, kind="confirm", dedupe_key="c1", to_addr="ANN@example.org",
                     subject="Confirm", message="...")  # fmt: skip
        outbox.queue(conn, subscriber_id=None, kind="confirm", dedupe_key="b1", to_addr="bob@example.org",
                     subject="Confirm", message="...")  # fmt: skip
        community.submit(conn, paper_id="2401.00003", username="ann", day=date(2024, 1, 3))
        modlog.record(conn, actor="ann", action="ban", target="bob", reason="test")
    return {"ann": ann, "bob": bob, "top": top, "reply": reply, "lone": lone, "coll": coll, "sub": sub.id}


def _count(conn, table, *where) -> int:
    return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_deleting_an_account_removes_what_it_holds_and_keeps_the_threads(store, world):
    ann, bob = world["ann"], world["bob"]
    with store.transaction() as conn:
        gone = accounts.delete_account(conn, ann.id)
    assert gone == accounts.Deleted("ann", votes=2, comments=2, collections=1, tokens=1, subscriptions=1, mails=2)
    with store.read() as conn:
        assert store_users.get_user(conn, ann.id) is None and store_users.get_user_by_name(conn, "ann") is None
        with pytest.raises(store_users.AccountError, match="taken"):  # the name stays reserved, any case
            store_users.check_new_account(conn, username="ANN")
        assert _count(conn, votes, votes.c.user_id == ann.id) == 0
        assert _count(conn, api_tokens, api_tokens.c.user_id == ann.id) == 0
        assert store_collections.get(conn, world["coll"], viewer_id=None) is None
        assert _count(conn, collection_items) == 0
        assert follows.follows_of(conn, ann.id) == []
        assert subscriptions.get(conn, world["sub"]) is None
        assert _count(conn, alerts) == 0 and _count(conn, sent_papers) == 0
        assert [m.to_addr for m in outbox.messages_to(conn, "bob@example.org")] == ["bob@example.org"]
        assert _count(conn, outbox_table) == 1  # bob's mail only
        # counts: ann's upvote went, bob's stays
        assert store_papers.get_paper(conn, "2401.00001").upvotes == 3 + 1
        stats = store_papers.counts(conn)  # paperfeed stats: bob's account and vote
        assert (stats["users"], stats["votes"], stats["collections"]) == (1, 1, 0)
        thread = community.comments_for(conn, "2401.00001")
        assert [(c.id, c.username, c.body, c.removed) for c in thread] == [
            (world["top"], None, "", "deleted"), (world["reply"], "bob", "an answer", None),
        ]  # fmt: skip
        assert community.comments_for(conn, "2401.00002") == []  # no replies: gone from view
        assert [f.submitted_by for f in store_papers.get_paper(conn, "2401.00003").featured] == [None]
        assert [(e.actor, e.action, e.target) for e in modlog.entries(conn)] == [("ann", "ban", "bob")]
        assert store_users.get_user(conn, bob.id).email is None  # bob's own data untouched
        assert store_users.get_user(conn, bob.id).pending_email == "bob@example.org"
    with store.transaction() as conn, pytest.raises(store_users.AccountError, match="no such account"):
        accounts.delete_account(conn, ann.id)  # once
    with store.transaction() as conn:  # the address is free for a new account
        new = store_users.create_user(conn, username="ann2", password_hash="x", email="ann@example.org",
                                      email_confirmed=True)  # fmt: skip
        assert new.email == "ann@example.org"


def test_a_failure_while_deleting_leaves_everything(store, world):
    """The last statement fails: every delete before it is rolled back with it."""
    ann = world["ann"]

    def fail_on_users_update(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            raise RuntimeError("disk full")

    event.listen(store.engine, "before_cursor_execute", fail_on_users_update)
    try:
        with pytest.raises(Exception, match="disk full"), store.transaction() as conn:
            accounts.delete_account(conn, ann.id)
    finally:
        event.remove(store.engine, "before_cursor_execute", fail_on_users_update)
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ann").email == "Ann@Example.org"
        assert _count(conn, votes, votes.c.user_id == ann.id) == 2
        assert _count(conn, api_tokens) == 1 and _count(conn, collection_items) == 1
        assert subscriptions.get(conn, world["sub"]) is not None and _count(conn, outbox_table) == 3
        assert [c.body for c in community.comments_for(conn, "2401.00001")] == ["first thought", "an answer"]
        assert store_papers.get_paper(conn, "2401.00001").upvotes == 5


def test_the_export_holds_what_the_owner_made(store, world):
    with store.read() as conn:
        data = accounts.export_account(conn, world["ann"].id)
    assert data["account"]["username"] == "ann" and data["account"]["email"] == "Ann@Example.org"
    assert {(v["paper_id"], v["value"]) for v in data["votes"]} == {("2401.00001", 1), ("2401.00002", -1)}
    assert [(c["paper_id"], c["body"], c["edited_at"]) for c in data["comments"]] == [
        ("2401.00001", "first thought", None), ("2401.00002", "never mind", None),
    ]  # fmt: skip
    assert [(c["name"], c["public"], [p["paper_id"] for p in c["papers"]]) for c in data["collections"]] == [
        ("Reading", True, ["2401.00002"])
    ]
    assert data["submissions"] == [{"paper_id": "2401.00003", "day": "2024-01-03"}]
    assert [(f["kind"], f["value"]) for f in data["follows"]] == [("category", "cs.LG")]
    [sub] = data["subscriptions"]
    assert sub["email"] == "ann@example.org" and [a["value"] for a in sub["alerts"]] == ["diffusion"]
    assert [t["name"] for t in data["api_tokens"]] == ["laptop"] and "token_hash" not in str(data)
    assert "an answer" not in str(data)  # bob's reply is bob's


def test_a_comment_is_edited_with_the_checks_of_a_new_one(store, world):
    top = world["top"]
    with store.transaction() as conn:
        assert community.edit_comment(conn, top, "  second thought  ")
        for bad, message in [("   ", "cannot be empty"), ("x" * 10_001, "at most 10,000 characters")]:
            with pytest.raises(CommunityError, match=message):
                community.edit_comment(conn, top, bad)
        [shown] = [c for c in community.comments_for(conn, "2401.00001") if c.id == top]
        assert shown.body == "second thought" and shown.edited_at is not None
        assert community.comment_for_edit(conn, top).user_id == world["ann"].id
        community.hide_comment(conn, world["reply"])
        assert not community.edit_comment(conn, world["reply"], "changed")  # hidden: not changed
        community.delete_comment(conn, world["lone"])
        assert community.comment_for_edit(conn, world["lone"]) is None
        assert not community.edit_comment(conn, world["lone"], "back")


def test_deleting_an_account_leaves_mail_to_an_address_it_never_proved(store, world):
    """mallory types jill's address (pending, unproven) and deletes her account: jill's own mail stays; only
    mallory's confirmation links and the mail to her confirmed address go."""
    with store.transaction() as conn:
        mal = store_users.create_user(conn, username="mallory", password_hash="x", email="mal@example.org",
                                      email_confirmed=True)  # fmt: skip
        jill = subscriptions.subscribe(conn, "jill@example.org")
        for sub, kind, key, to in [
            (jill.id, "confirm", "confirm:jill", "jill@example.org"),  # jill's own confirmation
            (None, "account", f"account:{mal.id}:jill@example.org:2026120812", "Jill@example.org"),
            (None, "account", f"account:{mal.id}0:jill@example.org:2026120812", "jill@example.org"),  # another id
            (None, "confirm", "confirm:mal", "MAL@example.org"),
        ]:
            outbox.queue(conn, subscriber_id=sub, kind=kind, dedupe_key=key, to_addr=to, subject="s", message="m")
        store_users.set_pending_email(conn, mal.id, "Jill@Example.org")
        gone = accounts.delete_account(conn, mal.id)
        left = set(conn.execute(select(outbox_table.c.dedupe_key).where(outbox_table.c.dedupe_key.not_in(
            ["d1", "c1", "b1"]))).scalars())  # fmt: skip
    assert gone.mails == 2
    assert left == {"confirm:jill", f"account:{mal.id}0:jill@example.org:2026120812"}


def test_a_deleted_accounts_comments_and_reports(store, world):
    """ann's comments lose their open reports (closed "deleted", their text forgotten); ann's own report of
    bob's reply stays open for the moderators, without her note and without her name."""
    ann, bob = world["ann"], world["bob"]
    with store.transaction() as conn:
        on_ann, _ = reports.add(conn, user_id=bob.id, item=reports.find_item(conn, "comment", str(world["top"])),
                                reason="spam", note="bob's note")  # fmt: skip
        by_ann, _ = reports.add(conn, user_id=ann.id, item=reports.find_item(conn, "comment", str(world["reply"])),
                                reason="abuse", note="ann's private note")  # fmt: skip
        assert reports.get(conn, on_ann).reported_text == "first thought"
        accounts.delete_account(conn, ann.id)
        closed, kept = reports.get(conn, on_ann), reports.get(conn, by_ann)
        [group] = reports.queue(conn)
        texts = set(conn.execute(select(report_rows.c.reported_text)).scalars())
    assert (closed.resolution, closed.resolved_by, closed.reported_text) == ("deleted", "ann", None)
    assert kept.resolved_at is None and kept.note is None
    assert (group.target, group.reporters, group.notes) == (str(world["reply"]), ["[deleted]"], [])
    assert texts == {"an answer", None}  # bob's reply, still reported; ann's words are gone


def test_the_export_lists_the_owners_reports(store, world):
    ann = world["ann"]
    with store.transaction() as conn:
        reports.add(conn, user_id=ann.id, item=reports.find_item(conn, "paper", "2401.00002"), reason="off-topic",
                    note="not ML")  # fmt: skip
        data = accounts.export_account(conn, ann.id)
    [mine] = data["reports"]
    assert {k: mine[k] for k in ("kind", "target", "paper_id", "reason", "note", "status", "resolved_at")} == {
        "kind": "paper", "target": "2401.00002", "paper_id": "2401.00002", "reason": "off-topic", "note": "not ML",
        "status": "open", "resolved_at": None}  # fmt: skip
