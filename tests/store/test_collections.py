"""Collections (``store.collections``) as every surface reads them: the size counts the papers a reader
sees, times are UTC; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC

from paperfeed.store import collections as C
from paperfeed.store import community
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, paper


def test_the_size_leaves_out_hidden_papers_and_times_are_utc(store):
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="ann", password_hash="x").id
        cid = C.create(conn, user_id=uid, name="Reading", is_public=True)
        C.add_paper(conn, cid, "2401.00001")
        C.add_paper(conn, cid, "2401.00002")
        community.hide_paper(conn, "2401.00002")  # hidden by a moderator after it was saved
    with store.read() as conn:
        view = C.get(conn, cid, viewer_id=None)
        listed = C.for_user(conn, uid, viewer_id=uid)
    assert view.size == 1 and [c.size for c in listed] == [1]  # what the collection shows: one paper
    assert view.created_at.tzinfo == UTC


def test_a_deleted_collections_id_is_never_given_to_a_new_one(store):
    """An old share link of a deleted collection stays a 404; it never shows somebody else's collection."""
    with store.transaction() as conn:
        ann = store_users.create_user(conn, username="ann", password_hash="x").id
        bob = store_users.create_user(conn, username="bob", password_hash="x").id
        gone = C.create(conn, user_id=ann, name="Shared with my lab", is_public=True)
        C.remove(conn, gone)
        new = C.create(conn, user_id=bob, name="bob's list", is_public=True)
    assert new != gone
    with store.read() as conn:
        assert C.get(conn, gone, viewer_id=None) is None


def test_bidi_controls_are_dropped_from_what_readers_type(lite_store):
    """A right-to-left override (Trojan Source) in a comment, a collection's name or its description would
    show other readers the characters in another order than typed: they are stored without it."""
    add_papers(lite_store, paper(1, title="Safe\u202e txt.exe \u202cpaper"))
    typed = "rm -rf \u202e/ \u2066 ok\u2069 \u202d"
    with lite_store.transaction() as conn:
        uid = store_users.create_user(conn, username="ann", password_hash="x").id
        cid = C.create(conn, user_id=uid, name=f"Reading {typed}", description=typed, is_public=True)
        community.add_comment(conn, user_id=uid, paper_id="2401.00001", body=typed)
        shown = [C.get(conn, cid, viewer_id=None).name, C.get(conn, cid, viewer_id=None).description,
                 community.comments_for(conn, "2401.00001")[0].body]  # fmt: skip
        title = conn.exec_driver_sql("SELECT title FROM papers").scalar()
    assert shown == ["Reading rm -rf / ok", "rm -rf /  ok", "rm -rf /  ok"] and title == "Safe txt.exe paper"
