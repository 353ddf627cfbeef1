"""A write through one process expires the page caches of the others within a second (PostgreSQL
LISTEN/NOTIFY, store.events): two apps over one database stand for two machines."""

from __future__ import annotations

import time

import pytest

from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash


def test_a_vote_on_one_machine_expires_the_others_pages(store, tmp_path):
    if store.dialect != "postgresql":
        pytest.skip("several machines share a PostgreSQL database")
    add_papers(store, paper(1, upvotes=3, title="First paper"), paper(2, upvotes=1, title="Second paper"))
    with store.transaction() as conn:
        store_users.create_user(conn, username="ada", password_hash=password_hash("correct horse battery"))
    one = make_app(store, tmp_path / "one", page_cache_seconds=3600)
    two = make_app(store, tmp_path / "two", page_cache_seconds=3600)
    with browser(one) as voter, browser(two) as reader:
        assert two.state.listener.ready.wait(10)
        reader.get("/papers/2401.00002")
        assert reader.get("/papers/2401.00002").headers.get("x-cache") == "hit"
        voter.login("ada")
        assert voter.form("/papers/2401.00002/vote", {"value": "1"}, from_page="/").status_code == 303
        voted = time.monotonic()
        while reader.get("/papers/2401.00002").headers.get("x-cache") == "hit":
            assert time.monotonic() - voted < 1.0, "the other machine's cache was not expired within 1 s"
            time.sleep(0.02)
        assert '<span class="count">2</span>' in reader.get("/papers/2401.00002").text  # 1 imported + ada's
