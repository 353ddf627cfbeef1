"""An account's address counts only once its owner confirms it by mail (issue 17, point 1): before that
nothing is linked to the account or shown by that address, and signing up reveals nothing about whether
the address is subscribed. A real SMTP server carries the links; runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from tests.helpers.mail import mail_settings
from tests.helpers.web import CSRF_RE, add_papers, browser, make_app, paper

VICTIM = "victim@example.org"


@pytest.fixture
def app(store, tmp_path, inbox):
    add_papers(store, paper(1, upvotes=3))
    return make_app(store, tmp_path, **mail_settings(tmp_path, inbox))


def _subscribed(app, inbox, email: str = VICTIM, alert: str = "secret-merger-topic") -> int:
    """``email`` subscribes from the subscribe form, confirms from the mail and adds a keyword alert."""
    with browser(app) as b:
        b.form("/subscribe", {"email": email}, from_page="/subscribe")
        link = inbox.to(email)[-1].link("/subscribe/confirm/")
        confirmed = b.post(link)
        assert "You are subscribed" in confirmed.text
        manage = confirmed.text.split('href="http://testserver/subscription/')[1].split('"')[0]
        alert_form = {"kind": "keyword", "value": alert}
        b.form(f"/subscription/{manage}/alerts", alert_form, from_page=f"/subscription/{manage}")
    with app.state.store.read() as conn:
        return subs.by_email(conn, email).id


def test_signing_up_with_a_subscribers_address_links_and_shows_nothing(app, store, inbox):
    sid = _subscribed(app, inbox)
    with browser(app) as mallory:
        r = mallory.signup("mallory", email=VICTIM)
        home = mallory.get(r.headers["location"])
        assert f"We sent a confirmation link to {VICTIM}" in home.text
        profile = mallory.get("/users/mallory").text
        assert "waiting for you to open the link" in profile
        assert "/subscription/" not in profile and "secret-merger-topic" not in profile
        assert "active" not in profile.split("Email digest")[1]
        # subscribing the address from the profile does not link it either: it is not the account's
        mallory.form("/subscribe", {"email": VICTIM}, from_page="/users/mallory")
        assert "/subscription/" not in mallory.get("/users/mallory").text
    with store.read() as conn:
        assert subs.get(conn, sid).user_id is None
        assert store_users.get_user_by_name(conn, "mallory").email is None
    # the confirmation went to the address's owner, who can ignore it
    assert any("mallory" in m.text for m in inbox.to(VICTIM))


def test_signup_reveals_nothing_about_subscriptions(app, inbox):
    _subscribed(app, inbox)
    answers = []
    for name, email in (("mallory", VICTIM), ("trudy", "nobody@example.org")):
        with browser(app) as b:
            r = b.signup(name, email=email)
            page = CSRF_RE.sub("", b.get(r.headers["location"]).text.replace(email, "ADDRESS").replace(name, "NAME"))
            answers.append((r.status_code, r.headers["location"], page))
    assert answers[0] == answers[1]


def test_owner_confirms_by_mail_then_sees_their_subscription(app, store, inbox):
    sid = _subscribed(app, inbox, "ada@example.org")
    with browser(app) as ada:
        ada.signup("ada", email="Ada@Example.org")
        assert "/subscription/" not in ada.get("/users/ada").text
        mail = inbox.to("Ada@Example.org")[-1]
        assert "Confirm your address" in mail.msg["Subject"] and "List-Unsubscribe" not in mail.msg
        link = mail.link("/account/email/confirm/")
        page = ada.get(link)  # a mail scanner opening the link changes nothing
        assert page.status_code == 200 and "Yes, this is my address" in page.text
        with store.read() as conn:
            assert store_users.get_user_by_name(conn, "ada").email is None
        done = ada.post(link)
        assert done.status_code == 200 and "Address confirmed" in done.text
        profile = ada.get("/users/ada").text
        assert 'Ada@Example.org · <span class="muted">confirmed' in profile
        assert "/subscription/" in profile and "waiting for you" not in profile
        assert ada.post(link).status_code == 200  # opened twice: still fine
    with store.read() as conn:
        user = store_users.get_user_by_name(conn, "ada")
        assert user.email == "Ada@Example.org" and user.pending_email is None
        assert subs.get(conn, sid).user_id == user.id


def test_changing_the_accounts_address_moves_its_digest(app, store, inbox):
    """The personal digest goes where the account's address now is, with its settings and alerts; an
    address that had a subscription of its own keeps it, and the old one is no longer the account's."""
    sid = _subscribed(app, inbox, "ada@example.org", alert="quokka gaits")
    with browser(app) as ada:
        ada.signup("ada", email="ada@example.org")
        ada.post(inbox.to("ada@example.org")[-1].link("/account/email/confirm/"))
        ada.form("/account/email", {"email": "ada@new.example.org"}, from_page="/users/ada")
        ada.post(inbox.to("ada@new.example.org")[-1].link("/account/email/confirm/"))
    with store.read() as conn:
        moved = subs.get(conn, sid)
        user = store_users.get_user_by_name(conn, "ada")
        assert (moved.email, moved.status, moved.user_id) == ("ada@new.example.org", "active", user.id)
        assert [a.value for a in moved.alerts] == ["quokka gaits"] and subs.by_email(conn, "ada@example.org") is None

    other = _subscribed(app, inbox, "ada@third.example.org")  # this address has a subscription already
    with browser(app) as ada:
        ada.login("ada")
        ada.form("/account/email", {"email": "ada@third.example.org"}, from_page="/users/ada")
        ada.post(inbox.to("ada@third.example.org")[-1].link("/account/email/confirm/"))
    with store.read() as conn:
        assert subs.get(conn, other).user_id == user.id and subs.for_user(conn, user.id).id == other
        left = subs.get(conn, sid)
        assert (left.email, left.user_id, left.personal) == ("ada@new.example.org", None, False)


def test_bad_and_stale_account_links_are_refused(app, store, inbox):
    with browser(app) as ada:
        ada.signup("ada", email="old@example.org")
        old_link = inbox.to("old@example.org")[-1].link("/account/email/confirm/")
        ada.form("/account/email", {"email": "new@example.org"}, from_page="/users/ada")
        new_link = inbox.to("new@example.org")[-1].link("/account/email/confirm/")
        r = ada.post(old_link)  # the address changed since: the old link confirms nothing
        assert r.status_code == 400 and "waits for another address" in r.text
        for bad in (new_link[:-3] + "xyz", "/account/email/confirm/garbage", old_link.replace("confirm/", "confirm/x")):
            r = ada.post(bad)
            assert r.status_code == 400 and "not valid" in r.text
        r = ada.form("/account/email", {"email": "not an address"}, from_page="/users/ada", follow_redirects=True)
        assert "not a valid email address" in r.text
    with store.read() as conn:
        user = store_users.get_user_by_name(conn, "ada")
        assert user.email is None and user.pending_email == "new@example.org"


def test_an_address_confirmed_by_one_account_stays_its_own(app, store, inbox):
    with browser(app) as ada, browser(app) as mallory:
        ada.signup("ada", email="ada@example.org")
        mallory.signup("mallory", email="ada@example.org")
        ada_link, mallory_link = [m.link("/account/email/confirm/") for m in inbox.to("ada@example.org")]
        assert ada.post(ada_link).status_code == 200
        r = mallory.post(mallory_link)
        assert r.status_code == 400 and "already belongs to another account" in r.text
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ada").email == "ada@example.org"
        assert store_users.get_user_by_name(conn, "mallory").email is None
