"""One URL per paper: every form a reader pastes is a 301 to ``/papers/{id}`` (query kept), a version
newer than the one stored here too (arXiv may have it); a paper that does not exist, or v0, is a 404, never
a redirect."""

from __future__ import annotations

import pytest

from tests.helpers.web import add_papers, browser, make_app, paper


@pytest.fixture
def app(store, tmp_path):
    add_papers(
        store,
        paper(1, arxiv_id="2406.09414v1"),
        paper(1, arxiv_id="2406.09414v2", title="Paper number 1, revised"),
        paper(2, arxiv_id="hep-th/9901001v1"),
        paper(3, arxiv_id=None, title="A paper from elsewhere"),
        paper(4, arxiv_id="2401.00004"),  # from Hugging Face: its versions are not known here
    )
    return make_app(store, tmp_path)


PASTED = [
    ("/papers/2406.09414v2", "/papers/2406.09414"),
    ("/papers/2406.09414v1", "/papers/2406.09414"),
    ("/papers/2406.09414V2", "/papers/2406.09414"),
    ("/papers/2406.09414.pdf", "/papers/2406.09414"),
    ("/papers/2406.09414v2.pdf", "/papers/2406.09414"),
    ("/papers/arXiv:2406.09414", "/papers/2406.09414"),
    ("/papers/arxiv:2406.09414v1", "/papers/2406.09414"),
    ("/papers/%20%202406.09414", "/papers/2406.09414"),
    ("/papers/https://arxiv.org/abs/2406.09414", "/papers/2406.09414"),
    ("/papers/https:/arxiv.org/abs/2406.09414v2", "/papers/2406.09414"),  # a proxy merged the slashes
    ("/papers/https://arxiv.org/pdf/2406.09414v1.pdf", "/papers/2406.09414"),
    ("/papers/10.48550/arXiv.2406.09414", "/papers/2406.09414"),
    ("/papers/HEP-TH/9901001", "/papers/hep-th/9901001"),
    ("/papers/hep-th/9901001v1", "/papers/hep-th/9901001"),
    ("/papers/hep-th%2F9901001", "/papers/hep-th/9901001"),
    ("/papers/arXiv:hep-th/9901001", "/papers/hep-th/9901001"),
    ("/papers/2406.09414v2.bib", "/papers/2406.09414.bib"),
    ("/papers/arXiv:2406.09414.md", "/papers/2406.09414.md"),
    ("/papers/2401.00004v3", "/papers/2401.00004"),  # versions unknown here: any may exist
    ("/papers/2406.09414v3", "/papers/2406.09414"),  # newer than v2, the newest here: arXiv may have it
    ("/papers/2406.09414v99.bib", "/papers/2406.09414.bib"),
    ("/papers/hep-th/9901001v2", "/papers/hep-th/9901001"),
]


def test_each_pasted_form_is_a_permanent_redirect_to_the_one_url(app, store):
    with browser(app) as b:
        stable = b.get("/papers/date/2024-01-02").text.split('href="/papers/pf-')[1].split('"')[0]
        forms = [*PASTED, (f"/papers/PF-{stable.upper()}", f"/papers/pf-{stable}")]
        for asked, canonical in forms:
            r = b.get(asked, follow_redirects=False)
            assert r.status_code == 301 and r.headers["location"] == canonical, (asked, r.status_code, r.headers)
            assert b.get(canonical, follow_redirects=False).status_code == 200, canonical
        # HEAD too (link checkers ask with HEAD first)
        assert b.head("/papers/2406.09414v2", follow_redirects=False).headers["location"] == "/papers/2406.09414"


def test_the_query_string_is_kept(app):
    with browser(app) as b:
        r = b.get("/papers/arXiv:2406.09414?similar=method&utm_source=x", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == "/papers/2406.09414?similar=method&utm_source=x"
        r = b.get("/papers/hep-th/9901001v1?similar=result", follow_redirects=False)
        assert r.headers["location"] == "/papers/hep-th/9901001?similar=result"


def test_the_canonical_urls_answer_without_a_redirect(app):
    with browser(app) as b:
        for path in ("/papers/2406.09414", "/papers/hep-th/9901001", "/papers/2406.09414.bib",
                     "/papers/2406.09414.md", "/papers/2406.09414?similar=method"):  # fmt: skip
            assert b.get(path, follow_redirects=False).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/papers/2406.09414v0",  # arXiv numbers versions from 1
        "/papers/2401.00004v0",
        "/papers/hep-th/9901001v0",
        "/papers/arXiv:2406.99999",
        "/papers/2406.99999v1",
        "/papers/https://arxiv.org/abs/2406.99999",
        "/papers/10.48550/arXiv.2406.99999",
        "/papers/hep-th9901001",
        "/papers/PF-000000000000",
        "/papers/%3Cscript%3E",
    ],
)
def test_unknown_papers_and_versions_are_404_not_redirects(app, path):
    with browser(app) as b:
        r = b.get(path, follow_redirects=False)
    assert r.status_code == 404, (path, r.status_code, r.headers.get("location"))
    assert "location" not in r.headers and "<script>" not in r.text


def test_v0_says_versions_start_at_1(app):
    with browser(app) as b:
        r = b.get("/papers/2406.09414v0")
    assert r.status_code == 404 and "No version 0 of 2406.09414: arXiv numbers versions from 1" in r.text
