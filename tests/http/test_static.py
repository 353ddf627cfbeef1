"""The site's own files tell browsers how long to keep them, on a full answer and on a 304."""

from __future__ import annotations

from paperfeed.http.static import CACHE_CONTROL
from tests.helpers.web import browser, make_app


def test_static_files_carry_cache_control(lite_store, tmp_path):
    with browser(make_app(lite_store, tmp_path)) as b:
        for path in ("/static/style.css", "/static/app.js", "/static/favicon.svg"):
            r = b.get(path)
            assert r.status_code == 200 and r.headers["cache-control"] == CACHE_CONTROL == "public, max-age=3600"
            again = b.get(path, headers={"If-None-Match": r.headers["etag"]})
            assert again.status_code == 304 and again.headers["cache-control"] == CACHE_CONTROL
        assert b.get("/static/nothing.css").status_code == 404
