"""The topic map in a real browser: it renders (screenshot in test-artifacts/screenshots/map.png), hovering a
point shows its title, the user's upvoted paper is ringed, clicking a point opens the paper page."""

from __future__ import annotations

from paperfeed.index import job
from paperfeed.settings import Settings
from paperfeed.store import community
from paperfeed.store import users as store_users
from tests.helpers.browser import SCREENSHOTS, live_server, log_in_as, make_app, new_page, seed_papers, today
from tests.helpers.search import CachingEncoder


def test_map_page_hover_highlight_and_click(browser, store, db_url, tmp_path):
    from playwright.sync_api import expect

    seed_papers(store)
    data = tmp_path / "data"
    job.run(store, Settings(data_dir=data, database_url=db_url), encoder=CachingEncoder())
    app = make_app(store, data, search_refresh_seconds=0)
    with live_server(app) as base_url:
        page, errors = new_page(browser, base_url)
        log_in_as(page, store, "cartographer")
        with store.read() as conn:
            uid = store_users.get_user_by_name(conn, "cartographer").id
        with store.transaction() as conn:
            community.vote(conn, user_id=uid, paper_id="2401.00002", value=1)

        page.goto(f"/papers/date/{today()}")
        page.get_by_role("link", name="Topic map").click()
        expect(page.locator("h1")).to_contain_text("Topic map")
        points = page.locator("svg#topicmap a.pt")
        expect(points).to_have_count(3)  # the three papers of the day, each once
        expect(page.locator("svg#topicmap a.pt.mine")).to_have_count(1)
        expect(page.locator(".clusters li").first).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)

        target = page.locator('svg#topicmap a.pt[data-id="2401.00001"]')
        target.hover()
        tip = page.locator("#maptip")
        expect(tip).to_be_visible()
        expect(tip).to_have_text("Scalable Diffusion Transformers for High-Resolution Image Synthesis")
        expect(page.locator("svg#topicmap")).to_have_class("focusing")
        target.click()
        expect(page).to_have_url(f"{base_url}/papers/2401.00001")
        expect(page.locator("h1")).to_contain_text("Scalable Diffusion Transformers")
        page.context.close()
        assert not errors, errors
