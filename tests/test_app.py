"""While the app serves: handlers run on ``serve_threads`` threads, in the order requests came, each able to
get a database connection; what start-up built is kept out of the garbage collector's full passes."""

from __future__ import annotations

import gc
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from paperfeed.app import create_app
from paperfeed.settings import Settings
from tests.helpers.web import add_papers, browser, make_app, paper


def _slow_page(app, seen: list, lock: threading.Lock) -> None:
    """A sync handler that takes 50 ms and notes how many copies of it run at once."""
    running = [0]

    def slow() -> dict:
        with lock:
            running[0] += 1
            seen.append(running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return {"ok": True}

    app.add_api_route("/slow-for-test", slow)


@pytest.mark.parametrize("threads", [1, 3])
def test_handlers_run_on_at_most_serve_threads(store, tmp_path, threads):
    app = make_app(store, tmp_path, serve_threads=threads)
    seen: list[int] = []
    _slow_page(app, seen, threading.Lock())
    with browser(app) as client, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: client.get("/slow-for-test"), range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert max(seen) == threads  # 8 requests at once: never more than the setting, and that many used


def test_pages_are_served_with_one_thread(store, tmp_path):
    """The smallest setting still serves every kind of page (a handler never waits on a second thread)."""
    add_papers(store, paper(1, title="Diffusion models for proteins"), paper(2, title="Sparse attention"))
    app = make_app(store, tmp_path, serve_threads=1)
    with browser(app) as client:
        for path in ["/", "/papers/2401.00001", "/search?q=diffusion", "/api/daily_papers", "/feeds/trending.atom",
                     "/static/style.css", "/healthz", "/readyz"]:  # fmt: skip
            assert client.get(path).status_code == 200, path


def test_serve_threads_is_validated(store, tmp_path):
    with pytest.raises(ValueError, match="serve_threads"):
        make_app(store, tmp_path, serve_threads=0)


def test_start_up_objects_are_frozen_while_serving(store, tmp_path):
    app = make_app(store, tmp_path)
    before = gc.get_freeze_count()
    with browser(app) as client:
        assert gc.get_freeze_count() > max(before, 10_000)  # the modules and the app, left out of full passes
        assert client.get("/").status_code == 200
    assert gc.get_freeze_count() == 0  # stopped: collectable again (a test process starts many apps)


def test_every_handler_thread_gets_a_database_connection(db_url, tmp_path):
    """20 handler threads at once each holding a connection: SQLAlchemy's default pool (15) would make the
    last ones wait for a connection that never comes back."""
    threads = 20
    app = create_app(Settings(data_dir=tmp_path, database_url=db_url, serve_threads=threads))
    together = threading.Barrier(threads, timeout=20)

    def hold() -> dict:
        with app.state.store.read() as conn:
            conn.execute(text("SELECT 1"))
            together.wait()  # every thread holds its connection here at the same time
        return {"ok": True}

    app.add_api_route("/hold-for-test", hold)
    with browser(app) as client, ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(lambda _: client.get("/hold-for-test"), range(threads)))
    app.state.store.close()
    assert [a.status_code for a in answers] == [200] * threads
