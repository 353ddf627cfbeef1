"""Telling every process that something changed: PostgreSQL's LISTEN/NOTIFY (docs/deploy.md).

A write through one process (a vote, a comment, a submission, an admin action) must expire the page
caches of every process on every machine. ``publish(store, channel)`` sends a notification on the
database's channel; a ``Listener`` in each process hears it (within milliseconds: the server pushes it)
and calls back. On SQLite there is one machine and nothing to send: ``publish`` does nothing and the
listener never starts (several workers on one SQLite file see each other's writes after the cache's
``page_cache_seconds``).

The channel carries the schema named in the URL's ``search_path``, if any, so that deployments (or test
runs) sharing one database in different schemas do not hear each other.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import unquote

from sqlalchemy import make_url, text

from . import Store

log = logging.getLogger(__name__)
PAGES = "pages"  # the page caches' channel


def channel_name(url: str, channel: str) -> str:
    """``paperfeed_<channel>``, plus ``_<schema>`` when the URL sets a search_path."""
    options = unquote(str(make_url(url).query.get("options", "")))
    m = re.search(r"search_path\s*=\s*([A-Za-z0-9_]+)", options)
    return f"paperfeed_{channel}" + (f"_{m.group(1)}" if m else "")


def publish(store: Store, channel: str = PAGES) -> None:
    """Notify every listening process (PostgreSQL); nothing on SQLite. Never raises: a missed
    notification costs staleness of at most ``page_cache_seconds``, not the write that was made."""
    if store.dialect != "postgresql":
        return
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT pg_notify(:ch, '')"), {"ch": channel_name(store.url, channel)})
            conn.commit()
    except Exception:
        log.exception("could not notify the other processes")


class Listener:
    """A daemon thread holding one connection that LISTENs on ``channel`` and calls ``callback()`` for each
    notification; it reconnects after a lost connection (and calls back then too: it may have missed one)."""

    def __init__(self, store: Store, callback, channel: str = PAGES, *, retry_seconds: float = 2.0):
        self.url, self.callback, self.retry_seconds = store.url, callback, retry_seconds
        self.channel = channel_name(store.url, channel)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{self.channel}", daemon=True)
        self.ready = threading.Event()

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _connect(self):
        import psycopg

        url = make_url(self.url).set(drivername="postgresql")
        conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
        conn.execute(f'LISTEN "{self.channel}"')
        return conn

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    if not first:
                        self.callback()  # notifications sent while we were away are lost: assume one
                    first = False
                    self.ready.set()
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self.callback()
            except Exception:
                if self._stop.is_set():
                    return
                log.warning("lost the notification connection; retrying in %.0f s", self.retry_seconds)
                self._stop.wait(self.retry_seconds)
