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
