"""The "your password was changed" notice (OWASP's Forgot Password and Authentication cheat sheets): after a
reset link or the profile's password form, the account's confirmed address gets a short mail through a real
SMTP server: when and how, where to reset and revoke API tokens, never the password. No confirmed address,
no mail; an SMTP server that is down neither blocks nor fails the change (the outbox sends it later)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from paperfeed.mail.send import deliver
from paperfeed.settings import Settings
from paperfeed.store import users as store_users
from paperfeed.store.models import outbox
from tests.helpers.mail import free_port, mail_settings
from tests.helpers.web import PASSWORD, browser, make_app, password_hash

ADA = "ada@example.org"
NEW = "a brand new secret"
WHEN_RE = re.compile(r"was changed on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC")


@pytest.fixture
def app(store, tmp_path, inbox):
    return make_app(store, tmp_path, **mail_settings(tmp_path, inbox))


def _account(store, email: str | None = ADA, *, confirmed: bool = True):
    with store.transaction() as conn:
        return store_users.create_user(
            conn, username="ada", password_hash=password_hash(), email=email, email_confirmed=confirmed
        )


def _change_on_profile(b, current: str = PASSWORD, new: str = NEW):
    return b.form("/account/password", {"current": current, "new": new}, from_page="/account/password")


def _reset(app, inbox, b) -> None:
    b.form("/account/reset", {"email": ADA}, from_page="/account/reset")
    link = inbox.to(ADA)[-1].link("/account/reset/")
    assert b.form(link, {"new": NEW, "again": NEW}, from_page="/account/reset").status_code == 303


def _password_mails(store) -> list:
    with store.read() as conn:
        return conn.execute(select(outbox).where(outbox.c.kind == "password")).all()


def _check_notice(mail, how: str) -> None:
    assert mail.msg["Subject"] == "Your password at paperfeed was changed" and "List-Unsubscribe" not in mail.msg
    for part in (mail.text, mail.html):
        assert "ada" in part and how in part and NEW not in part and PASSWORD not in part
    when = datetime.strptime(WHEN_RE.search(mail.text).group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=5)
    assert mail.link("/account/reset") == "/account/reset" and mail.link("/users/") == "/users/ada"
    assert 'href="http://testserver/account/reset"' in mail.html and "revoke the API tokens" in mail.text


def test_the_owner_is_told_after_a_reset(app, store, inbox):
    _account(store)
    with browser(app) as b:
        _reset(app, inbox, b)
        assert b.login("ada", NEW).status_code == 303
    mails = inbox.to(ADA)
    assert [m.msg["Subject"] for m in mails] == [
        "Reset your password at paperfeed",
        "Your password at paperfeed was changed",
    ]
    _check_notice(mails[-1], "with a reset link mailed to this address")


def test_the_owner_is_told_after_a_change_on_the_profile(app, store, inbox):
    _account(store)
    with browser(app) as b:
        b.login("ada")
        assert _change_on_profile(b, "not my password").status_code == 400  # nothing changed: no mail
        assert not inbox.to(ADA)
        assert _change_on_profile(b, new="short").status_code == 400
        assert not inbox.to(ADA)
        assert _change_on_profile(b).status_code == 303
    [mail] = inbox.to(ADA)
    _check_notice(mail, "with the password form on the profile")


def test_no_notice_without_a_confirmed_address(app, store, inbox):
    """A typed address that was never confirmed may be anyone's: no mail; once confirmed, the next change is told."""
    user = _account(store, confirmed=False)
    with browser(app) as b:
        b.login("ada")
        assert _change_on_profile(b).status_code == 303
        assert b.form("/logout", from_page="/").status_code == 303
        assert b.login("ada", NEW).status_code == 303
        assert not inbox.messages and not _password_mails(store)
        with store.transaction() as conn:  # the change cancelled the pending address: typed again, confirmed
            store_users.set_pending_email(conn, user.id, ADA)
            store_users.confirm_email(conn, user.id, ADA)
        assert _change_on_profile(b, NEW, "and another one").status_code == 303
    [mail] = inbox.to(ADA)
    assert "with the password form on the profile" in mail.text


def test_the_change_goes_through_with_the_smtp_server_down(store, tmp_path, inbox):
    """Both ways of changing it answer as usual and the new password works; each notice waits in the outbox
    and goes out on a later delivery run once the server is back."""
    _account(store)
    down = make_app(store, tmp_path, **mail_settings(tmp_path, inbox, smtp_port=free_port()))
    with browser(down) as b:
        b.login("ada")
        assert _change_on_profile(b).status_code == 303
        assert b.form("/logout", from_page="/").status_code == 303
        assert b.login("ada", NEW).status_code == 303
        b.form("/account/reset", {"email": ADA}, from_page="/account/reset")
    waiting = [(r.kind, r.status) for r in _password_mails(store)]
    assert waiting == [("password", "pending")] and not inbox.messages
    up = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    later = datetime.now(UTC) + timedelta(hours=1)  # past the failed try's backoff
    report = deliver(store, up, clock=lambda: later)
    assert report.sent == 2 and not report.error  # the reset link and the notice
    [notice] = [m for m in inbox.to(ADA) if "was changed" in m.msg["Subject"]]
    _check_notice(notice, "with the password form on the profile")
    link = next(m for m in inbox.to(ADA) if m.msg["Subject"].startswith("Reset")).link("/account/reset/")
    with browser(down) as b:  # a reset with the server down again
        assert (
            b.form(link, {"new": "third secret", "again": "third secret"}, from_page="/account/reset").status_code
            == 303
        )
        assert b.login("ada", "third secret").status_code == 303
    assert [r.status for r in _password_mails(store)] == ["sent", "pending"]
