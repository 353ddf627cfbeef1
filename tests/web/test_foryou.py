"""The "for you" page, "Not interested" on cards, and follow buttons, through the pages a person uses."""

from __future__ import annotations

import re

import pytest

from tests.helpers.recommend import TOPICS, load_corpus, paper_id, rec_encoder  # noqa: F401
from tests.helpers.web import browser, make_app

JSON = {"Accept": "application/json"}


@pytest.fixture
def app(store, tmp_path, rec_encoder):  # noqa: F811
    load_corpus(store, rec_encoder)
    return make_app(store, tmp_path)


def test_for_you_needs_login(app):
    with browser(app) as b:
        r = b.get("/for-you", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login?next=/for-you"
        assert 'href="/for-you"' not in b.get("/").text  # no nav link for visitors
        assert "Log in to follow" in b.get("/authors/Rob%20Otto").text
        assert "Log in to follow" in b.get("/trending?category=eess.AS").text
        r = b.post("/follows", data={"kind": "author", "value": "Rob Otto"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_a_new_user_gets_onboarding_then_learns_from_more_like_this(app):
    with browser(app) as b:
        b.signup("ada")
        page = b.get("/for-you").text
        assert 'href="/for-you"' in page  # the nav link
        assert re.search(r"New papers of the \d+ days? \w{3} \d{2} \w{3} to \w{3} \d{2} \w{3} \d{4},", page)
        assert "Tell paperfeed what you like" in page and 'href="/library/import"' in page
        assert "More like this" in page and "Follow Sam Speech" in page  # trending papers and their authors
        # "more like this" is an upvote; the page then ranks by the trained model and says why
        old = paper_id("diffusion", 0, new=False)
        r = b.form(f"/papers/{old}/vote", {"value": "1"}, from_page="/for-you", headers={"referer": "/for-you"})
        assert r.status_code == 303 and r.headers["location"] == f"/for-you#paper-{old}"
        page = b.get("/for-you").text
        assert "Tell paperfeed what you like" not in page and "trained on 1 paper" in page
        assert re.search(r"against \d+ counterexamples \(papers you marked “Not interested”, the rest drawn at random\)"
                         r", last trained \d{2} \w{3} \d{4} \d{2}:\d{2} UTC", page)  # fmt: skip
        assert re.search(r"New papers of the day \w{3} \d{2} \w{3} \d{4},", b.get("/for-you?days=1").text)
        title = TOPICS["diffusion"][0][0]
        assert f"close to “{title} (earlier study)”, which you upvoted" in page
        assert page.index(TOPICS["diffusion"][1][0]) < page.index(TOPICS["protein"][0][0])


def test_not_interested_hides_the_paper_without_js_and_with_json(app):
    with browser(app) as b:
        b.signup("ada")
        b.form(f"/papers/{paper_id('speech', 0, new=False)}/vote", {"value": "1"}, from_page="/for-you")
        first, second = paper_id("speech", 1, new=True), paper_id("speech", 2, new=True)
        page = b.get("/for-you").text
        assert f'id="paper-{first}"' in page and "Not interested" in page
        r = b.form(f"/papers/{first}/vote", {"value": "-1"}, from_page="/for-you", headers={"referer": "/for-you"})
        assert r.status_code == 303 and r.headers["location"] == f"/for-you#paper-{first}"
        tok = b.csrf("/for-you")
        r = b.post(f"/papers/{second}/vote", data={"value": "-1", "csrf_token": tok}, headers=JSON)
        assert r.json()["vote"] == -1
        page = b.get("/for-you").text
        assert f'id="paper-{first}"' not in page and f'id="paper-{second}"' not in page
        # elsewhere the card stays, with an undo
        assert "Undo “not interested”" in b.get("/authors/Sam%20Speech").text
        assert b.post(f"/papers/{first}/vote", data={"value": "-1"}, headers=JSON).status_code == 403  # no CSRF


def test_follow_an_author_from_the_author_page(app):
    with browser(app) as b:
        b.signup("ada")
        page = b.get("/authors/Rob%20Otto").text
        assert "<h1>Rob Otto" in page and 'action="/follows"' in page
        r = b.form("/follows", {"kind": "author", "value": "rob otto"}, from_page="/authors/Rob%20Otto",
                   headers={"referer": "http://testserver/authors/Rob%20Otto"})  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == "/authors/Rob%20Otto"
        page = b.get("/authors/Rob%20Otto").text
        assert "Following ✓" in page and "You follow Rob Otto now: “For you” will put their new papers first." in page
        page = b.get("/for-you").text
        assert "by Rob Otto, whom you follow" in page and "You follow" in page
        r = b.form("/follows/remove", {"kind": "author", "value": "Rob Otto"}, from_page="/for-you")
        assert r.status_code == 303
        assert "Following ✓" not in b.get("/authors/Rob%20Otto").text


def test_follow_a_category_from_trending(app):
    with browser(app) as b:
        b.signup("ada")
        page = b.get("/trending?category=eess.AS").text
        assert 'name="value" value="eess.AS"' in page
        b.form("/follows", {"kind": "category", "value": "eess.AS"}, from_page="/trending?category=eess.AS")
        assert "Following ✓" in b.get("/trending?category=eess.AS").text
        assert "in eess.AS, which you follow" in b.get("/for-you").text


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"kind": "author", "value": "Nobody Atall"}, 400, "no papers by"),
        ({"kind": "author", "value": "<script>alert(1)</script>"}, 400, "&lt;script&gt;"),
        ({"kind": "category", "value": "cs.NOPE"}, 400, "no papers in"),
        ({"kind": "venue", "value": "NeurIPS"}, 400, "you can follow an author or a category"),
        ({"kind": "author", "value": "x" * 1001}, 422, "bad value"),
        ({"kind": "author"}, 422, "bad value"),
    ],
)
def test_follow_refuses_bad_input_clearly(app, data, status, message):
    with browser(app) as b:
        b.signup("ada")
        r = b.form("/follows", data, from_page="/for-you")
        assert r.status_code == status and message in r.text
        assert "<script>alert(1)</script>" not in r.text
        assert "You follow" not in b.get("/for-you").text


def test_for_you_rejects_bad_days(app):
    with browser(app) as b:
        b.signup("ada")
        assert b.get("/for-you?days=0").status_code == 422
        assert b.get("/for-you?days=abc").status_code == 422
        assert b.get("/for-you?days=3").status_code == 200
