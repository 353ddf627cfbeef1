"""Forgot your password? (issue 13): a reset link mailed to an account's confirmed address, through a real
SMTP server. The form answers the same whatever the address; the link works once, for a short time; using
it ends every session. Flows run on SQLite and PostgreSQL; input checks on SQLite only."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import pytest
from itsdangerous import TimestampSigner

from paperfeed.mail import resets
from paperfeed.mail.tokens import TokenError
from paperfeed.store import users as store_users
from tests.helpers.mail import mail_settings
from tests.helpers.web import CSRF_RE, PASSWORD, browser, make_app, password_hash

ADA = "ada@example.org"
NEW = "a brand new secret"


@pytest.fixture
def app(store, tmp_path, inbox):
    return make_app(store, tmp_path, **mail_settings(tmp_path, inbox))


@pytest.fixture
def lite_app(lite_store, tmp_path, inbox):
    return make_app(lite_store, tmp_path, **mail_settings(tmp_path, inbox))


def _account(store, name: str = "ada", email: str | None = ADA, *, confirmed: bool = True):
    with store.transaction() as conn:
        return store_users.create_user(
            conn, username=name, password_hash=password_hash(), email=email, email_confirmed=confirmed
        )


def _ask(b, email: str):
    return b.form("/account/reset", {"email": email}, from_page="/account/reset")


def _reset_link(app, inbox, email: str = ADA) -> str:
    with browser(app) as b:
        assert _ask(b, email).status_code == 200
    return inbox.to(email)[-1].link("/account/reset/")


def _set(b, link: str, new: str = NEW, again: str | None = None):
    return b.form(link, {"new": new, "again": new if again is None else again}, from_page="/account/reset")


def _state(store, name: str = "ada") -> tuple[str, int]:
    with store.read() as conn:
        user = store_users.get_user_by_name(conn, name)
        return store_users.password_hash(conn, user.id), user.session_epoch


def test_reset_by_mail_sets_the_password_once_and_ends_every_session(app, store, inbox):
    with browser(app) as old_session:
        old_session.signup("ada", email=ADA)
        old_session.post(inbox.to(ADA)[-1].link("/account/email/confirm/"))  # the address is confirmed
        assert "Log out" in old_session.get("/users/ada").text
        with browser(app) as b:
            login = b.get("/login").text
            assert 'href="/account/reset"' in login and "Forgot your password?" in login
            r = _ask(b, ADA)
            assert r.status_code == 200 and "we sent it a link" in r.text
            mail = inbox.to(ADA)[-1]
            assert mail.msg["Subject"] == "Reset your password at paperfeed" and "List-Unsubscribe" not in mail.msg
            assert "ada" in mail.text and "60 minutes" in mail.text and "Choose a new password" in mail.html
            link = mail.link("/account/reset/")
            before = _state(store)
            page = b.get(link)  # a mail scanner opening the link changes nothing
            assert page.status_code == 200 and "Choose a new password" in page.text and "ada" in page.text
            assert page.headers["referrer-policy"] == "no-referrer" and "no-store" in page.headers["cache-control"]
            assert _state(store) == before
            done = _set(b, link)
            assert done.status_code == 303 and done.headers["location"] == "/login"
            assert "Your password was changed" in b.get("/login").text
            assert _state(store)[1] == before[1] + 1
            again = _set(b, link, "yet another secret")
            assert again.status_code == 400 and "expired or was already used" in again.text
            assert b.get(link).status_code == 400
            assert b.login("ada").status_code == 401  # the old password
            assert b.login("ada", NEW).status_code == 303
        assert "Log out" not in old_session.get("/users/ada").text  # the session from before ended


def test_the_answer_is_the_same_and_only_a_confirmed_address_gets_mail(app, store, inbox):
    _account(store)
    _account(store, "bob", "bob@example.org", confirmed=False)  # typed, never confirmed
    banned = _account(store, "troll", "troll@example.org")
    with store.transaction() as conn:
        store_users.set_banned(conn, banned.id, True)
    answers = []
    for email in (ADA, "nobody@example.org", "bob@example.org", "troll@example.org", "ADA@Example.ORG"):
        with browser(app) as b:
            r = _ask(b, email)
            answers.append((r.status_code, CSRF_RE.sub("", r.text.replace(email, "ADDRESS"))))
    assert all(a == answers[0] for a in answers) and answers[0][0] == 200
    assert len(inbox.to(ADA)) == 2  # any case of a confirmed address reaches it
    assert not inbox.to("nobody@example.org") and not inbox.to("bob@example.org") and not inbox.to("troll@example.org")


def test_links_that_no_longer_work_get_a_clear_page(app, store, inbox, monkeypatch, tmp_path):
    user = _account(store)
    with monkeypatch.context() as m:  # a link mailed 61 minutes ago
        m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 61 * 60)
        expired = _reset_link(app, inbox)
    changed = _reset_link(app, inbox)
    with browser(app) as b:
        r = b.get(expired)
        assert r.status_code == 400 and "expired or was already used" in r.text and 'href="/account/reset"' in r.text
        assert b.get(changed).status_code == 200
        b.login("ada")
        b.form("/account/password", {"current": PASSWORD, "new": "changed it myself"}, from_page="/account/password")
    banned = _reset_link(app, inbox)
    with browser(app) as b:
        r = b.get(changed)
        assert r.status_code == 400 and "expired or was already used" in r.text
        assert _set(b, changed).status_code == 400 and _set(b, expired).status_code == 400
        assert b.login("ada", "changed it myself").status_code == 303
    with store.transaction() as conn:
        store_users.set_banned(conn, user.id, True)
    with browser(app) as b:
        assert b.get(banned).status_code == 400


def test_damaged_and_foreign_links_are_refused(lite_app, lite_store, inbox, tmp_path):
    _account(lite_store)
    link = _reset_link(lite_app, inbox)
    token = link.rsplit("/", 1)[1]
    other_site = make_app(lite_store, tmp_path / "other", **mail_settings(tmp_path, inbox, secret_key="another site"))
    foreign = _reset_link(other_site, inbox)
    with browser(lite_app) as b:
        # a changed character inside the signature (the last one of base64 carries padding bits: "x" for it
        # may decode to the same bytes)
        other = "A" if token[-5] != "A" else "B"
        damaged = f"/account/reset/{token[:-5]}{other}{token[-4:]}"
        for bad in (link[:-3], damaged, foreign, "/account/reset/nonsense"):
            r = b.get(bad)
            assert r.status_code == 400 and "not valid" in r.text, bad
        assert b.get(link).status_code == 200  # the real one still works


def test_a_link_does_not_let_its_reader_test_guessed_addresses(lite_app, lite_store, inbox, tmp_path):
    """A link's payload is only signed: the address it names is a digest keyed by the site's key, so whoever
    sees a link (a ticket, a proxy log) cannot check a guessed address against it offline."""
    _account(lite_store)
    other_site = make_app(lite_store, tmp_path / "other", **mail_settings(tmp_path, inbox, secret_key="another site"))
    payloads = []
    for app in (lite_app, other_site):
        token = _reset_link(app, inbox).rsplit("/", 1)[1]
        payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        assert payload[:2] == [1, 0] and ADA not in token
        payloads.append(payload[2])
    assert payloads[0] != payloads[1]  # the same account and address, another key: another digest
    assert hashlib.sha256(ADA.encode()).hexdigest()[:16] not in payloads


def test_the_new_password_is_typed_twice_under_the_sign_up_rules(lite_app, lite_store, inbox):
    _account(lite_store)
    link = _reset_link(lite_app, inbox)
    before = _state(lite_store)
    with browser(lite_app) as b:
        r = _set(b, link, NEW, "a brand new secreT")
        assert r.status_code == 400 and "The two passwords differ" in r.text
        r = _set(b, link, "short")
        assert r.status_code == 400 and "8 to 1024 characters" in r.text
        assert _state(lite_store) == before
        assert _set(b, link).status_code == 303  # the link still works after those


def test_forms_need_their_csrf_token(lite_app, lite_store, inbox):
    _account(lite_store)
    link = _reset_link(lite_app, inbox)
    before = _state(lite_store)
    with browser(lite_app) as b:
        assert b.post("/account/reset", data={"email": ADA}).status_code == 403
        assert b.post(link, data={"new": NEW, "again": NEW}).status_code == 403
    assert len(inbox.to(ADA)) == 1 and _state(lite_store) == before


def test_bad_addresses_are_refused_with_the_form(lite_app):
    with browser(lite_app) as b:
        r = _ask(b, "not an address")
        assert r.status_code == 400 and "not a valid email address" in r.text


def test_requests_are_limited_per_client_and_mails_per_address(app, store, inbox):
    _account(store)
    with browser(app) as b:
        answers = [_ask(b, ADA if i < 5 else f"x{i}@example.org") for i in range(11)]
    assert [r.status_code for r in answers] == [200] * 10 + [429]
    assert "Too many reset requests" in answers[-1].text and int(answers[-1].headers["retry-after"]) > 0
    assert len(inbox.to(ADA)) == 3  # five asked for it: at most three an hour, the others silently


def test_a_reset_lets_a_locked_out_owner_back_in(app, store, inbox):
    _account(store)
    with browser(app) as b:
        for _ in range(5):
            b.login("ada", "not my password")
        assert b.login("ada", NEW).status_code == 429
        link = _reset_link(app, inbox)
        assert _set(b, link).status_code == 303
        assert b.login("ada", NEW).status_code == 303


def test_a_deleted_account_gets_no_mail(app, store, inbox):
    _account(store)
    link = _reset_link(app, inbox)
    with browser(app) as b:
        b.login("ada")
        assert b.form("/account/delete", {"password": PASSWORD}, from_page="/account/delete").status_code == 303
        assert b.get(link).status_code == 400
        _ask(b, ADA)
    assert len(inbox.to(ADA)) == 1


def test_one_link_used_twice_at_the_same_moment_sets_one_password(app, store, inbox, monkeypatch):
    """Both requests read the link as good before either stored its password: only the first one counts."""
    user = _account(store)
    token = _reset_link(app, inbox).rsplit("/", 1)[1]
    monkeypatch.setattr(resets, "check_link", lambda *a: user)  # what both read, before either wrote
    settings = app.state.settings
    resets.reset_password(store, settings, token, NEW)
    with pytest.raises(TokenError, match="already used"):
        resets.reset_password(store, settings, token, "the other request's")
    with browser(app) as b:
        assert b.login("ada", NEW).status_code == 303
