"""LISTEN/NOTIFY between processes: a write in one expires the page caches of the others."""

from __future__ import annotations

import threading

import pytest

from paperfeed.store import events


def test_channel_names():
    assert events.channel_name("postgresql+psycopg://u@h/db", "pages") == "paperfeed_pages"
    url = "postgresql+psycopg://u@h/db?options=-csearch_path%3Dt_abc123"
    assert events.channel_name(url, "pages") == "paperfeed_pages_t_abc123"


def test_a_notification_reaches_every_listener(store):
    if store.dialect != "postgresql":
        events.publish(store)  # SQLite: one machine, nothing to send (and no error)
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    heard = [threading.Event(), threading.Event()]
    listeners = [events.Listener(store, h.set).start() for h in heard]
    try:
        assert all(x.ready.wait(10) for x in listeners)
        events.publish(store)
        assert all(h.wait(1.0) for h in heard)  # within a second, as the issue asks
    finally:
        for x in listeners:
            x.stop()
