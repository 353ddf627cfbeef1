"""An author edits their own comment from the paper page (a real form, no JavaScript): within the edit
window only, with the checks of a new comment; the comment then says "edited" (the time in its title).
Others, hidden, deleted and too old comments cannot be edited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from paperfeed.actions import comment_edits
from paperfeed.store import community
from paperfeed.store import users as store_users
from paperfeed.store.models import comments
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash

PASSWORD = "correct horse battery"
PAGE = "/papers/2401.00001"


@pytest.fixture
def people(store):
    add_papers(store, paper(1))
    hashed = password_hash(PASSWORD)
    with store.transaction() as conn:
        ids = {name: store_users.create_user(conn, username=name, password_hash=hashed, is_admin=name == "root").id
               for name in ("ann", "bob", "root")}  # fmt: skip
    return ids


@pytest.fixture
def app(store, tmp_path, people):
    return make_app(store, tmp_path)


def _say(store, uid: int, body: str, *, hours_ago: float = 0) -> int:
    with store.transaction() as conn:
        cid = community.add_comment(conn, user_id=uid, paper_id="2401.00001", body=body)
        if hours_ago:
            when = datetime.now(UTC) - timedelta(hours=hours_ago)
            conn.execute(update(comments).where(comments.c.id == cid).values(created_at=when))
    return cid


def _edit_form(cid: int) -> str:
    return f'action="{PAGE}/comments/{cid}/edit"'


def test_an_author_edits_their_comment_and_it_says_edited(app, store, people):
    mine = _say(store, people["ann"], "frist thought")
    theirs = _say(store, people["bob"], "bob's view")
    with browser(app) as ann, browser(app) as anon:
        ann.login("ann")
        page = ann.get(PAGE).text
        assert _edit_form(mine) in page and _edit_form(theirs) not in page
        assert "frist thought</textarea>" in page  # the form holds the text as it is
        assert ann.post(f"{PAGE}/comments/{mine}/edit", data={"body": "x"}).status_code == 403  # no CSRF token
        r = ann.form(f"{PAGE}/comments/{mine}/edit", {"body": "  first <b>thought</b>, see https://x.org  "},
                     from_page=PAGE)  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == f"{PAGE}#comment-{mine}"
        page = ann.get(PAGE).text
        assert "Your comment was edited." in page
        text = anon.get(PAGE).text  # the cached page expired with the edit
        block = text.split(f'id="comment-{mine}"', 1)[1].split('id="comment-', 1)[0]
        assert "first &lt;b&gt;thought&lt;/b&gt;, see" in block and "frist" not in block  # escaped as a new one
        assert '<a href="https://x.org" rel="nofollow ugc noopener">' in block
        m = re.search(r'<time class="edited" datetime="([^"]+)" title="edited ([^"]+) UTC">edited</time>', block)
        assert m and datetime.fromisoformat(m.group(1)) > datetime.now(UTC) - timedelta(minutes=1)
        assert "edited</time>" not in text.split(f'id="comment-{theirs}"', 1)[1]  # bob's was not


def test_refused_text_keeps_the_draft_and_changes_nothing(app, store, people):
    mine = _say(store, people["ann"], "the original")
    with browser(app) as ann:
        ann.login("ann")
        for body, status, message in [
            ("x" * 10_001, 400, "at most 10,000 characters (this one has 10,001)"),
            ("   ", 400, "cannot be empty"),
            ("x" * 20_001, 422, "at most 20000 characters"),
        ]:
            r = ann.form(f"{PAGE}/comments/{mine}/edit", {"body": body}, from_page=PAGE)
            assert r.status_code == status and message in r.text, (status, r.text[-800:])
            if status == 400:
                assert _edit_form(mine) in r.text and f">{body}</textarea>" in r.text  # the draft, to fix
        r = ann.form(f"{PAGE}/comments/{mine}/edit", {"body": "  "}, from_page=PAGE,
                     headers={"Accept": "application/json"})  # fmt: skip
        assert r.status_code == 400 and r.json() == {"error": "a comment cannot be empty"}
    with store.read() as conn:
        [c] = community.comments_for(conn, "2401.00001")
        assert c.body == "the original" and c.edited_at is None


def test_only_the_author_edits_and_only_a_shown_recent_comment(app, store, people):
    bobs = _say(store, people["bob"], "bob's view")
    old = _say(store, people["ann"], "said long ago", hours_ago=25)
    hidden = _say(store, people["ann"], "hidden by a moderator")
    gone = _say(store, people["ann"], "deleted by ann")
    with store.transaction() as conn:
        community.hide_comment(conn, hidden)
        community.delete_comment(conn, gone)
    with browser(app) as ann, browser(app) as root:
        ann.login("ann")
        root.login("root")
        page = ann.get(PAGE).text
        assert _edit_form(old) not in page  # past the window: no Edit
        for cid, status, message in [
            (bobs, 403, "you can edit only your own comments"),
            (old, 403, "can be edited for 24 hours after it was posted"),
            (hidden, 403, "removed by a moderator"),
            (gone, 404, "no such comment"),
            (999_999, 404, "no such comment"),
        ]:
            r = ann.form(f"{PAGE}/comments/{cid}/edit", {"body": "changed"}, from_page=PAGE)
            assert r.status_code == status and message in r.text, (cid, r.status_code)
        r = root.form(f"{PAGE}/comments/{bobs}/edit", {"body": "changed"}, from_page=PAGE)
        assert r.status_code == 403  # admins hide; they do not edit
    with store.read() as conn:
        assert all(c.body != "changed" for c in community.comments_for(conn, "2401.00001", include_hidden=True))


def test_the_window_is_a_setting(store, tmp_path, people):
    recent = _say(store, people["ann"], "an hour ago", hours_ago=1)
    for hours, editable in ((2, True), (0, False)):
        with browser(make_app(store, tmp_path, comment_edit_hours=hours)) as ann:
            ann.login("ann")
            assert (_edit_form(recent) in ann.get(PAGE).text) is editable
            r = ann.form(f"{PAGE}/comments/{recent}/edit", {"body": f"within {hours}"}, from_page=PAGE)
            assert r.status_code == (303 if editable else 403)
            if not editable:
                assert "comments cannot be edited on this site" in r.text


def test_edits_are_limited_per_hour(app, store, people, monkeypatch):
    """Each edit empties the page caches: an author makes at most EDITS_PER_HOUR an hour (429 with
    Retry-After, from the API and the page's form); refused text does not count."""
    monkeypatch.setattr(comment_edits, "EDITS_PER_HOUR", 2, raising=False)
    mine = _say(store, people["ann"], "v0")
    api = f"/api/papers/2401.00001/comments/{mine}"
    with browser(app) as ann:
        ann.login("ann")
        token = {"X-CSRF-Token": ann.csrf(PAGE)}
        assert ann.patch(api, json={"body": "   "}, headers=token).status_code == 400  # not counted
        for n in (1, 2):
            assert ann.patch(api, json={"body": f"v{n}"}, headers=token).status_code == 200
        r = ann.patch(api, json={"body": "v3"}, headers=token)
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 3500
        assert r.json()["error"].startswith("you edited comments 2 times in the last hour, as often as one account")
        r = ann.form(f"{PAGE}/comments/{mine}/edit", {"body": "v4"}, from_page=PAGE)
        assert r.status_code == 429 and "you can edit again in 60 minutes" in r.text and ">v4</textarea>" in r.text
    with store.read() as conn:
        [c] = community.comments_for(conn, "2401.00001")
    assert c.body == "v2"
