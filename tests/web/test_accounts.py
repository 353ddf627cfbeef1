"""Accounts: sign up, log in/out, password change, CSRF, login rate limit, API tokens, bans."""

from __future__ import annotations

import pytest

from paperfeed.settings import Settings
from paperfeed.store import users as store_users
from paperfeed.store.passwords import hash_password
from tests.helpers.web import PASSWORD, add_papers, browser, make_app, paper, password_hash


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1, upvotes=3))
    return make_app(store, tmp_path, login_max_failures=3)


def test_signup_login_logout(app):
    with browser(app) as b:
        r = b.signup("ada", email="ada@example.org")
        assert r.headers["location"] == "/"
        home = b.get("/")
        assert 'href="/users/ada"' in home.text and "Welcome, ada!" in home.text
        page = b.get("/logout")  # typed or bookmarked: a button, and still logged in
        assert page.status_code == 200 and "Log ada out of paperfeed" in page.text
        assert 'href="/users/ada"' in b.get("/").text
        assert b.form("/logout", from_page="/logout").status_code == 303
        assert 'href="/users/ada"' not in b.get("/").text and "You are logged out" in b.get("/logout").text
        r = b.login("ada")
        assert r.status_code == 303 and 'href="/users/ada"' in b.get("/").text


def test_a_copy_of_the_cookie_signs_nobody_in_after_log_out(app):
    """The session cookie is signed, not stored: logging out records the session as ended, so a copy of
    the cookie (kept by another browser, stolen) no longer signs in; other sessions of the account stay."""
    with browser(app) as b, browser(app) as laptop:
        b.signup("ada")
        laptop.login("ada")
        copied = dict(b.cookies)
        assert b.form("/logout", from_page="/").status_code == 303
        with browser(app) as thief:
            thief.cookies.update(copied)
            assert 'href="/users/ada"' not in thief.get("/").text
            assert thief.get("/account/password", follow_redirects=False).status_code in (302, 303, 307)
        assert 'href="/users/ada"' in laptop.get("/").text  # the account's other session goes on
        assert b.login("ada").status_code == 303 and 'href="/users/ada"' in b.get("/").text  # a new one


def test_passwords_are_argon2_hashed_at_the_cost_the_settings_say(app, store):
    """A new hash costs password_time_cost passes over password_memory_kib (this site's: the cheapest); by
    default argon2-cffi's 3 passes over 64 MiB."""
    with browser(app) as b:
        b.signup("ada")
    with store.read() as conn:
        stored = store_users.password_hash(conn, store_users.get_user_by_name(conn, "ada").id)
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=4$") and "correct horse" not in stored
    assert hash_password("correct horse battery", Settings()).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_log_in_brings_an_older_hash_to_the_cost_the_settings_say(app, store):
    """The operator changed the cost: Ada's hash, made at the old one, is made again at the new one when she
    logs in (her other sessions go on); she logs in with the same password afterwards."""
    from argon2 import PasswordHasher

    older = PasswordHasher(time_cost=2, memory_cost=2048).hash(PASSWORD)
    with store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash=older)
    laptop = browser(app)
    assert laptop.login("ada").status_code == 303
    with store.read() as conn:
        stored = store_users.password_hash(conn, ada.id)
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=4$") and stored != older  # this site's cost
    assert 'href="/users/ada"' in laptop.get("/").text  # the session that rehashed it goes on
    with browser(app) as phone:
        assert phone.login("ada").status_code == 303 and 'href="/users/ada"' in phone.get("/").text
    with store.read() as conn:
        assert store_users.password_hash(conn, ada.id) == stored  # at the settings' cost: not made again


@pytest.mark.parametrize(
    "data, message",
    [
        ({"username": "a", "password": "longenough1"}, "usernames are 3-40"),
        ({"username": "<script>", "password": "longenough1"}, "usernames are 3-40"),
        ({"username": "bob", "password": "short"}, "8 to 1024"),
        ({"username": "bob", "password": "longenough1", "email": "not-an-email"}, "not a valid email"),
        ({"username": "bob", "password": "longenough1", "email": "x@y.org\r\nBcc: z@z.org"}, "not a valid email"),
    ],
)
def test_signup_rejects_bad_input(app, data, message):
    with browser(app) as b:
        r = b.form("/signup", data, from_page="/signup")
        assert r.status_code == 400 and message in r.text
        assert "&lt;script&gt;" in r.text or "<script>" not in data["username"]


def test_username_taken_case_insensitively(app):
    with browser(app) as b:
        b.signup("ada")
    with browser(app) as b2:
        r = b2.form("/signup", {"username": "ADA", "password": "longenough1"}, from_page="/signup")
        assert r.status_code == 400 and "taken" in r.text


def test_wrong_password_and_rate_limit(app):
    with browser(app) as b:
        b.signup("ada")
    with browser(app) as b:
        for _ in range(3):
            assert b.login("ada", "wrong password").status_code == 401
        r = b.login("ada")  # the right password, but too many failures just happened
        assert r.status_code == 429 and "Too many failed logins" in r.text
    with browser(app) as b:
        assert b.login("nobody", "whatever1").status_code == 401


def test_csrf_is_required(app):
    with browser(app) as b:
        b.signup("ada")
        r = b.post("/papers/2401.00001/vote", data={"value": "1"}, follow_redirects=False)
        assert r.status_code == 403 and "CSRF" in r.text
        r = b.post("/papers/2401.00001/vote", data={"value": "1", "csrf_token": "forged"}, follow_redirects=False)
        assert r.status_code == 403
        r = b.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
        assert r.status_code == 403 and 'href="/users/ada"' in b.get("/").text  # still logged in
    with browser(app) as b:
        r = b.post("/login", data={"username": "ada", "password": "correct horse battery"})
        assert r.status_code == 403


def test_password_change_ends_other_sessions(app):
    with browser(app) as a, browser(app) as other:
        a.signup("ada")
        other.login("ada")
        assert 'href="/users/ada"' in other.get("/").text
        r = a.form(
            "/account/password", {"current": "wrong one!", "new": "new password 1"}, from_page="/account/password"
        )
        assert r.status_code == 400 and "current password is wrong" in r.text
        r = a.form(
            "/account/password",
            {"current": "correct horse battery", "new": "new password 1"},
            from_page="/account/password",
        )
        assert r.status_code == 303
        assert 'href="/users/ada"' in a.get("/").text  # this session stays
        assert 'href="/users/ada"' not in other.get("/").text  # the other one ended
        assert a.form("/logout", from_page="/").status_code == 303
        assert a.login("ada", "new password 1").status_code == 303


def test_pages_that_need_login_redirect(app):
    with browser(app) as b:
        for path in ("/submit", "/account/password"):
            r = b.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        r = b.get("/login?next=https://evil.example/")
        assert 'name="next" value="/"' in r.text  # never redirect off-site


def test_api_tokens_from_profile(app):
    with browser(app) as b:
        b.signup("ada")
        r = b.form("/account/tokens", {"name": "my script"}, from_page="/users/ada", follow_redirects=True)
        token = r.text.split('id="new-token">')[1].split("<")[0]
        assert token.startswith("pf_") and "my script" in r.text
        assert token not in b.get("/users/ada").text  # shown once
    with browser(app) as api:
        r = api.post(
            "/papers/2401.00001/vote",
            data={"value": "1"},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        assert r.status_code == 200 and r.json()["upvotes"] == 4
        r = api.post(
            "/papers/2401.00001/vote",
            data={"value": "1"},
            headers={"Authorization": "Bearer pf_forged", "Accept": "application/json"},
        )
        assert r.status_code == 401


def test_banned_user_is_logged_out_and_cannot_log_in(app, store):
    with browser(app) as b:
        b.signup("troll")
        with store.transaction() as conn:
            store_users.set_banned(conn, store_users.get_user_by_name(conn, "troll").id, True)
        assert 'href="/users/troll"' not in b.get("/").text
        assert b.login("troll").status_code == 403


def test_admin_bans_from_profile(app, store):
    with store.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=password_hash("admin password"), is_admin=True)
    with browser(app) as user, browser(app) as admin:
        user.signup("troll")
        admin.login("root", "admin password")
        r = user.form("/admin/users/troll/ban", {"banned": "true"}, from_page="/")
        assert r.status_code == 403  # not an admin
        r = admin.form("/admin/users/troll/ban", {"banned": "true"}, from_page="/users/troll")
        assert r.status_code == 303
        assert 'href="/users/troll"' not in user.get("/").text


def test_profile_404(app):
    with browser(app) as b:
        assert b.get("/users/nobody").status_code == 404
