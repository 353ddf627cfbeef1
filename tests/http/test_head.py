"""``HEAD`` answers as ``GET`` without the body (``http/head.py``): link checkers and feed readers ask so."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers.web import add_papers, make_app, paper


@pytest.fixture
def client(store, tmp_path):
    add_papers(store, paper(1, upvotes=2), paper(2))
    with TestClient(make_app(store, tmp_path)) as c:
        yield c


PATHS = ["/", "/papers/2401.00001", "/papers/2401.00001.bib", "/feeds/daily.atom", "/api/daily_papers", "/robots.txt"]


@pytest.mark.parametrize("path", PATHS)
def test_head_gives_the_get_answers_headers_without_its_body(client, path):
    got, head = client.get(path), client.head(path)
    assert got.status_code == head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))


def test_head_of_a_missing_page_or_a_write_only_route(client):
    assert client.head("/papers/2499.99999").status_code == 404
    r = client.head("/api/submit")
    assert r.status_code == 405 and r.content == b""


def test_get_or_head_of_a_form_target_is_405_as_other_methods_get(client):
    for path in ("/papers/2401.00001/vote", "/papers/2401.00001/comments", "/collections/add"):
        other = client.options(path)
        assert other.status_code == 405 and other.headers["allow"] == "POST"
        for answer in (client.get(path), client.head(path)):
            assert answer.status_code == 405 and answer.headers["allow"] == "POST", path
        assert client.get(path).text == other.text
    js = client.get("/papers/2401.00001/vote", headers={"Accept": "application/json"})
    assert js.status_code == 405 and js.json() == {"error": "Method Not Allowed"}
    # what no route holds stays missing
    assert client.get("/papers/2401.00001/nothing").status_code == 404
    assert client.get("/collections/999999").status_code == 404
    assert client.head("/no/such/page").status_code == 404
