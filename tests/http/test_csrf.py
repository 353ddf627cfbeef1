"""A signed-out visitor's CSRF token lives in a signed cookie of its own (``http.csrf``), not in the session
cookie that a proxy cache passes by: after opening the log-in form, a reader's other pages are the shared
ones. Its forms work with the cookie's token and nothing else; a signed-in session keeps its own token."""

from __future__ import annotations

import pytest

from paperfeed.http import csrf
from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from tests.helpers.web import CSRF_RE, PASSWORD, add_papers, browser, make_app, paper, password_hash

REFUSED = "CSRF check failed"


@pytest.fixture
def app(lite_store, tmp_path):
    add_papers(lite_store, paper(1))
    with lite_store.transaction() as conn:
        store_users.create_user(conn, username="ada", password_hash=password_hash())
    return make_app(lite_store, tmp_path, public_cache_seconds=90)


def _keep(b, name: str, value: str) -> None:
    """Put a cookie in ``b``'s jar where the site's own go (a page elsewhere may have tossed it there)."""
    b.cookies.set(name, value, domain="testserver.local")


def _opened(app, path: str = "/login"):
    """A new reader who opened ``path``: the client and the form's token."""
    b = browser(app)
    return b, CSRF_RE.search(b.get(path).text).group(1)


def test_form_pages_set_the_csrf_cookie_and_no_session_and_later_pages_are_shared(app):
    for path in ("/login", "/signup", "/subscribe"):
        b, token = _opened(app, path)
        cookie = b.get(path).headers["set-cookie"]
        assert cookie.startswith(f"{csrf.COOKIE}=") and "paperfeed_session" not in cookie, path
        assert {"httponly", "samesite=lax", f"max-age={csrf.SECONDS}"} <= {p.strip().lower() for p in cookie.split(";")}
        assert set(b.cookies) == {csrf.COOKIE} and CSRF_RE.search(b.get(path).text).group(1) == token, path
        for page in ("/", "/", "/papers/2401.00001"):  # rendered, then from the page cache
            r = b.get(page)
            assert r.headers["cache-control"] == "public, max-age=90" and "set-cookie" not in r.headers, page
            assert token not in r.text
    secure = browser(make_app(app.state.store, app.state.settings.data_dir, cookie_secure=True))
    assert "; secure" in secure.get("/login").headers["set-cookie"].lower()


def test_log_in_sign_up_and_subscribe_work_with_the_cookies_token(app):
    b, token = _opened(app)
    r = b.post("/login", data={"csrf_token": token, "username": "ada", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and 'href="/users/ada"' in b.get("/").text
    assert csrf.COOKIE not in b.cookies and "paperfeed_session" in b.cookies  # the session has its own token
    b, token = _opened(app, "/signup")
    r = b.post("/signup", data={"csrf_token": token, "username": "bob", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and 'href="/users/bob"' in b.get("/").text and csrf.COOKIE not in b.cookies
    b, token = _opened(app, "/subscribe")  # a script's header instead of the field works as well
    r = b.post("/subscribe", data={"email": "reader@example.org"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and "reader@example.org" in r.text
    assert "paperfeed_session" not in b.cookies


def test_posts_without_the_cookies_own_token_change_nothing(app, monkeypatch):
    reader, token = _opened(app)
    other, other_token = _opened(app)
    raw = reader.cookies[csrf.COOKIE]
    forged = csrf.URLSafeTimedSerializer("not the site's key", salt="paperfeed.csrf").dumps(token)
    attempts = {
        "no cookie": (None, token),
        "unsigned cookie": (token, token),
        "cookie signed with another key": (forged, token),
        "another cookie's token": (raw, other_token),
        "mismatched field": (raw, token[:-2] + "xx"),
        "no field": (raw, None),
        "a field with an accent": (raw, token[:-1] + "é"),
    }
    for why, (cookie, sent) in attempts.items():
        b = browser(app)
        if cookie is not None:
            _keep(b, csrf.COOKIE, cookie)
        token_field = {"csrf_token": sent} if sent is not None else {}
        for path, data in (("/login", {"username": "ada", "password": PASSWORD}),
                           ("/signup", {"username": "eve", "password": PASSWORD}),
                           ("/subscribe", {"email": "eve@example.org"})):  # fmt: skip
            r = b.post(path, data={**token_field, **data}, follow_redirects=False)
            assert r.status_code == 403 and REFUSED in r.text, (why, path)
        assert "paperfeed_session" not in b.cookies, why
    monkeypatch.setattr(csrf, "SECONDS", -1)  # the cookie is older than its lifetime: reload and retry
    r = reader.post("/login", data={"csrf_token": token, "username": "ada", "password": PASSWORD})
    assert r.status_code == 403 and REFUSED in r.text
    with app.state.store.read() as conn:
        assert store_users.get_user_by_name(conn, "eve") is None and subs.by_email(conn, "eve@example.org") is None


def test_a_signed_out_cookie_does_nothing_for_a_signed_in_reader(app):
    ada = browser(app)
    assert ada.login("ada").status_code == 303
    own = CSRF_RE.search(ada.get("/").text).group(1)
    anon, anon_token = _opened(app)
    _keep(ada, csrf.COOKIE, anon.cookies[csrf.COOKIE])
    vote = "/papers/2401.00001/vote"
    assert ada.post(vote, data={"value": "1", "csrf_token": anon_token}, follow_redirects=False).status_code == 403
    r = ada.post("/api" + vote, json={"value": 1}, headers={"X-CSRF-Token": anon_token})
    assert r.status_code == 403
    assert ada.post("/logout", data={"csrf_token": anon_token}, follow_redirects=False).status_code == 403
    assert ada.post(vote, data={"value": "1", "csrf_token": "é"}, follow_redirects=False).status_code == 403
    r = ada.post("/api" + vote, json={"value": 1}, headers={"X-CSRF-Token": "é".encode("latin-1")})
    assert r.status_code == 403
    assert ada.post(vote, data={"value": "1", "csrf_token": own}, follow_redirects=False).status_code == 303
    r = ada.post("/api/papers/2401.00001/vote", json={"value": 0}, headers={"X-CSRF-Token": own})
    assert r.status_code == 200 and 'href="/users/ada"' in ada.get("/").text


def test_a_session_holding_only_an_old_csrf_token_is_deleted(app):
    """Signed-out readers of earlier versions hold a session cookie with just a token: their next request
    deletes it, so a proxy keeps serving them the shared pages."""
    import base64
    import json

    from itsdangerous import TimestampSigner

    b = browser(app)
    data = base64.b64encode(json.dumps({"csrf": "old"}).encode())
    old = TimestampSigner(app.state.settings.signing_key()).sign(data).decode()
    _keep(b, "paperfeed_session", old)
    r = b.get("/")
    assert r.status_code == 200 and "paperfeed_session=null" in r.headers["set-cookie"]
    assert "paperfeed_session" not in b.cookies and "set-cookie" not in b.get("/").headers


def test_a_signed_out_readers_flash_leaves_no_session_behind(app):
    """A mailed link's settings page (signed out): "Saved." rides in the session to the next page, which
    shows it and deletes the cookie."""
    from paperfeed.mail import tokens

    with app.state.store.transaction() as conn:
        sub = subs.subscribe(conn, "reader@example.org")
    path = "/subscription/" + tokens.make(app.state.settings, "manage", sub.id, sub.token_version)
    b, token = _opened(app, path)
    r = b.post(path, data={"csrf_token": token, "frequency": "weekly"}, follow_redirects=False)
    assert r.status_code == 303 and "paperfeed_session" in b.cookies
    assert "Saved." in b.get(path).text and "paperfeed_session" not in b.cookies
    r = b.get("/")
    assert r.headers["cache-control"] == "public, max-age=90" and "set-cookie" not in r.headers


def test_a_session_that_ended_elsewhere_is_deleted(app):
    """Ada changed her password on another machine: this browser's session cookie is deleted with its first
    page, signed out, and its next pages are the shared ones rather than 30 days past the proxy."""
    ada = browser(app)
    assert ada.login("ada").status_code == 303
    with app.state.store.transaction() as conn:
        store_users.set_password(conn, store_users.get_user_by_name(conn, "ada").id, password_hash())
    r = ada.get("/")
    assert 'href="/users/ada"' not in r.text and "paperfeed_session=null" in r.headers["set-cookie"]
    assert "paperfeed_session" not in ada.cookies
    r = ada.get("/")
    assert r.headers["cache-control"] == "public, max-age=90" and "set-cookie" not in r.headers
