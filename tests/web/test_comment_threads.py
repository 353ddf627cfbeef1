"""Comment threads as readers and moderators see them: a hidden or deleted comment keeps its replies (a
placeholder stands in for it), counts say what is shown, authors delete their own comments, and a flood of
comments is slowed down."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from paperfeed.store import community
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash

PASSWORD = "correct horse battery"
JSON = {"Accept": "application/json"}


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1), paper(2))
    hashed = password_hash(PASSWORD)
    with store.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=hashed, is_admin=True)
        for name in ("ann", "bob"):
            store_users.create_user(conn, username=name, password_hash=hashed)
    return make_app(store, tmp_path)


def _uid(store, name: str) -> int:
    with store.read() as conn:
        return store_users.get_user_by_name(conn, name).id


def _say(store, name: str, body: str, parent: int | None = None, paper_id: str = "2401.00001") -> int:
    with store.transaction() as conn:
        return community.add_comment(conn, user_id=_uid(store, name), paper_id=paper_id, body=body, parent_id=parent)


class _Greyed(HTMLParser):
    """The text inside elements whose class list has ``hidden`` (what an admin sees greyed out)."""

    def __init__(self):
        super().__init__()
        self.depth, self.text = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "input", "img", "meta", "link"):
            return
        if self.depth or "hidden" in (dict(attrs).get("class") or "").split():
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth and tag not in ("br", "input", "img", "meta", "link"):
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def _greyed(html: str) -> str:
    p = _Greyed()
    p.feed(html.split('id="comments"', 1)[1])
    return " ".join(p.text)


@pytest.fixture
def thread(app, store):
    """ann's comment (hidden by an admin) with bob's reply and ann's reply to that; bob's other comment."""
    top = _say(store, "ann", "spam spam")
    reply = _say(store, "bob", "a fair reply", top)
    deeper = _say(store, "ann", "a reply to the reply", reply)
    other = _say(store, "bob", "another thought")
    with store.transaction() as conn:
        community.hide_comment(conn, top)
    return top, reply, deeper, other


def test_a_hidden_comment_keeps_its_replies_behind_a_placeholder(app, thread):
    top, reply, deeper, other = thread
    with browser(app) as b:
        page = b.get("/papers/2401.00001").text
        assert "spam spam" not in page and "[removed by a moderator]" in page
        for cid in (top, reply, deeper, other):
            assert f'id="comment-{cid}"' in page  # every reply still has the anchor a redirect leads to
        assert "a fair reply" in page and "a reply to the reply" in page
        assert "Comments (3)" in page  # what is shown: the placeholder is not a comment
        assert "3 comments" in b.get("/").text
        b.login("bob")
        page = b.get("/papers/2401.00001").text
        assert f'name="parent_id" value="{top}"' not in page  # no Reply form on a removed comment
        assert f'name="parent_id" value="{reply}"' in page
        r = b.get("/api/papers/2401.00001/comments")
        assert [(c["id"], c["user"], c["removed"]) for c in r.json()] == [
            (top, None, "removed"), (reply, "bob", None), (deeper, "ann", None), (other, "bob", None)]  # fmt: skip
        assert r.json()[0]["body"] == "" and b.get("/api/papers/2401.00001").json()["numComments"] == 3


def test_admins_see_the_hidden_comment_greyed_but_not_its_replies(app, thread):
    top, reply, deeper, other = thread
    with browser(app) as admin:
        admin.login("root", PASSWORD)
        page = admin.get("/papers/2401.00001").text
        assert "spam spam" in page and "[removed by a moderator]" not in page
        assert "Comments (3)" in page
        greyed = _greyed(page)
        assert "spam spam" in greyed and "a fair reply" not in greyed and "a reply to the reply" not in greyed
        assert f'name="parent_id" value="{top}"' not in page  # still closed to replies


def test_a_hidden_comment_without_visible_replies_is_gone(app, store):
    lone = _say(store, "ann", "spam spam")
    quiet = _say(store, "bob", "hidden too", lone)
    with store.transaction() as conn:
        community.hide_comment(conn, lone)
        community.hide_comment(conn, quiet)
    with browser(app) as b:
        page = b.get("/papers/2401.00001").text
        assert "[removed" not in page and "No comments yet." in page and "Comments (0)" in page


def test_authors_delete_their_own_comments(app, store):
    top = _say(store, "ann", "first thought")
    reply = _say(store, "bob", "an answer", top)
    lone = _say(store, "ann", "never mind")
    with browser(app) as ann, browser(app) as bob:
        ann.login("ann")
        page = ann.get("/papers/2401.00001").text
        assert f'action="/papers/2401.00001/comments/{top}/delete"' in page  # behind a "Delete" confirm step
        assert f'action="/papers/2401.00001/comments/{reply}/delete"' not in page  # bob's: no button for ann
        r = ann.form(f"/papers/2401.00001/comments/{reply}/delete", from_page="/papers/2401.00001")
        assert r.status_code == 403
        assert ann.post(f"/papers/2401.00001/comments/{top}/delete").status_code == 403  # no CSRF token
        r = ann.form(f"/papers/2401.00001/comments/{top}/delete", from_page="/papers/2401.00001",
                     follow_redirects=True)  # fmt: skip
        assert "Your comment was deleted." in r.text
        r = ann.form(f"/papers/2401.00001/comments/{lone}/delete", from_page="/papers/2401.00001",
                     follow_redirects=True)  # fmt: skip
        bob.login("bob")
        page = bob.get("/papers/2401.00001").text
        assert "first thought" not in page and "never mind" not in page
        assert "[deleted]" in page and "an answer" in page and f'id="comment-{lone}"' not in page
        assert "Comments (1)" in page
        assert f'name="parent_id" value="{top}"' not in page
        r = bob.form("/papers/2401.00001/comments", {"body": "late", "parent_id": str(top)},
                     from_page="/papers/2401.00001")  # fmt: skip
        assert r.status_code == 400 and "deleted" in r.text
        assert "first thought" not in ann.get("/users/ann").text  # nor on the profile


def test_comments_are_limited_per_hour_and_the_draft_is_kept(app, store, monkeypatch):
    from paperfeed.actions import community as actions

    monkeypatch.setattr(actions, "COMMENTS_PER_HOUR", 3)
    with browser(app) as b:
        b.login("ann")
        for n in range(3):
            r = b.form("/papers/2401.00001/comments", {"body": f"note {n}"}, from_page="/papers/2401.00001")
            assert r.status_code == 303
        r = b.form("/papers/2401.00001/comments", {"body": "one too many"}, from_page="/papers/2401.00001")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert "one too many</textarea>" in r.text and "3 comments in the last hour" in r.text
        tok = b.csrf("/papers/2401.00001")
        r = b.post("/api/papers/2401.00001/comments", json={"body": "again"}, headers={"X-CSRF-Token": tok})
        assert r.status_code == 429 and "Retry-After" in r.headers
        assert "Comments (3)" in b.get("/papers/2401.00001").text


def test_refused_comments_do_not_use_up_the_limit(app, store, monkeypatch):
    from paperfeed.actions import community as actions

    monkeypatch.setattr(actions, "COMMENTS_PER_HOUR", 1)
    with browser(app) as b:
        b.login("ann")
        r = b.form("/papers/2401.00001/comments", {"body": "  "}, from_page="/papers/2401.00001")
        assert r.status_code == 400
        r = b.form("/papers/2401.00001/comments", {"body": "fine"}, from_page="/papers/2401.00001")
        assert r.status_code == 303


def test_the_pick_button_gives_way_to_the_day_a_paper_is_listed_on(app, store):
    add_papers(store, paper(7, day=None))
    with browser(app) as admin:
        admin.login("root", PASSWORD)
        assert "Pick for today" in admin.get("/papers/2401.00007").text
        page = admin.get("/papers/2401.00001").text
        assert "Pick for today" not in page
        assert re.search(r'Listed on <a href="/papers/date/2024-01-02">', page)
