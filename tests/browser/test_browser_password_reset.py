"""Forgot your password? in a real browser: from the log-in form to the mail, the link's form and a log-in with
the new password, against uvicorn and a real SMTP server (SQLite: the flow's database checks run on both in
tests/web/test_password_reset.py). The link's page sends no Referer, so its token stays in the address bar."""

from __future__ import annotations

import re
import time

from paperfeed.store import users as store_users
from tests.helpers.browser import live_server, make_app, new_page, password_hash
from tests.helpers.mail import mail_settings

ADA = "ada@example.org"


def _mail(inbox, address: str, wait: float = 10.0):
    """The first mail to ``address``: the server sends it after its answer, so it may come a moment later."""
    deadline = time.monotonic() + wait
    while not inbox.to(address):
        assert time.monotonic() < deadline, f"no mail to {address}"
        time.sleep(0.05)
    return inbox.to(address)[0]


def test_forgot_password_from_the_login_form(browser, lite_store, inbox, tmp_path):
    from playwright.sync_api import expect  # (imported here: without Playwright, the fixture says how to install it)

    with lite_store.transaction() as conn:
        store_users.create_user(conn, username="ada", password_hash=password_hash(), email=ADA, email_confirmed=True)
    app = make_app(lite_store, tmp_path, **mail_settings(tmp_path, inbox))
    with live_server(app) as base_url:
        app.state.settings.base_url = base_url  # as `serve` does when base_url is unset
        page, errors = new_page(browser, base_url)
        page.goto("/login")
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Email address").fill(ADA)
        page.get_by_role("button", name="Send me a link").click()
        expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

        link = re.search(r"https?://\S+/account/reset/\S+", _mail(inbox, ADA).text).group(0)
        referers: list[str] = []
        page.on("request", lambda r: referers.append(r.headers.get("referer") or ""))
        page.goto(link)
        page.get_by_label("New password", exact=True).fill("a brand new secret")
        page.get_by_label("New password again").fill("a brand new secret")
        page.get_by_role("button", name="Set the new password").click()
        page.wait_for_url("**/login")
        expect(page.get_by_text("Your password was changed")).to_be_visible()
        assert not [r for r in referers if "/account/reset/" in r]  # the stylesheet, the form's POST: no token

        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill("a brand new secret")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        assert errors == []
        page.context.close()
