"""Bad input is refused where it enters: addresses, header injection, alert values, forged/expired/revoked
links; the subscribe form reveals nothing; GET never changes state; the footer form of a shared page works."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from paperfeed.mail import tokens
from paperfeed.settings import Settings
from paperfeed.store import subscriptions as subs
from paperfeed.store.subscriptions import SubscriptionError
from tests.helpers.mail import mail_settings
from tests.helpers.web import CSRF_RE, add_papers, browser, make_app, paper


@pytest.fixture
def app(store, tmp_path, inbox):
    add_papers(store, paper(1, upvotes=3))
    return make_app(store, tmp_path, **mail_settings(tmp_path, inbox))


@pytest.fixture
def lite_app(lite_store, tmp_path, inbox):
    add_papers(lite_store, paper(1, upvotes=3))
    return make_app(lite_store, tmp_path, **mail_settings(tmp_path, inbox))


def _subscribe(app, email: str):
    b = browser(app)
    return b.form("/subscribe", {"email": email}, from_page="/subscribe")


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "two@@example.org",
        "a@b",
        "a b@example.org",
        "reader@example.org\r\nBcc: victim@example.org",
        "reader@example.org\nSubject: hi",
        "<script>@example.org",
        "x" * 300 + "@example.org",
        "",
    ],
)
def test_invalid_addresses_are_refused_at_subscribe(lite_app, lite_store, inbox, email):
    app, store = lite_app, lite_store
    r = _subscribe(app, email)
    assert r.status_code == 400
    assert "not a valid email address" in r.text or "one line" in r.text or "type an email" in r.text
    assert "<script>@" not in r.text
    with store.read() as conn:
        assert subs.status_counts(conn)["pending"] == 0
    assert inbox.count() == 0


def test_check_address_cleans_and_punycodes():
    assert subs.check_address("  reader@Example.org ") == "reader@Example.org"
    assert subs.check_address("leser@bücher.de") == "leser@xn--bcher-kva.de"
    with pytest.raises(SubscriptionError, match="one line"):
        subs.check_address("a@b.org\r\n")


def test_the_form_reveals_nothing_and_never_floods(app, store, inbox):
    """New, pending, active and bouncing addresses all get the same page; at most one mail per hour each."""
    pages = [_subscribe(app, "new@example.org").text for _ in range(3)]
    with store.transaction() as conn:
        active = subs.subscribe(conn, "active@example.org")
        subs.confirm(conn, active.id, active.token_version)
        bouncing = subs.subscribe(conn, "bouncing@example.org")
        subs.confirm(conn, bouncing.id, bouncing.token_version)
        for _ in range(3):
            subs.note_bounce(conn, bouncing.id, max_bounces=3)
    pages += [_subscribe(app, "active@example.org").text, _subscribe(app, "bouncing@example.org").text]

    def body(page: str) -> str:
        return (
            re.split(r"<main[^>]*>", page)[1]  # the tag may carry attributes (id="main" for the skip link)
            .split("</main>")[0]
            .replace("new@", "X@")
            .replace("active@", "X@")
            .replace("bouncing@", "X@")
        )

    assert len({body(p) for p in pages}) == 1 and "Check your inbox" in pages[0]
    assert len(inbox.to("new@example.org")) == 1  # three requests, one confirmation
    assert len(inbox.to("active@example.org")) == 1 and "already subscribed" in inbox.to("active@example.org")[0].text
    # a bouncing address subscribed again gets a confirmation: its owner may have mended the mailbox
    assert [m.msg["Subject"] for m in inbox.to("bouncing@example.org")] == ["Confirm your paperfeed subscription"]


def test_a_bouncing_address_can_unsubscribe_and_come_back(app, store, inbox):
    """An address whose mail bounced is not stuck: its unsubscribe link works, and subscribing again and
    confirming makes it active with its bounce count reset; until then one more bounce stops it again."""
    sub = _active(store, "flaky@example.org")
    with store.transaction() as conn:
        for _ in range(3):
            subs.note_bounce(conn, sub.id, max_bounces=3)
        assert subs.get(conn, sub.id).status == "bouncing"
    settings = app.state.settings
    client = TestClient(app)
    manage = f"/subscription/{tokens.make(settings, 'manage', sub.id, sub.token_version)}"
    page = client.get(manage).text
    assert "was refused by its mail server" in page and "Subscribe again" in page
    r = client.post(f"/unsubscribe/{tokens.make(settings, 'unsubscribe', sub.id, sub.token_version)}")
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    with store.read() as conn:
        assert subs.get(conn, sub.id).status == "unsubscribed"
    with store.transaction() as conn:
        subs.note_bounce(conn, sub.id, max_bounces=3)  # a late bounce report changes nothing
        assert subs.get(conn, sub.id).status == "unsubscribed"

    r = browser(app).form(f"{manage}/resubscribe", from_page=manage)
    assert r.status_code == 200 and "Check your inbox" in r.text
    confirm = inbox.to("flaky@example.org")[-1]
    assert confirm.msg["Subject"] == "Confirm your paperfeed subscription"
    assert client.post(confirm.link("/subscribe/confirm/")).status_code == 200
    with store.read() as conn:
        back = subs.get(conn, sub.id)
    assert (back.status, back.bounce_count) == ("active", 0)


def test_subscribe_needs_the_csrf_token(lite_app):
    app = lite_app
    r = TestClient(app).post("/subscribe", data={"email": "reader@example.org"})
    assert r.status_code == 403


def test_footer_form_of_a_shared_page_leads_to_the_subscribe_form(app, store, inbox):
    """An anonymous page sets no cookie (shared caches keep it), so its footer form carries no CSRF token:
    sent without a browser's origin headers, the address comes back in the subscribe form, which has one
    (and the cookie), and subscribes."""
    reader = browser(app)
    page = reader.get("/")
    assert 'action="/subscribe/start"' in page.text and "set-cookie" not in page.headers
    form = reader.post("/subscribe/start", data={"email": "reader@example.org"})
    assert form.status_code == 200 and 'value="reader@example.org"' in form.text
    assert "paperfeed_csrf=" in form.headers["set-cookie"] and form.headers["cache-control"] == "private"
    with store.read() as conn:
        assert subs.by_email(conn, "reader@example.org") is None  # nothing happens before the button
    token = CSRF_RE.search(form.text).group(1)
    r = reader.post("/subscribe", data={"csrf_token": token, "email": "reader@example.org"})
    assert r.status_code == 200 and "Check your inbox" in r.text
    assert inbox.to("reader@example.org")[0].msg["Subject"] == "Confirm your paperfeed subscription"
    # the subscribe page itself carries a token: private, whether it sets the cookie or the reader has one
    assert reader.get("/subscribe").headers["cache-control"] == "private"


@pytest.mark.parametrize(
    ("base_url", "headers", "at_once"),
    [
        ("http://testserver", {"origin": "http://testserver"}, True),  # the page's own site
        ("http://testserver", {"sec-fetch-site": "same-origin"}, True),
        ("https://papers.example.org", {"host": "papers.example.org", "origin": "https://papers.example.org"}, True),
        ("http://testserver", {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}, False),
        ("http://testserver", {"origin": "null"}, False),
        ("http://testserver", {}, False),  # no browser said where it came from
        # a page on another name resolving to this server (DNS rebinding) is "same-origin" to itself
        (
            "http://testserver",
            {"host": "evil.example", "origin": "http://evil.example", "sec-fetch-site": "same-origin"},
            False,
        ),
        ("https://papers.example.org", {"origin": "http://testserver"}, False),  # not the public name
    ],
)
def test_footer_form_subscribes_at_once_from_the_sites_own_pages(
    lite_app, lite_store, inbox, base_url, headers, at_once
):
    """A browser says where a form was sent from (Origin, Sec-Fetch-Site) and pages cannot forge it: from
    the site's own pages the footer subscribes in one click; from another site it only fills the form in."""
    lite_app.state.settings.base_url = base_url
    r = TestClient(lite_app).post("/subscribe/start", data={"email": "reader@example.org"}, headers=headers)
    assert r.status_code == 200
    with lite_store.read() as conn:
        sub = subs.by_email(conn, "reader@example.org")
    if at_once:
        assert "Check your inbox" in r.text and sub is not None and sub.status == "pending"
    else:
        assert sub is None and 'value="reader@example.org"' in r.text and "Check your inbox" not in r.text


def _active(store, email: str = "reader@example.org"):
    with store.transaction() as conn:
        sub = subs.subscribe(conn, email)
        subs.confirm(conn, sub.id, sub.token_version)
        return subs.get(conn, sub.id)


def test_alerts_are_written_one_way(lite_store):
    """Categories as arXiv writes them; an alert that differs from one already there only in case or
    spaces is the same alert (it would send the same papers twice)."""
    sub = _active(lite_store)
    with lite_store.transaction() as conn:
        got = [subs.add_alert(conn, sub.id, kind="category", value=v, frequency="daily").value
               for v in ("CS.lg", "astro-ph.co", "Physics.Optics", "math")]  # fmt: skip
        subs.add_alert(conn, sub.id, kind="keyword", value="protein folding", frequency="daily")
        with pytest.raises(SubscriptionError, match="already have the keyword alert “protein folding”"):
            subs.add_alert(conn, sub.id, kind="keyword", value="  Protein   Folding ", frequency="weekly")
        with pytest.raises(SubscriptionError, match="already have the category alert “cs.LG”"):
            subs.add_alert(conn, sub.id, kind="category", value="cs.LG", frequency="daily")
    assert got == ["cs.LG", "astro-ph.CO", "physics.optics", "math"]


@pytest.mark.parametrize(
    "kind, value, message",
    [
        ("keyword", "diffusion\r\nBcc: x@example.org", "one line"),
        ("keyword", "", "type the words"),
        ("keyword", "x" * 201, "at most 200"),
        ("category", "not a category", "not an arXiv category"),
        ("weird", "x", "an alert is one of"),
    ],
)
def test_bad_alerts_are_refused(lite_app, lite_store, kind, value, message):
    app, store = lite_app, lite_store
    sub = _active(store)
    path = f"/subscription/{tokens.make(app.state.settings, 'manage', sub.id, sub.token_version)}"
    b = browser(app)
    r = b.form(f"{path}/alerts", {"kind": kind, "value": value}, from_page=path)
    assert r.status_code == 400 and message in r.text
    with store.read() as conn:
        assert subs.get(conn, sub.id).alerts == []


def test_header_injection_in_the_sender_setting_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="one line"):
        Settings(data_dir=tmp_path, mail_from="paperfeed <a@example.org>\r\nBcc: victim@example.org")
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, mail_from="no address here")


@pytest.mark.parametrize("purpose, path", [("confirm", "/subscribe/confirm/"), ("manage", "/subscription/"),
                                           ("unsubscribe", "/unsubscribe/")])  # fmt: skip
def test_forged_tokens_get_a_clear_400(lite_app, lite_store, purpose, path):
    app, store = lite_app, lite_store
    sub = _active(store)
    good = tokens.make(app.state.settings, purpose, sub.id, sub.token_version)
    other_key = Settings(data_dir=app.state.settings.data_dir, secret_key="not the site's key")
    forged = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # damaged signature
        tokens.make(other_key, purpose, sub.id, sub.token_version),  # signed with another key
        tokens.make(app.state.settings, "manage" if purpose != "manage" else "confirm", sub.id, sub.token_version),
        "garbage",
    ]
    client = TestClient(app)
    for token in forged:
        for method in ("get", "post"):
            r = getattr(client, method)(path + token)
            assert r.status_code in (400, 403), (token, method, r.status_code)
            if r.status_code == 400:
                assert "not valid" in r.text
    with store.read() as conn:
        assert subs.get(conn, sub.id).status == "active"


def test_expired_confirmation_link(lite_app, lite_store, monkeypatch):
    app, store = lite_app, lite_store
    with store.transaction() as conn:
        sub = subs.subscribe(conn, "late@example.org")
    token = tokens.make(app.state.settings, "confirm", sub.id, sub.token_version)
    hours = app.state.settings.confirm_link_hours
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + hours * 3600 + 5)
    r = TestClient(app).post(f"/subscribe/confirm/{token}")
    assert r.status_code == 400 and "expired" in r.text
    with store.read() as conn:
        assert subs.get(conn, sub.id).status == "pending"


def test_links_of_an_earlier_subscription_are_revoked_but_still_unsubscribe(app, store):
    """Re-confirming starts a new period (so does revoke_links): settings links mailed before it stop
    working, while an old digest's unsubscribe link (a mail client's one-click too) still unsubscribes,
    without leading on to the settings."""
    sub = _active(store)
    settings = app.state.settings
    old_manage = tokens.make(settings, "manage", sub.id, sub.token_version)
    old_unsub = tokens.make(settings, "unsubscribe", sub.id, sub.token_version)
    client = TestClient(app)
    assert client.get(f"/unsubscribe/{old_unsub}").status_code == 200
    with store.transaction() as conn:
        subs.revoke_links(conn, sub.id)
    r = client.get(f"/subscription/{old_manage}")
    assert r.status_code == 400 and "replaced by a newer one" in r.text
    r = client.post(f"/unsubscribe/{old_unsub}", content=b"List-Unsubscribe=One-Click",
                    headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    assert "/subscription/" not in r.text and 'href="/subscribe"' in r.text
    with store.read() as conn:
        assert subs.get(conn, sub.id).status == "unsubscribed"


def test_unsubscribe_get_changes_nothing_post_is_idempotent(app, store):
    sub = _active(store)
    token = tokens.make(app.state.settings, "unsubscribe", sub.id, sub.token_version)
    client = TestClient(app)
    for _ in range(3):
        assert client.get(f"/unsubscribe/{token}").status_code == 200
    with store.read() as conn:
        assert subs.get(conn, sub.id).status == "active"
    for _ in range(2):
        r = client.post(f"/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                        headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert r.status_code == 200 and "You are unsubscribed" in r.text
    with store.read() as conn:
        assert subs.get(conn, sub.id).status == "unsubscribed"


def test_settings_page_saves_and_resubscribes_by_mail(app, store, inbox):
    sub = _active(store)
    path = f"/subscription/{tokens.make(app.state.settings, 'manage', sub.id, sub.token_version)}"
    b = browser(app)
    r = b.form(path, {"frequency": "weekly", "send_empty": "true"}, from_page=path)
    assert r.status_code == 303
    with store.read() as conn:
        got = subs.get(conn, sub.id)
    assert (got.frequency, got.trending, got.personal, got.send_empty) == ("weekly", False, False, True)
    r = b.form(path, {"frequency": "hourly"}, from_page=path)
    assert r.status_code == 400 and "daily or weekly" in r.text
    with store.transaction() as conn:
        subs.unsubscribe(conn, sub.id)
    assert "Subscribe again" in b.get(path).text
    r = b.form(f"{path}/resubscribe", from_page=path)
    assert r.status_code == 200 and "Check your inbox" in r.text
    assert "Confirm" in inbox.to("reader@example.org")[-1].msg["Subject"]
    with store.read() as conn:
        assert subs.get(conn, sub.id).status == "pending"


def test_profile_page_offers_the_digest_and_links_the_account(app, store, inbox):
    b = browser(app)
    b.signup("ada", email="ada@example.org")
    b.post(inbox.to("ada@example.org")[-1].link("/account/email/confirm/"))  # the address is ada's once confirmed
    page = b.get("/users/ada").text
    assert "Get the digest by email" in page and 'value="ada@example.org"' in page
    mails = len(inbox.to("ada@example.org"))
    r = b.form("/subscribe", {"email": "ada@example.org"}, from_page="/users/ada")
    # the account's own address, confirmed by mail already: subscribed at once, no second confirmation
    assert r.status_code == 200 and "You are subscribed" in r.text and "check your inbox" not in r.text.lower()
    assert len(inbox.to("ada@example.org")) == mails
    with store.read() as conn:
        sub = subs.by_email(conn, "ada@example.org")
    assert sub.user_id is not None and sub.personal and sub.status == "active"
    assert "email settings" in b.get("/users/ada").text
    r = b.form("/subscribe", {"email": "ada@example.org"}, from_page="/users/ada")  # again: the usual note
    assert r.status_code == 200 and "You are subscribed" not in r.text
    with store.transaction() as conn:  # the mailbox refused three digests since: proven no more
        for _ in range(3):
            subs.note_bounce(conn, sub.id, max_bounces=3)
    r = b.form("/subscribe", {"email": "ada@example.org"}, from_page="/users/ada")
    assert "You are subscribed" not in r.text and inbox.to("ada@example.org")[-1].link("/subscribe/confirm/")
    with store.read() as conn:
        assert subs.by_email(conn, "ada@example.org").status == "pending"
    # someone else's address typed while logged in is not linked to the account, and the page says so
    r = b.form("/subscribe", {"email": "other@example.org"}, from_page="/users/ada")
    assert "not your account's confirmed address" in r.text and "“For you” picks" in r.text
    with store.read() as conn:
        other = subs.by_email(conn, "other@example.org")
    assert other.user_id is None
    # ticking "For you" for it saves, and says why nothing personal comes yet
    with store.transaction() as conn:
        subs.confirm(conn, other.id, other.token_version)
        other = subs.get(conn, other.id)
    path = f"/subscription/{tokens.make(app.state.settings, 'manage', other.id, other.token_version)}"
    r = b.form(path, {"frequency": "daily", "personal": "true"}, from_page=path, follow_redirects=True)
    assert "“For you” starts once this address is an account&#39;s confirmed address" in r.text


def test_a_profile_without_a_confirmed_address_says_what_the_digest_lacks(app, store, inbox):
    b = browser(app)
    b.signup("bob")
    assert "“For you” picks need this account's confirmed address" in b.get("/users/bob").text


def test_the_public_form_is_rate_limited_per_client(lite_app, inbox, monkeypatch):
    from paperfeed.web import subscriptions

    monkeypatch.setattr(subscriptions, "SUBSCRIBES_PER_HOUR", 3)
    b = browser(lite_app)
    codes = [b.form("/subscribe", {"email": f"r{i}@example.org"}, from_page="/subscribe").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert inbox.count() == 3


def test_an_old_confirmation_link_opens_nothing_after_a_new_period(lite_app, lite_store):
    app, store = lite_app, lite_store
    with store.transaction() as conn:
        sub = subs.subscribe(conn, "reader@example.org")
    first = tokens.make(app.state.settings, "confirm", sub.id, sub.token_version)
    client = TestClient(app)
    assert client.post(f"/subscribe/confirm/{first}").status_code == 200
    again = client.get(f"/subscribe/confirm/{first}")  # the same link, opened twice: fine
    assert again.status_code == 200 and "Already confirmed" in again.text
    with store.transaction() as conn:  # unsubscribe, subscribe and confirm again: a new period
        subs.unsubscribe(conn, sub.id)
        cur = subs.subscribe(conn, "reader@example.org")
        subs.confirm(conn, cur.id, cur.token_version)
    for method in ("get", "post"):
        r = getattr(client, method)(f"/subscribe/confirm/{first}")
        assert r.status_code == 400 and "not valid any more" in r.text


def test_messages_quote_what_was_typed_as_typed(lite_app, lite_store):
    """Typographic quotes, not Python's repr: a backslash stays one backslash."""
    app, store = lite_app, lite_store
    sub = _active(store)
    path = f"/subscription/{tokens.make(app.state.settings, 'manage', sub.id, sub.token_version)}"
    b = browser(app)
    r = b.form(f"{path}/alerts", {"kind": "keyword", "value": "$\\beta$-VAE"}, from_page=path, follow_redirects=True)
    assert "Alert added: keyword “$\\beta$-VAE”." in r.text
    r = b.form(f"{path}/alerts", {"kind": "keyword", "value": "$\\beta$-vae"}, from_page=path)
    assert "you already have the keyword alert “$\\beta$-VAE”" in r.text
    r = b.form(f"{path}/alerts", {"kind": "category", "value": "it's"}, from_page=path)
    assert "“it&#39;s” is not an arXiv category" in r.text
    r = b.form("/subscribe", {"email": "o'neil@@example.org"}, from_page="/subscribe")
    assert "“o&#39;neil@@example.org” is not a valid email address" in r.text


def test_the_settings_page_says_when_digests_go_out(lite_store, tmp_path, inbox):
    sub = _active(lite_store)
    for extra, said in [({}, "Digests go out at 07:00 UTC: daily ones on weekdays, weekly ones on Mondays."),
                        ({"digest_time": "18:30", "weekly_day": "sun"},
                         "Digests go out at 18:30 UTC: daily ones on weekdays, weekly ones on Sundays.")]:  # fmt: skip
        app = make_app(lite_store, tmp_path, **mail_settings(tmp_path, inbox, **extra))
        path = f"/subscription/{tokens.make(app.state.settings, 'manage', sub.id, sub.token_version)}"
        assert said in TestClient(app).get(path).text
