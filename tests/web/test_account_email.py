"""An account's address counts only once its owner confirms it by mail (issue 17, point 1): before that
nothing is linked to the account or shown by that address, and signing up reveals nothing about whether
the address is subscribed. Changing it asks for the password, and the confirmed address it would replace is
told: a borrowed session or API token alone cannot point "Forgot your password?" elsewhere. A real SMTP
server carries the links; runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from tests.helpers.mail import mail_settings
from tests.helpers.web import CSRF_RE, PASSWORD, add_papers, browser, make_app, paper, password_hash

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
        ada.form("/account/email", {"email": "ada@new.example.org", "password": PASSWORD}, from_page="/users/ada")
        ada.post(inbox.to("ada@new.example.org")[-1].link("/account/email/confirm/"))
    with store.read() as conn:
        moved = subs.get(conn, sid)
        user = store_users.get_user_by_name(conn, "ada")
        assert (moved.email, moved.status, moved.user_id) == ("ada@new.example.org", "active", user.id)
        assert [a.value for a in moved.alerts] == ["quokka gaits"] and subs.by_email(conn, "ada@example.org") is None

    other = _subscribed(app, inbox, "ada@third.example.org")  # this address has a subscription already
    with browser(app) as ada:
        ada.login("ada")
        ada.form("/account/email", {"email": "ada@third.example.org", "password": PASSWORD}, from_page="/users/ada")
        ada.post(inbox.to("ada@third.example.org")[-1].link("/account/email/confirm/"))
    with store.read() as conn:
        assert subs.get(conn, other).user_id == user.id and subs.for_user(conn, user.id).id == other
        left = subs.get(conn, sid)
        assert (left.email, left.user_id, left.personal) == ("ada@new.example.org", None, False)


def test_bad_and_stale_account_links_are_refused(app, store, inbox):
    with browser(app) as ada:
        ada.signup("ada", email="old@example.org")
        old_link = inbox.to("old@example.org")[-1].link("/account/email/confirm/")
        ada.form("/account/email", {"email": "new@example.org", "password": PASSWORD}, from_page="/users/ada")
        new_link = inbox.to("new@example.org")[-1].link("/account/email/confirm/")
        r = ada.post(old_link)  # the address changed since: the old link confirms nothing
        assert r.status_code == 400 and "waits for another address" in r.text
        for bad in (new_link[:-3] + "xyz", "/account/email/confirm/garbage", old_link.replace("confirm/", "confirm/x")):
            r = ada.post(bad)
            assert r.status_code == 400 and "not valid" in r.text
        r = ada.form(
            "/account/email",
            {"email": "not an address", "password": PASSWORD},
            from_page="/users/ada",
            follow_redirects=True,
        )
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


OWNER, EVIL = "ada@example.org", "mallory@evil.example"


def _owner(app, inbox):
    """ada, signed up with OWNER and confirmed: a browser signed in as her."""
    ada = browser(app)
    ada.signup("ada", email=OWNER)
    ada.post(inbox.to(OWNER)[-1].link("/account/email/confirm/"))
    return ada


def _address(store) -> tuple[str | None, str | None]:
    with store.read() as conn:
        user = store_users.get_user_by_name(conn, "ada")
        return user.email, user.pending_email


def test_a_borrowed_session_cannot_change_the_address_without_the_password(app, store, inbox):
    """The reviewer's takeover: a copied cookie set the thief's address, confirmed it and reset the password.
    Now its first step fails, counts as failed logins, and past the limit is refused with a 429."""
    with _owner(app, inbox) as ada, browser(app) as thief:
        thief.cookies.update(ada.cookies)
        assert "Log out" in thief.get("/users/ada").text
        r = thief.form("/account/email", {"email": EVIL}, from_page="/users/ada")
        assert r.status_code == 400 and "not your password" in r.text and 'value="mallory@evil.example"' in r.text
        assert 'type="password" name="password"' in ada.get("/users/ada").text  # the form asks for it
        for _ in range(app.state.settings.login_max_failures - 1):
            r = thief.form("/account/email", {"email": EVIL, "password": "guess"}, from_page="/users/ada")
            assert r.status_code == 400
        r = thief.form("/account/email", {"email": EVIL, "password": PASSWORD}, from_page="/users/ada")
        assert r.status_code == 429 and "Too many wrong passwords" in r.text  # even the right one, now
        assert thief.login("ada").status_code == 429  # they counted as failed logins
        assert _address(store) == (OWNER, None) and inbox.to(EVIL) == []
        thief.form("/account/reset", {"email": EVIL}, from_page="/account/reset")
    assert inbox.to(EVIL) == []  # no reset link for the thief's address


def test_an_api_token_alone_cannot_change_the_address(app, store, inbox):
    with store.transaction() as conn:
        uid = store_users.create_user(
            conn, username="ada", password_hash=password_hash(), email=OWNER, email_confirmed=True
        ).id
        token = store_users.create_token(conn, uid, "my script")
    bearer = {"Authorization": f"Bearer {token}"}
    with browser(app) as thief:
        for form in ({"email": EVIL}, {"email": EVIL, "password": "guess"}):
            r = thief.post("/account/email", data=form, headers=bearer, follow_redirects=False)
            assert r.status_code == 400 and "not your password" in r.text
        assert _address(store) == (OWNER, None) and inbox.to(EVIL) == [] and inbox.to(OWNER) == []
        # with the password, a script may (it knows everything the owner does)
        r = thief.post(
            "/account/email", data={"email": EVIL, "password": PASSWORD}, headers=bearer, follow_redirects=False
        )
        assert r.status_code == 303 and _address(store) == (OWNER, EVIL)


def test_the_old_address_is_told_when_another_is_asked_for(app, store, inbox):
    """With the password the change works as before (the link goes to the new address); the confirmed
    address it replaces gets a notice naming the new one masked, once per new address an hour."""
    with _owner(app, inbox) as ada:
        before = len(inbox.to(OWNER))
        for _ in range(2):  # the second is "send the link again": no second notice
            r = ada.form("/account/email", {"email": EVIL, "password": PASSWORD}, from_page="/users/ada")
            assert r.status_code == 303
        notices = inbox.to(OWNER)[before:]
        assert [m.msg["Subject"] for m in notices] == ["The address of your account at paperfeed is being changed"]
        notice = notices[0]
        assert "m***@evil.example" in notice.text and "mallory" not in notice.text and '"ada"' in notice.text
        assert "m***@evil.example" in notice.html and "List-Unsubscribe" not in notice.msg
        assert notice.link("/account/reset") == "/account/reset"
        assert _address(store) == (OWNER, EVIL)  # nothing changes until the new address's link is opened
        # the notice's advice: typing one's own address again makes the other address's link invalid
        ada.form("/account/email", {"email": OWNER, "password": PASSWORD}, from_page="/users/ada")
        r = ada.post(inbox.to(EVIL)[-1].link("/account/email/confirm/"))
        assert r.status_code == 400 and "waits for another address" in r.text
        assert len(inbox.to(OWNER)) == before + 1  # no notice for its own address (its link went this hour)
        ada.form("/account/email", {"email": "ada@new.example.org", "password": PASSWORD}, from_page="/users/ada")
        ada.post(inbox.to("ada@new.example.org")[-1].link("/account/email/confirm/"))
        assert _address(store) == ("ada@new.example.org", None)
        assert [m.msg["Subject"] for m in inbox.to(OWNER)[before + 1 :]] == [notices[0].msg["Subject"]]


def test_a_password_change_cancels_a_pending_address_change(app, store, inbox):
    """Someone who knew the password asked for their address; the owner, told by the notice, takes the
    account back with a reset link: the intruder's confirmation link no longer works, so it cannot make
    their address the account's and receive the next reset link."""
    with _owner(app, inbox) as ada, browser(app) as intruder:
        intruder.login("ada")
        intruder.form("/account/email", {"email": EVIL, "password": PASSWORD}, from_page="/users/ada")
        assert _address(store) == (OWNER, EVIL)
        ada.form("/account/reset", {"email": OWNER}, from_page="/account/reset")
        link = inbox.to(OWNER)[-1].link("/account/reset/")
        new = "taken back at last"
        assert ada.form(link, {"new": new, "again": new}, from_page="/account/reset").status_code == 303
        assert _address(store) == (OWNER, None)
        told = ada.get("/login").text  # the reset's message says what else it did
        assert f"address to {EVIL} was cancelled" in told
        r = intruder.post(inbox.to(EVIL)[-1].link("/account/email/confirm/"))
        assert r.status_code == 400 and "a password change cancels" in r.text
        assert _address(store) == (OWNER, None)


def test_the_profiles_password_change_says_it_cancelled_the_address_change(app, store, inbox):
    with _owner(app, inbox) as ada:
        ada.form("/account/email", {"email": "ada@new.example.org", "password": PASSWORD}, from_page="/users/ada")
        change = {"current": PASSWORD, "new": "a new password 2"}
        page = ada.form("/account/password", change, from_page="/account/password", follow_redirects=True).text
        assert "address to ada@new.example.org was cancelled" in page
        assert _address(store) == (OWNER, None)
        change = {"current": "a new password 2", "new": "a new password 3"}
        page = ada.form("/account/password", change, from_page="/account/password", follow_redirects=True).text
        assert "Password changed" in page and "was cancelled" not in page  # nothing was waiting
