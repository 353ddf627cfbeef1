"""Accounts that strangers cannot turn against the site or a third party: sign-up checks what is cheap before
it hashes a password and is limited per client address; confirmation mails to one address are capped
whoever asks; a new API token never travels in the session cookie; a password change says that the API
tokens still work. Runs on SQLite and PostgreSQL; a real SMTP server counts the mails."""

from __future__ import annotations

import base64
import json

import pytest

from paperfeed.web import account_email, accounts
from tests.helpers.mail import mail_settings
from tests.helpers.web import PASSWORD, Browser, add_papers, make_app, paper

VICTIM = "victim@example.org"
SIGNUPS_PER_HOUR = 10  # per client address, with address changes (docs/email.md)
MAILS_PER_ADDRESS = 3  # confirmation mails an address gets an hour, whoever asks


@pytest.fixture
def app(store, tmp_path, inbox):
    add_papers(store, paper(1))
    return make_app(store, tmp_path, **mail_settings(tmp_path, inbox))


def _client(app, addr: str) -> Browser:
    return Browser(app, base_url="http://testserver", client=(addr, 50000))


def _fast_hashes(monkeypatch) -> list[str]:
    """Replace argon2 in the sign-up view by a counter (the passwords it was asked to hash), and in the
    address form's password check."""
    hashed: list[str] = []

    def fake(password: str, settings: object = None) -> str:
        hashed.append(password)
        return "$fake$" + password

    monkeypatch.setattr(accounts, "hash_password", fake)
    monkeypatch.setattr(account_email, "verify_password", lambda stored, password: stored == "$fake$" + password)
    return hashed


def test_the_limits_are_the_documented_ones():
    from paperfeed.mail import notices

    assert (accounts.ACCOUNT_REQUESTS_PER_HOUR, notices.ACCOUNT_MAILS_PER_ADDRESS) == (
        SIGNUPS_PER_HOUR,
        MAILS_PER_ADDRESS,
    )


def test_refused_signups_never_hash_a_password(app, monkeypatch):
    """A flood of bad sign-ups costs no argon2 time: the name, the address and "taken" come first."""
    hashed = _fast_hashes(monkeypatch)
    with _client(app, "203.0.113.5") as b:
        b.signup("ada")
        assert len(hashed) == 1
        for data, message in (
            ({"username": "<bad name>"}, "usernames are 3-40"),
            ({"username": "ADA"}, "is taken"),
            ({"username": "bob", "email": "not-an-email"}, "not a valid email"),
        ):
            r = b.form("/signup", {"password": "longenough1", **data}, from_page="/signup")
            assert r.status_code == 400 and message in r.text
        assert len(hashed) == 1


def test_signups_from_one_address_are_limited_with_retry_after(app, monkeypatch):
    _fast_hashes(monkeypatch)
    per_hour = SIGNUPS_PER_HOUR
    with _client(app, "203.0.113.5") as bot, _client(app, "198.51.100.7") as reader:
        for i in range(per_hour):
            bot.signup(f"bot{i}")
        r = bot.form("/signup", {"username": "onemore", "password": "longenough1"}, from_page="/signup")
        assert r.status_code == 429 and "Too many sign-ups from your network" in r.text
        assert 1 <= int(r.headers["retry-after"]) <= 3600
        assert 'value="onemore"' in r.text  # the form keeps what was typed
        # the address form shares the limit: no mail either
        r = bot.form(
            "/account/email",
            {"email": VICTIM, "password": PASSWORD},
            from_page=f"/users/bot{per_hour - 1}",
            follow_redirects=True,
        )
        assert "Too many sign-ups and address changes" in r.text
        assert reader.signup("reader").status_code == 303  # other clients go on


def test_confirmation_mails_to_one_address_are_capped_whoever_asks(app, inbox, monkeypatch):
    """Eight sign-ups from eight addresses with a stranger's address: the stranger gets a few mails, and the
    other sign-ups are told why their address was refused."""
    _fast_hashes(monkeypatch)
    cap = MAILS_PER_ADDRESS
    answers = []
    for i in range(8):
        with _client(app, f"203.0.113.{i + 1}") as b:
            data = {"username": f"mallory{i}", "password": "longenough1", "email": VICTIM}
            answers.append(b.form("/signup", data, from_page="/signup"))
    assert [r.status_code for r in answers] == [303] * cap + [400] * (8 - cap)
    assert "too many confirmation links in the last hour" in answers[-1].text
    with _client(app, "198.51.100.7") as b:  # an existing account changing its address: refused too
        b.signup("trudy")
        r = b.form(
            "/account/email",
            {"email": VICTIM.upper(), "password": PASSWORD},
            from_page="/users/trudy",
            follow_redirects=True,
        )
        assert "too many confirmation links in the last hour" in r.text
    assert len(inbox.to(VICTIM)) == cap


def _session(client) -> dict:
    """The session as the cookie carries it: signed, not encrypted (anyone holding it can read it)."""
    raw = client.cookies["paperfeed_session"].split(".")[0]
    return json.loads(base64.b64decode(raw + "=" * (-len(raw) % 4)))


def test_a_new_api_token_is_shown_once_and_never_put_in_the_cookie(app):
    with _client(app, "203.0.113.5") as b:
        b.signup("ada")
        r = b.form("/account/tokens", {"name": "my script"}, from_page="/users/ada")
        assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store"
        token = r.text.split('id="new-token">')[1].split("<")[0]
        assert token.startswith("pf_") and "my script" in r.text
        assert token not in json.dumps(_session(b))
        assert token not in b.get("/users/ada").text  # shown once
        r = b.get("/api/collections", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200


def test_password_change_says_that_api_tokens_still_work(app):
    with _client(app, "203.0.113.5") as b:
        b.signup("ada")
        page = b.form("/account/tokens", {"name": "laptop"}, from_page="/users/ada")
        token = page.text.split('id="new-token">')[1].split("<")[0]
        data = {"current": "correct horse battery", "new": "new password 1"}
        r = b.form("/account/password", data, from_page="/account/password", follow_redirects=True)
        assert "Other sessions were logged out" in r.text and "Your API tokens still work" in r.text
        assert "laptop" in r.text  # the list to revoke from is on the page the message is on
    with _client(app, "198.51.100.7") as script:
        assert script.get("/api/collections", headers={"Authorization": f"Bearer {token}"}).status_code == 200
