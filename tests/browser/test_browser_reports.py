"""Reporting a comment in a real browser, and an admin hiding it from the queue: the "Report" under a
comment opens without JavaScript of ours (a <details>), the answer is a message on the page.

Headless Chromium against uvicorn on loopback, on SQLite and PostgreSQL (see ``tests.helpers.browser``)."""

from __future__ import annotations

import uuid

import pytest

from paperfeed.store import Store, community
from paperfeed.store import users as store_users
from tests.helpers.browser import live_server, log_in_as, make_app, new_page
from tests.helpers.web import add_papers, paper


@pytest.fixture
def site(db_url, tmp_path):
    store = Store.open(db_url)
    add_papers(store, paper(1))
    with store.transaction() as conn:
        ann = store_users.create_user(conn, username="ann", password_hash="x")
        community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="cheap pills, click here")
    with live_server(make_app(store, tmp_path)) as base_url:
        yield base_url, store
    store.close()


def test_a_reader_reports_a_comment_and_an_admin_hides_it(browser, site):
    from playwright.sync_api import expect

    base_url, store = site
    page, errors = new_page(browser, base_url)
    name = f"reader_{uuid.uuid4().hex[:8]}"
    log_in_as(page, store, name)
    page.goto("/papers/2401.00001")
    comment = page.locator(".comment").filter(has_text="cheap pills")
    comment.get_by_text("Report", exact=True).click()
    comment.get_by_label("Abusive or harassing").check()
    comment.get_by_label("Anything they should know").fill("the same link under every paper")
    comment.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("a moderator will look at it")

    with store.transaction() as conn:  # the reader becomes a moderator, and sees the queue
        store_users.set_admin(conn, store_users.get_user_by_name(conn, name).id, True)
    page.goto("/papers/2401.00001")
    page.get_by_role("link", name="Reports (1)").first.click()
    expect(page.locator(".report-item")).to_contain_text("the same link under every paper")
    page.get_by_role("button", name="Hide the comment").click()
    expect(page.get_by_role("status")).to_contain_text("is hidden; its reports are closed")
    expect(page.get_by_text("No open reports.")).to_be_visible()
    page.context.close()
    assert not errors, f"JavaScript errors: {errors}"
