"""Importing a library in a real browser: upload a Zotero BibTeX export, read the report, open the collection.

Headless Chromium against uvicorn on loopback, on SQLite and PostgreSQL (see ``tests.helpers.browser``); the
report page is saved as a screenshot under test-artifacts/screenshots/.
"""

from __future__ import annotations

import uuid

import pytest

from paperfeed.store import Store
from tests.helpers.browser import SCREENSHOTS, live_server, log_in_as, make_app, new_page
from tests.helpers.library import ATTENTION, LIBRARY_FILES, seed_library_papers


@pytest.fixture
def site(db_url, tmp_path):
    store = Store.open(db_url)
    seed_library_papers(store)
    with live_server(make_app(store, tmp_path, search_refresh_seconds=0)) as base_url:
        yield base_url, store
    store.close()


def test_upload_a_bibtex_export_and_see_the_report(browser, site, db_url):
    from playwright.sync_api import expect

    base_url, store = site
    page, errors = new_page(browser, base_url)
    name = f"reader_{uuid.uuid4().hex[:8]}"
    log_in_as(page, store, name)
    page.goto(f"/users/{name}")
    page.get_by_role("link", name="Import your library").click()
    page.get_by_label("File").set_input_files(str(LIBRARY_FILES / "zotero.bib"))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Added 3 papers to Library (0 already there); 1 not found")
    expect(page.locator("#matched tbody tr")).to_have_count(3)
    expect(page.locator("#unmatched")).to_contain_text("bishop_pattern_2006")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"library-import-{db_url.split(':')[0]}.png"), full_page=True)
    page.get_by_role("link", name="Open Library").click()
    expect(page.locator(f'article[id="paper-{ATTENTION}"]')).to_be_visible()
    page.context.close()
    assert not errors, f"JavaScript errors: {errors}"
