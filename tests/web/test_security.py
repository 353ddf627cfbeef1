"""Defects an outside review found (issue 17), each tested as the attacker tried it: flash messages in the
anonymous page cache, invalid Bearer headers, CSRF skipped for them, lockout of an account from elsewhere,
security headers, replies to hidden comments. Account addresses: tests/web/test_account_email.py."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from paperfeed.mail import tokens
from paperfeed.store import community
from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from tests.helpers.web import Browser, add_papers, browser, make_app, paper, password_hash

BOGUS = {"Authorization": "Bearer pf_not-a-real-token"}


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1, upvotes=3), paper(2, upvotes=1))
    return make_app(store, tmp_path, login_max_failures=3)


def _user(store, name: str, *, admin: bool = False) -> int:
    with store.transaction() as conn:  # argon2 with cheap parameters: the dozens of logins here cost milliseconds
        return store_users.create_user(conn, username=name, password_hash=password_hash(), is_admin=admin).id


def _token(store, user_id: int) -> dict:
    with store.transaction() as conn:
        return {"Authorization": f"Bearer {store_users.create_token(conn, user_id, 'script')}"}


# --- 2. a flash message is one visitor's: never in the anonymous page cache -----------------------------


def test_anonymous_flash_is_not_cached_for_other_visitors(app, store):
    with store.transaction() as conn:
        sub = subs.subscribe(conn, "victim@example.org")
        subs.confirm(conn, sub.id, sub.token_version)
        sub = subs.get(conn, sub.id)
    manage = tokens.make(app.state.settings, "manage", sub.id, sub.token_version)
    with browser(app) as victim, browser(app) as stranger:
        stranger.get("/")  # the front page is in the cache
        r = victim.form(f"/subscription/{manage}/alerts", {"kind": "keyword", "value": "secret-merger-topic"},
                        from_page=f"/subscription/{manage}")  # fmt: skip
        assert r.status_code == 303
        page = victim.get("/")  # the victim's next page shows their message, once
        assert "secret-merger-topic" in page.text and page.headers.get("x-cache") != "hit"
        assert "secret-merger-topic" not in victim.get("/").text
        for _ in range(2):
            assert "secret-merger-topic" not in stranger.get("/").text
        assert "secret-merger-topic" not in Browser(app, base_url="http://testserver").get("/").text


# --- 3. an invalid Bearer token: 401 on the API, ignored on pages (never a 500) ----------------------------


@pytest.mark.parametrize("path", ["/", "/trending", "/papers/2401.00001", "/search?q=paper", "/no/such/page"])
def test_invalid_bearer_on_pages_is_ignored(app, path):
    with browser(app) as b:
        r = b.get(path, headers=BOGUS)
        assert r.status_code in (200, 404) and "Internal Server Error" not in r.text
        assert "text/html" in r.headers["content-type"]
        assert (r.status_code == 404) == (path == "/no/such/page")


def test_invalid_bearer_on_api_is_401(app):
    with browser(app) as b:
        for path in ("/api/daily_papers", "/api/papers/2401.00001", "/api/for-you"):
            r = b.get(path, headers=BOGUS)
            assert r.status_code == 401, path
            assert r.json()["error"] == "invalid API token" and r.headers["www-authenticate"] == "Bearer"
        r = b.post("/api/papers/2401.00001/vote", json={"value": 1}, headers=BOGUS)
        assert r.status_code == 401


HF_TOKEN = {"Authorization": "Bearer hf_abcdefghijklmnopqrstuvwxyz0123456789"}  # what huggingface_hub sends


def test_a_hugging_face_token_is_ignored_on_public_reads(app):
    """A script written for HF's API, run by somebody logged in to HF, sends their HF token: public reads
    answer as to anyone; what needs an account says the token is HF's, not paperfeed's."""
    with browser(app) as b:
        anonymous = b.get("/api/papers/2401.00001").json()
        r = b.get("/api/papers/2401.00001", headers=HF_TOKEN)
        assert r.status_code == 200 and r.json() == anonymous
        assert b.get("/api/daily_papers", headers=HF_TOKEN).status_code == 200
        for r in (b.get("/api/for-you", headers=HF_TOKEN),
                  b.post("/api/papers/2401.00001/vote", json={"value": 1}, headers=HF_TOKEN)):  # fmt: skip
            assert r.status_code == 401
            assert "Hugging Face token" in r.json()["error"] and "pf_" in r.json()["error"]
        assert b.get("/api/papers/2401.00001").json()["upvotes"] == anonymous["upvotes"]  # no vote counted


def test_invalid_bearer_on_form_posts_is_a_clean_error(app, store):
    _user(store, "ada")
    with browser(app) as b:
        b.login("ada")
        token = b.csrf("/")
        vote = {"value": "1", "csrf_token": token}
        r = b.post("/papers/2401.00001/vote", data=vote, headers=BOGUS, follow_redirects=False)
        assert r.status_code == 303  # the signed-in session votes; the bad header is ignored
        r = b.post("/papers/2401.00002/vote", data={"value": "1"}, headers=BOGUS, follow_redirects=False)
        assert r.status_code == 403 and "CSRF" in r.text  # and it does not excuse a missing CSRF token
    with store.read() as conn:
        ada = store_users.get_user_by_name(conn, "ada")
        assert community.user_votes(conn, ada.id, ["2401.00001", "2401.00002"]) == {"2401.00001": 1}


# --- 4. CSRF is skipped only for a request a valid token authenticated -------------------------------------


@pytest.mark.parametrize(
    "path, data",
    [
        ("/login", {"username": "ada", "password": "correct horse battery"}),
        ("/signup", {"username": "mallory", "password": "correct horse battery"}),
        ("/logout", {}),
        ("/subscribe", {"email": "someone@example.org"}),
    ],
)
def test_bogus_bearer_does_not_skip_csrf(app, store, path, data):
    _user(store, "ada")
    with browser(app) as b:
        r = b.post(path, data=data, headers=BOGUS, follow_redirects=False)
        assert r.status_code == 403 and "CSRF" in r.text
        assert 'href="/users/ada"' not in b.get("/").text  # not logged in
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "mallory") is None
        assert subs.by_email(conn, "someone@example.org") is None


def test_valid_token_needs_no_csrf(app, store):
    headers = _token(store, _user(store, "ada"))
    with browser(app) as b:
        assert b.post("/papers/2401.00001/vote", json={"value": 1}, headers=headers).status_code == 200


# --- 5. wrong passwords from one client do not lock the owner out elsewhere -------------------------------


def _client(app, addr: str) -> Browser:
    return Browser(app, base_url="http://testserver", client=(addr, 50000))


def test_failures_from_one_client_do_not_lock_out_the_owner(app, store):
    _user(store, "ada")
    with _client(app, "203.0.113.66") as attacker:
        for _ in range(3):
            assert attacker.login("ada", "guess guess").status_code == 401
        assert attacker.login("ada").status_code == 429  # this client waits, even with the right password
        assert attacker.login("ada", "guess again").status_code == 429
    with _client(app, "198.51.100.7") as owner:
        r = owner.login("ada")
        assert r.status_code == 303 and 'href="/users/ada"' in owner.get("/").text


def test_guessing_from_many_addresses_stops_strangers_not_the_owners_browser(app, store):
    _user(store, "ada")
    with _client(app, "198.51.100.7") as owner:
        assert owner.login("ada").status_code == 303  # this browser is now known to ada's account
        owner.form("/logout", from_page="/")
        for i in range(10):  # 10 x 3 failures: the account-wide limit (10 x login_max_failures)
            with _client(app, f"203.0.113.{i + 1}") as bot:
                for _ in range(3):
                    assert bot.login("ada", f"guess {i}").status_code == 401
        with _client(app, "203.0.113.200") as new_bot:
            assert new_bot.login("ada", "guess").status_code == 429
            assert new_bot.login("ada").status_code == 429
        assert owner.login("ada").status_code == 303


def test_forged_device_cookie_is_ignored(app, store):
    _user(store, "ada")
    for i in range(10):
        with _client(app, f"203.0.113.{i + 1}") as bot:
            for _ in range(3):
                bot.login("ada", "guess")
    with _client(app, "203.0.113.201") as b:
        b.cookies.set("paperfeed_device", "[1]")
        assert b.login("ada").status_code == 429


# --- 6. security headers; replies to hidden comments ------------------------------------------------------


def test_security_headers_everywhere(app):
    with browser(app) as b:
        b.get("/")
        for path in ("/", "/papers/2401.00001", "/api/daily_papers", "/static/style.css", "/feeds/trending.atom",
                     "/no/such/page"):  # fmt: skip
            r = b.get(path)
            assert r.headers["x-frame-options"] == "DENY", path
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
            assert "script-src 'self'" in r.headers["content-security-policy"], path
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert b.get("/").headers.get("x-cache") == "hit"  # cache hits carry them too (checked above)
        # Swagger UI starts itself with an inline script: /docs alone goes without script-src
        docs = b.get("/docs").headers["content-security-policy"]
        assert "frame-ancestors 'none'" in docs and "script-src" not in docs


def test_links_of_imported_records_are_web_addresses_only(app, store):
    """A javascript: link from an imported record (HF's projectPage is anyone's to write) never reaches a
    page, the exports or the API: dropped at import, and a row stored before that is not handed out."""
    from paperfeed.records import PaperRecord, checked
    from paperfeed.store.models import papers

    rec = PaperRecord(title="T", arxiv_id="2401.00007", code_url="javascript:alert(document.cookie)",
                      project_url="data:text/html,<script>x</script>", abs_url=" JavaScript:alert(1)",
                      pdf_url="https://example.org/t.pdf", source="hf")  # fmt: skip
    got = checked(rec)
    assert (got.code_url, got.project_url, got.pdf_url) == (None, None, "https://example.org/t.pdf")
    assert got.abs_url == "https://arxiv.org/abs/2401.00007"  # an arXiv paper's own page instead
    with store.transaction() as conn:  # as an older version stored it
        conn.execute(update(papers).where(papers.c.id == "2401.00001")
                     .values(code_url="javascript:alert(1)", project_url="https://ok.example.org/p"))  # fmt: skip
    with browser(app) as b:
        bodies = [b.get(p).text for p in ("/", "/papers/2401.00001", "/papers/2401.00001.md", "/papers/2401.00001.bib")]
        api = b.get("/api/papers/2401.00001").json()
    assert not any("javascript:" in body.lower() for body in bodies)
    assert 'href="https://ok.example.org/p"' in bodies[1] and api["projectPage"] == "https://ok.example.org/p"
    assert "githubRepo" not in api or api["githubRepo"] is None


def test_reply_to_hidden_comment_is_refused(app, store):
    ada, root = _user(store, "ada"), _user(store, "root", admin=True)
    with store.transaction() as conn:
        cid = community.add_comment(conn, user_id=ada, paper_id="2401.00001", body="spam spam")
        ok = community.add_comment(conn, user_id=ada, paper_id="2401.00001", body="a fair point")
        community.hide_comment(conn, cid)
    headers = _token(store, root)
    with browser(app) as b:
        b.login("ada")
        r = b.form("/papers/2401.00001/comments", {"body": "replying to spam", "parent_id": str(cid)}, from_page="/")
        assert r.status_code == 400 and "removed: it takes no replies" in r.text
        r = b.post("/api/papers/2401.00001/comments", json={"body": "via the API", "parent_id": cid}, headers=headers)
        assert r.status_code == 400 and "removed" in r.json()["error"]
        reply = {"body": "to a visible one", "parent_id": ok}
        r = b.post("/api/papers/2401.00001/comments", json=reply, headers=headers)
        assert r.status_code == 201
    with store.read() as conn:
        bodies = [c.body for c in community.comments_for(conn, "2401.00001", include_hidden=True)]
    assert "replying to spam" not in bodies and "via the API" not in bodies and "to a visible one" in bodies
