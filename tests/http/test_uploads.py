"""A library import runs on the imports' own threads, not on the few handler threads: pages are answered
while a long import runs, and its report arrives when it ends."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from paperfeed.web import library as web_library
from tests.helpers.library import PASSWORD, library_file, make_user, seed_library_papers
from tests.helpers.web import browser, make_app


def test_pages_are_answered_while_an_import_runs(store, tmp_path, monkeypatch):
    seed_library_papers(store)
    make_user(store, "ada")
    started, finish = threading.Event(), threading.Event()
    real = web_library.import_library

    def long_import(*args, **kwargs):
        started.set()
        assert finish.wait(30), "the test never let the import finish"
        return real(*args, **kwargs)

    monkeypatch.setattr(web_library, "import_library", long_import)
    app = make_app(store, tmp_path, serve_threads=1)  # one handler thread: an import on it would block all
    with browser(app) as b, ThreadPoolExecutor(2) as pool:
        assert b.login("ada", PASSWORD).status_code == 303
        token = b.csrf("/library/import")
        upload = pool.submit(b.post, "/library/import", data={"csrf_token": token},
                             files={"file": ("zotero.bib", library_file("zotero.bib"), "text/plain")})  # fmt: skip
        assert started.wait(10)
        page = pool.submit(b.get, "/")
        try:
            assert page.result(timeout=10).status_code == 200  # answered while the import still runs
            assert not upload.done()
        finally:
            finish.set()
        report = upload.result(timeout=30)
    assert report.status_code == 200 and "Added 3 papers to Library" in report.text
