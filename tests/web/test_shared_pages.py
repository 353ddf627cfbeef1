"""Signed-out pages are the same for every reader: they set no cookie and say that shared caches (a proxy,
a CDN) may keep them for ``public_cache_seconds``. The pages whose forms a signed-out reader submits (log
in, sign up, subscribe) carry a CSRF token, set its cookie and stay private; so do signed-in pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers.web import CSRF_RE, add_papers, browser, make_app, paper

SHARED = ["/", "/papers/2401.00001", "/search?q=paper", "/authors/Ada%20Lovelace", "/papers/date/2024-01-02",
          "/trending", "/users/ada", "/logout"]  # fmt: skip


@pytest.fixture
def app(lite_store, tmp_path):
    add_papers(lite_store, paper(1, upvotes=3), paper(2, upvotes=10))
    return make_app(lite_store, tmp_path, public_cache_seconds=90)


def _shared(r) -> bool:
    vary = {v.strip().lower() for v in r.headers.get("vary", "").split(",")}
    return r.headers.get("cache-control") == "public, max-age=90" and {"cookie", "authorization"} <= vary


def test_signed_out_pages_set_no_cookie_and_may_be_kept_by_shared_caches(app):
    with browser(app) as ada:
        ada.signup("ada")  # her profile page, read signed out below
    with browser(app) as reader:
        for path in SHARED:
            for r in (reader.get(path), reader.get(path)):  # rendered, then (most) from the page cache
                assert r.status_code == 200 and "set-cookie" not in r.headers, path
                assert _shared(r) and not CSRF_RE.search(r.text), (path, r.headers.get("cache-control"))
        assert not reader.cookies
        tag = reader.get("/").headers["etag"]
        again = reader.get("/", headers={"If-None-Match": tag})  # a proxy revalidating its copy
        assert again.status_code == 304 and _shared(again)
        assert reader.get("/papers/2401.99999").headers["cache-control"] == "no-store"  # nobody keeps a 404
        # a signed-out vote (the button posts no token) still leads to the log-in form and back
        r = reader.post(
            "/papers/2401.00001/vote",
            data={"value": "1"},
            headers={"Referer": "http://testserver/"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/"


def test_zero_seconds_makes_every_cache_ask_again(lite_store, tmp_path):
    add_papers(lite_store, paper(1))
    r = TestClient(make_app(lite_store, tmp_path, public_cache_seconds=0)).get("/")
    assert r.headers["cache-control"] == "no-cache" and "set-cookie" not in r.headers


def test_pages_with_a_signed_out_readers_form_keep_their_token_and_cookie(app):
    for path in ("/login", "/signup", "/subscribe"):
        r = TestClient(app).get(path)
        cookie = r.headers["set-cookie"]
        assert "paperfeed_csrf=" in cookie and "paperfeed_session" not in cookie and CSRF_RE.search(r.text), path
        assert r.headers["cache-control"] == "private", path
    with browser(app) as b:  # the whole round trip still works: sign up, log out, log in
        b.signup("bob")
        signed_in = b.get("/")
        assert 'href="/users/bob"' in signed_in.text and signed_in.headers["cache-control"] == "private, no-store"
        assert b.form("/logout", from_page="/").status_code == 303
        assert b.login("bob").status_code == 303 and 'href="/users/bob"' in b.get("/papers/2401.00001").text
    for path, data in (("/login", {"username": "bob", "password": "correct horse battery"}),
                       ("/signup", {"username": "eve", "password": "correct horse battery"}),
                       ("/subscribe", {"email": "eve@example.org"})):  # fmt: skip
        with browser(app) as b:
            b.get(path)  # the reader has the CSRF cookie, and sends no token: as strict as before
            r = b.post(path, data=data, follow_redirects=False)
            assert r.status_code == 403 and "CSRF" in r.text, path


def test_pages_of_a_mailed_link_are_private(app, lite_store):
    """One subscriber's pages (the signed link is the key): no shared cache keeps them, though they set no cookie."""
    from paperfeed.mail import tokens
    from paperfeed.store import subscriptions as subs

    with lite_store.transaction() as conn:
        sub = subs.subscribe(conn, "reader@example.org")
    client = TestClient(app)
    for purpose, path in (("confirm", "/subscribe/confirm/"), ("unsubscribe", "/unsubscribe/")):
        r = client.get(path + tokens.make(app.state.settings, purpose, sub.id, sub.token_version))
        assert r.status_code == 200 and r.headers["cache-control"] == "private", path


def test_the_proxy_example_passes_the_session_cookie_by():
    from pathlib import Path

    from paperfeed.http.auth import SESSION_COOKIE

    deploy = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text()
    assert f"proxy_cache_bypass $cookie_{SESSION_COOKIE} $http_authorization" in deploy
    assert f"proxy_no_cache     $cookie_{SESSION_COOKIE} $http_authorization" in deploy
