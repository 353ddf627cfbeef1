"""A reader's own data from the settings page (their profile): download it as JSON, delete the account
with the password (a real form, CSRF as every form; no JavaScript needed)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash

PASSWORD = "correct horse battery"


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1, upvotes=3), paper(2))
    hashed = password_hash(PASSWORD)
    with store.transaction() as conn:
        for name in ("ann", "bob"):
            store_users.create_user(conn, username=name, password_hash=hashed)
        store_users.create_token(conn, store_users.get_user_by_name(conn, "ann").id, "script")
    return make_app(store, tmp_path, login_max_failures=3)


def _upvotes(page: str) -> int:
    return int(re.search(r'class="count"[^>]*>(\d+)<', page).group(1))


def _thread(page: str) -> str:
    return page.split('id="comments"', 1)[1]


def test_an_owner_deletes_their_account_with_the_password(app, store):
    with browser(app) as ann, browser(app) as laptop, browser(app) as bob, browser(app) as anon:
        ann.login("ann")
        laptop.login("ann")
        bob.login("bob")
        ann.form("/papers/2401.00001/vote", {"value": "1"}, from_page="/")
        ann.form("/papers/2401.00001/comments", {"body": "ann thinks so"}, from_page="/papers/2401.00001")
        with store.read() as conn:
            from paperfeed.store import community

            top = community.comments_for(conn, "2401.00001")[0].id
        bob.form("/papers/2401.00001/comments", {"body": "bob answers", "parent_id": str(top)}, from_page="/")
        before = anon.get("/papers/2401.00001")
        assert _upvotes(before.text) == 4 and 'href="/users/ann"' in _thread(before.text)
        assert anon.get("/papers/2401.00001").headers.get("x-cache") == "hit"

        settings = ann.get("/users/ann").text
        assert 'href="/account/export"' in settings and 'href="/account/delete"' in settings
        assert 'href="/account/delete"' not in bob.get("/users/ann").text  # only on one's own page
        form = ann.get("/account/delete").text
        assert 'action="/account/delete"' in form and 'name="password"' in form
        assert ann.post("/account/delete", data={"password": PASSWORD}).status_code == 403  # no CSRF token
        r = ann.form("/account/delete", {"password": "not my password"}, from_page="/account/delete")
        assert r.status_code == 400 and "that is not your password: nothing was deleted" in r.text
        with store.read() as conn:
            assert store_users.get_user_by_name(conn, "ann") is not None

        r = ann.form("/account/delete", {"password": PASSWORD}, from_page="/account/delete")
        assert r.status_code == 303 and r.headers["location"] == "/"
        home = ann.get("/").text
        assert "Your account ann was deleted." in home and 'href="/users/ann"' not in home
        assert 'href="/users/ann"' not in laptop.get("/").text  # the other session ended too
        assert laptop.get("/account/delete", follow_redirects=False).status_code == 303  # to the login page

        after = anon.get("/papers/2401.00001")  # the cached page expired: the vote and the name are gone
        assert "x-cache" not in after.headers and _upvotes(after.text) == 3
        thread = _thread(after.text)
        assert "[deleted]" in thread and "bob answers" in thread
        assert "ann thinks so" not in thread and 'href="/users/ann"' not in thread
        assert anon.get("/users/ann").status_code == 404
        assert ann.login("ann").status_code == 401
        r = ann.form("/signup", {"username": "Ann", "password": PASSWORD}, from_page="/signup")
        assert r.status_code == 400 and "taken" in r.text  # the name stays reserved
        r = anon.get("/api/collections", headers={"Authorization": "Bearer pf_nothing"})
        assert r.status_code == 401


def test_wrong_passwords_at_the_delete_form_count_as_failed_logins(app, store):
    with browser(app) as ann:
        ann.login("ann")
        for _ in range(3):
            r = ann.form("/account/delete", {"password": "guess"}, from_page="/account/delete")
            assert r.status_code == 400
        r = ann.form("/account/delete", {"password": PASSWORD}, from_page="/account/delete")
        assert r.status_code == 429 and "Too many wrong passwords" in r.text
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ann") is not None


def test_wrong_passwords_at_the_password_form_count_as_failed_logins(app, store):
    """A borrowed session guesses the current password no faster at /account/password than at /login."""
    with store.read() as conn:
        before = conn.execute(text("SELECT password_hash FROM users WHERE username = 'ann'")).scalar_one()
    with browser(app) as ann:
        ann.login("ann")
        for _ in range(3):
            r = ann.form(
                "/account/password", {"current": "guess", "new": "new password 1"}, from_page="/account/password"
            )
            assert r.status_code == 400
        right = {"current": PASSWORD, "new": "new password 1"}
        r = ann.form("/account/password", right, from_page="/account/password")
        assert r.status_code == 429 and "Too many wrong passwords" in r.text
    with store.read() as conn:  # the password is unchanged
        assert conn.execute(text("SELECT password_hash FROM users WHERE username = 'ann'")).scalar_one() == before


def test_an_owner_downloads_their_data(app):
    with browser(app) as ann, browser(app) as anon:
        assert anon.get("/account/export", follow_redirects=False).status_code == 303  # log in first
        ann.login("ann")
        ann.form("/papers/2401.00002/vote", {"value": "1"}, from_page="/")
        ann.form("/papers/2401.00001/comments", {"body": "a <b>bold</b> claim"}, from_page="/papers/2401.00001")
        ann.form("/collections", {"name": "To read", "paper_id": "2401.00001"}, from_page="/")
        r = ann.get("/account/export")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        assert r.headers["content-disposition"] == 'attachment; filename="paperfeed-ann.json"'
        data = json.loads(r.text)
        assert data["account"]["username"] == "ann"
        assert [v["paper_id"] for v in data["votes"]] == ["2401.00002"]
        assert [c["body"] for c in data["comments"]] == ["a <b>bold</b> claim"]
        assert [(c["name"], [p["paper_id"] for p in c["papers"]]) for c in data["collections"]] == [
            ("To read", ["2401.00001"])
        ]
        assert [t["name"] for t in data["api_tokens"]] == ["script"] and data["subscriptions"] == []


def test_a_deleted_submitters_paper_names_no_one_in_the_admin_bar(app, store):
    add_papers(store, paper(3, day=None))
    with store.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=password_hash(PASSWORD), is_admin=True)
    with browser(app) as ann, browser(app) as admin:
        ann.login("ann")
        assert ann.form("/submit", {"paper": "2401.00003"}, from_page="/submit").status_code == 303
        admin.login("root")
        assert "(submitted by ann)" in admin.get("/papers/2401.00003").text
        ann.form("/account/delete", {"password": PASSWORD}, from_page="/account/delete")
        page = admin.get("/papers/2401.00003").text
        assert "(submitted by a deleted account)" in page and "None" not in page
