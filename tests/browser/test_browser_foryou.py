"""For you in a real browser: "Not interested" removes the card without a reload (static/app.js), and a
screenshot of the page with its reasons (test-artifacts/screenshots/for-you.png). SQLite only: the page's
database behaviour is covered on both databases by tests/web/test_foryou.py."""

from __future__ import annotations

import re

import pytest

from paperfeed.store import Store
from tests.helpers.browser import SCREENSHOTS, live_server, log_in_as, make_app, set_timeouts
from tests.helpers.recommend import load_corpus, rec_encoder  # noqa: F401


@pytest.fixture
def site(tmp_path, rec_encoder):  # noqa: F811
    store = Store.open(f"sqlite:///{tmp_path / 'paperfeed.db'}")
    load_corpus(store, rec_encoder)
    with live_server(make_app(store, tmp_path)) as base_url:
        yield base_url, store
    store.close()


def test_not_interested_removes_the_card_without_a_reload(browser, site):
    from playwright.sync_api import expect

    context = browser.new_context(base_url=site[0], viewport={"width": 1280, "height": 900})
    set_timeouts(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in_as(page, site[1], "reader")
    page.goto("/for-you")
    expect(page.get_by_role("heading", name="Tell paperfeed what you like")).to_be_visible()
    page.get_by_role("button", name="More like this").first.click()  # an upvote: the model trains
    expect(page.locator(".reasons").first).to_contain_text("which you upvoted")
    first = page.locator("article.card").first
    pid = first.get_attribute("id").removeprefix("paper-")
    page.evaluate("window.__sameDocument = 'still here'")
    with page.expect_response(re.compile(rf"/papers/{re.escape(pid)}/vote$")) as vote:
        first.get_by_role("button", name="Not interested").click()
    assert vote.value.status == 200 and vote.value.json()["vote"] == -1
    expect(page.locator(f'article[id="paper-{pid}"]')).to_have_count(0)
    assert page.evaluate("window.__sameDocument") == "still here"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "for-you.png"), full_page=True)
    page.reload()  # stored: it never comes back
    expect(page.locator(f'article[id="paper-{pid}"]')).to_have_count(0)
    assert not errors, errors
    context.close()
