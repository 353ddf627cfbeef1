"""The keyboard and the screen reader in a real browser (Chromium's own focus order and accessible names):
the skip link, the names of each card's controls (kept by "Not interested" without a reload), and the
topic map: a way past its points to the topic list, whose focused topic lights up its papers."""

from __future__ import annotations

import re

from paperfeed.rank import topics
from paperfeed.rank.topics import Cluster, Point, TopicMap
from tests.helpers.browser import live_server, log_in_as, make_app, new_page, seed_papers, today

TITLE = "Scalable Diffusion Transformers for High-Resolution Image Synthesis"


def expect(target):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(target)


def open_site(browser, store, tmp_path):
    seed_papers(store)
    return make_app(store, tmp_path / "data", search_refresh_seconds=0)


def focused_in(page, selector: str) -> bool:
    return page.evaluate(f"() => !!document.activeElement.closest({selector!r})")


def test_the_first_tab_offers_a_visible_skip_link_to_the_content(browser, store, tmp_path):
    with live_server(open_site(browser, store, tmp_path)) as base_url:
        page, errors = new_page(browser, base_url)
        page.goto(f"/papers/date/{today()}")
        skip = page.get_by_role("link", name="Skip to content", exact=True)
        page.keyboard.press("Tab")
        expect(skip).to_be_focused()
        box = skip.bounding_box()
        assert box and box["width"] > 40 and box["height"] > 10 and box["y"] >= 0  # on screen while focused
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert focused_in(page, "main"), page.evaluate("() => document.activeElement.outerHTML")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")  # back out of the content, the skip link hides again
        assert skip.bounding_box()["width"] <= 1
        page.context.close()
        assert not errors, errors


def test_card_controls_are_named_by_their_paper(browser, store, tmp_path):
    with live_server(open_site(browser, store, tmp_path)) as base_url:
        page, errors = new_page(browser, base_url)
        log_in_as(page, store, "listener")
        page.goto(f"/papers/date/{today()}")
        card = page.locator('article[id="paper-2401.00001"]')
        expect(card.get_by_role("heading", level=2, name=TITLE)).to_have_count(1)
        expect(card.get_by_role("button", name=f"Upvote “{TITLE}”, upvotes: 42", exact=True)).to_have_count(1)
        expect(card.get_by_role("link", name=f"0 comments on “{TITLE}”", exact=True)).to_have_count(1)
        expect(card.get_by_role("link", name=f"Code of “{TITLE}”", exact=True)).to_have_count(1)
        dismiss = card.get_by_role("button", name=f"Not interested (“{TITLE}”)", exact=True)
        expect(page.get_by_role("button", name="Not interested", exact=True)).to_have_count(0)  # none unnamed
        dismiss.click()  # without a reload (static/app.js): the label flips, the title stays in the name
        expect(card.get_by_role("button", name=f"Undo “not interested” (“{TITLE}”)", exact=True)).to_have_count(1)
        expect(card.locator("form.dismiss button")).to_be_visible()
        page.context.close()
        assert not errors, errors


def fake_map(monkeypatch) -> TopicMap:
    clusters = [Cluster(c, [f"topic{c}", f"words{c}"], 3, 0.2 + 0.2 * c, 0.5) for c in range(3)]
    points = [Point(f"2401.{i:05d}", f"Paper {i}", 0.1 + 0.08 * i, 0.2 + 0.05 * i, i % 3) for i in range(9)]
    tmap = TopicMap(points, clusters, 0)
    monkeypatch.setattr(topics, "map_subject", lambda *a, **kw: ("June 2024", [p.paper_id for p in points], ""))
    monkeypatch.setattr(topics, "topic_map", lambda *a, **kw: tmap)
    return tmap


def test_the_map_can_be_skipped_and_its_topics_light_up_on_focus(browser, store, tmp_path, monkeypatch):
    fake_map(monkeypatch)
    with live_server(open_site(browser, store, tmp_path)) as base_url:
        page, errors = new_page(browser, base_url)
        page.goto("/map?month=2024-06")
        # the points are links, named by paper and topic, in topic order
        expect(page.get_by_role("link", name="Paper 4 (topic: topic1, words1)", exact=True)).to_have_count(1)
        order = page.locator("svg#topicmap a.pt").evaluate_all("els => els.map(e => e.dataset.cluster)")
        assert order == ["0"] * 3 + ["1"] * 3 + ["2"] * 3
        page.get_by_label("map a search").focus()
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name=re.compile("^Skip the map's 9 papers to the topic list$"))
        expect(skip).to_be_focused()
        assert skip.bounding_box()["width"] > 40
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        first_topic = page.locator(".clusters li").first.get_by_role("link")
        expect(first_topic).to_be_focused()
        # the focused topic lights up, as on hover: its papers stand out
        expect(page.locator("svg#topicmap")).to_have_class(re.compile(r"\bfocusing\b"))
        expect(page.locator("svg#topicmap a.pt.hot")).to_have_count(3)
        expect(page.locator(".clusters li.hot")).to_have_count(1)
        page.keyboard.press("Tab")
        expect(page.locator(".clusters li.hot")).to_have_attribute("data-cluster", "1")
        page.context.close()
        assert not errors, errors
