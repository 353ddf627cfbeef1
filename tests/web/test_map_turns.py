"""Query maps are laid out on demand in a few slots per process: one client asking for map after map cannot
keep everyone else out. A client has one layout in flight at most, and a client refused for a full house
gets the next free slot before the one that just had it. Over the real index of tests/web/test_topic_pages.py."""

from __future__ import annotations

import threading
import time

import pytest

from paperfeed.rank import topics
from tests.helpers.web import Browser
from tests.web import test_topic_pages

encoder, topic_site = test_topic_pages.encoder, test_topic_pages.site  # the fixtures, over the same papers


@pytest.fixture
def slow_layouts(monkeypatch):
    """Fresh slots, no map from the disk cache, and layouts that wait for ``release`` (the 2-8 s of CPU a
    real month takes): ``started`` is set when one begins."""
    monkeypatch.setattr(topics, "_layout_slots", {})
    monkeypatch.setattr(topics, "_load_cached", lambda path, n: None)
    started, release = threading.Event(), threading.Event()
    real = topics.layout

    def layout(vectors, **kw):
        started.set()
        assert release.wait(30)
        return real(vectors, **kw)

    monkeypatch.setattr(topics, "layout", layout)
    yield started, release
    release.set()


def _client(site: Browser, addr: str) -> Browser:
    return Browser(site.app, base_url="http://testserver", client=(addr, 50000))


def test_a_client_asking_map_after_map_cannot_keep_the_others_out(topic_site, slow_layouts):
    started, release = slow_layouts
    hog, reader = _client(topic_site, "203.0.113.9"), _client(topic_site, "198.51.100.7")
    answers: list = []
    drawing = threading.Thread(target=lambda: answers.append(hog.get("/map", params={"q": "attention one"})))
    drawing.start()
    try:
        assert started.wait(30)  # the hog's map is being laid out
        r = hog.get("/map", params={"q": "attention two"})  # and it asks for another meanwhile
        assert r.status_code == 429 and "a map you asked for is still being drawn" in r.text
        r = reader.get("/map", params={"q": "attention three"})
        assert r.status_code == 429 and r.headers["retry-after"] == "10" and "try again" in r.text
    finally:
        release.set()
        drawing.join(30)
    assert answers[0].status_code == 200 and "<svg" in answers[0].text
    r = hog.get("/map", params={"q": "attention four"})  # at once again: the reader is next in line
    assert r.status_code == 429
    r = reader.get("/map", params={"q": "attention three"})
    assert r.status_code == 200 and "<svg" in r.text
    assert hog.get("/map", params={"q": "attention four"}).status_code == 200  # then the hog's turn


def test_a_place_in_line_that_nobody_takes_lapses():
    slots = topics.LayoutSlots(1)
    slots.turn_seconds = 0.2
    assert slots.take("a") is None
    assert "try again" in slots.take("b")  # b is in line
    slots.release("a")
    assert slots.take("a") is not None  # b's turn, but b never comes back ...
    time.sleep(0.3)
    assert slots.take("a") is None  # ... so its place lapses
    slots.release("a")
    assert slots.acquire(blocking=False) and slots.take("c") is not None  # the command line's way still works
    slots.release()
