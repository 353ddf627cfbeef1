"""Votes, comments, submissions, collections and moderation, through the pages a person uses."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"
JSON = {"Accept": "application/json"}


@pytest.fixture
def app(store, tmp_path):
    add_papers(
        store,
        paper(1, upvotes=3),
        paper(2, upvotes=10),
        paper(3, title='<script>alert("t")</script>', abstract='"><img src=x onerror=alert(1)> $\\sum_i x_i$'),
    )
    return make_app(store, tmp_path)


def test_upvote_and_unvote_json(app):
    with browser(app) as b:
        b.signup("ada")
        tok = b.csrf("/")
        r = b.post("/papers/2401.00001/vote", data={"value": "1", "csrf_token": tok}, headers=JSON)
        assert r.json() == {"id": "2401.00001", "upvotes": 4, "vote": 1}
        r = b.post("/papers/2401.00001/vote", data={"value": "1", "csrf_token": tok}, headers=JSON)
        assert r.json()["upvotes"] == 4  # one vote per user
        assert 'class="voted"' in b.get("/papers/2401.00001").text
        r = b.post("/papers/2401.00001/vote", data={"value": "0", "csrf_token": tok}, headers=JSON)
        assert r.json()["upvotes"] == 3


def test_a_paper_page_offers_not_interested_and_the_profile_lists_comments(app):
    with browser(app) as b:
        assert "Not interested" not in b.get("/papers/2401.00001").text  # visitors: nothing to dismiss
        b.signup("ada")
        page = b.get("/papers/2401.00001").text
        assert 'class="dismiss"' in page and ">Not interested</button>" in page
        r = b.form("/papers/2401.00001/vote", {"value": "-1"}, from_page="/",
                   headers={"Referer": "http://testserver/papers/2401.00001"}, follow_redirects=True)  # fmt: skip
        assert "Undo “not interested”" in r.text
        b.form("/papers/2401.00002/comments", {"body": "Lovely <b>result</b>, see https://x.org"}, from_page="/")
        b.form("/papers/2401.00001/comments", {"body": "And a second thought."}, from_page="/")
        profile = b.get("/users/ada").text.split("<h2>Comments</h2>", 1)[1].split("<h2>", 1)[0]  # newest first
        assert profile.index("And a second thought.") < profile.index("Lovely &lt;b&gt;result&lt;/b&gt;")
        assert 'href="/papers/2401.00002#comment-' in profile and "Paper number 2" in profile


def test_upvote_form_without_js_redirects_back(app):
    with browser(app) as b:
        b.signup("ada")
        r = b.form(
            "/papers/2401.00002/vote", {"value": "1"}, from_page="/", headers={"Referer": "http://testserver/?p=1"}
        )
        assert r.status_code == 303 and r.headers["location"] == "/?p=1#paper-2401.00002"  # back at the card
        assert ">11</span>" in b.get("/").text
        r = b.form("/papers/2401.00002/vote", {"value": "0"}, from_page="/",
                   headers={"Referer": "http://testserver/papers/2401.00002"})  # fmt: skip
        assert r.headers["location"] == "/papers/2401.00002"  # the paper's own page: no jump


def test_upvote_needs_login(app):
    with browser(app) as b:
        r = b.post(
            "/papers/2401.00001/vote",
            data={"value": "1"},
            headers={"Referer": "http://testserver/"},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        r = b.post("/papers/2401.00001/vote", data={"value": "1"}, headers=JSON)
        assert r.status_code == 401


def test_vote_on_unknown_paper_is_404(app):
    with browser(app) as b:
        b.signup("ada")
        r = b.form("/papers/9999.99999/vote", {"value": "1"}, from_page="/")
        assert r.status_code == 404
        r = b.form("/papers/2401.00001/vote", {"value": "7"}, from_page="/")
        assert r.status_code == 422


def test_comment_thread_and_hostile_text(app):
    with browser(app) as b:
        b.signup("ada")
        body = '<script>alert(1)</script> "><img src=x onerror=alert(2)> $E=mc^2$'
        r = b.form("/papers/2401.00001/comments", {"body": body}, from_page="/papers/2401.00001")
        assert r.status_code == 303
        page = b.get("/papers/2401.00001").text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<img src=x" not in page
        assert "$E=mc^2$" in page and "Comments (1)" in page
        cid = r.headers["location"].split("comment-")[1]
        r = b.form("/papers/2401.00001/comments", {"body": "a reply", "parent_id": cid}, from_page="/papers/2401.00001")
        assert r.status_code == 303 and "Comments (2)" in b.get("/papers/2401.00001").text
        assert "1 comment" not in b.get("/").text.split("Paper number 1")[0]  # counts shown on cards
        assert "2 comments" in b.get("/").text
        # a refused comment: the page again (400), the reason at the form, what was typed still in it
        r = b.form("/papers/2401.00001/comments", {"body": "   "}, from_page="/papers/2401.00001")
        assert r.status_code == 400 and "Your comment was not posted: a comment cannot be empty" in r.text
        long = "</textarea><script>alert(3)</script>" + "x" * 10_000
        r = b.form("/papers/2401.00001/comments", {"body": long}, from_page="/papers/2401.00001")
        assert r.status_code == 400 and "at most 10,000" in r.text and "<script>alert(3)" not in r.text
        assert "&lt;/textarea&gt;&lt;script&gt;alert(3)&lt;/script&gt;" + "x" * 10_000 + "</textarea>" in r.text
        r = b.form("/papers/2401.00002/comments", {"body": "wrong parent", "parent_id": cid}, from_page="/")
        assert r.status_code == 400 and "same paper" in r.text and ">wrong parent</textarea>" in r.text
        assert f'name="parent_id" value="{cid}"' in r.text and "Your reply was not posted" in r.text
        assert "Comments (2)" in b.get("/papers/2401.00001").text  # none of them was stored


def test_hostile_paper_text_is_escaped_everywhere(app):
    with browser(app) as b:
        for path in ("/", "/papers/2401.00003", "/authors/Ada%20Lovelace", "/trending"):
            text = b.get(path).text
            assert '<script>alert("t")</script>' not in text and "<img src=x" not in text, path


def test_submit_known_paper_and_refuse_duplicates(app):
    with browser(app) as b:
        b.signup("ada")
        add = {"paper": "https://arxiv.org/abs/2401.00009v2"}
        r = b.form("/submit", add, from_page="/submit")
        # not stored, and arXiv cannot be reached: a 503 that says so whole, the typed id kept in the form
        assert r.status_code == 503 and "arXiv did not answer the lookup of 2401.00009" in r.text
        assert "try again in a few minutes" in r.text and 'value="https://arxiv.org/abs/2401.00009v2"' in r.text
        r = b.form("/submit", {"paper": "not an id"}, from_page="/submit")
        assert r.status_code == 400 and "not an arXiv id" in r.text
        r = b.form("/submit", {"paper": "2401.00001"}, from_page="/submit")
        assert r.status_code == 400 and "already on the daily list" in r.text
        assert '<a href="/papers/2401.00001">the paper</a>' in r.text  # and where to find it
        assert '<a href="/papers/date/2024-01-02#paper-2401.00001">that day\'s list</a>' in r.text


def test_submit_fetches_from_arxiv(store, tmp_path, httpserver):
    body = (FIXTURES / "arxiv-api-idlist-2016.atom.xml").read_bytes()
    httpserver.expect_request("/api/query").respond_with_data(body, content_type="application/atom+xml")
    app = make_app(store, tmp_path, arxiv_api_url=httpserver.url_for("/api/query"), http_delay=0)
    with browser(app) as b:
        b.signup("ada")
        r = b.form("/submit", {"paper": "arXiv:1111.2011v2"}, from_page="/submit", follow_redirects=True)
        today = datetime.now(UTC).date().isoformat()
        assert r.status_code == 200 and "Daily papers" in r.text or today in str(r.url)
        assert "submitted by ada" in r.text
        assert httpserver.log[0][0].args["id_list"] == "1111.2011"
        profile = b.get("/users/ada").text
        assert "Submissions" in profile and "/papers/1111.2011" in profile
        r = b.form("/submit", {"paper": "1111.2011"}, from_page="/submit")
        assert r.status_code == 400 and "already on the daily list" in r.text and "by ada" in r.text


def test_collections_private_public_and_export(app):
    with browser(app) as owner, browser(app) as other:
        owner.signup("ada")
        other.signup("bob")
        r = owner.form("/collections", {"name": "Reading list", "paper_id": "2401.00001"}, from_page="/")
        assert r.status_code == 303
        cid = owner.get("/users/ada").text.split('href="/collections/')[1].split('"')[0]
        tok = owner.csrf("/")
        owner.post("/collections/add", data={"csrf_token": tok, "collection_id": cid, "paper_id": "2401.00003"})
        page = owner.get(f"/collections/{cid}").text
        assert "Paper number 1" in page and "private" in page
        assert other.get(f"/collections/{cid}").status_code == 404  # someone else's private collection
        assert other.get(f"/collections/{cid}.bib").status_code == 404
        r = other.form("/collections/add", {"collection_id": cid, "paper_id": "2401.00002"}, from_page="/")
        assert r.status_code == 404
        owner.form(f"/collections/{cid}/edit", {"name": "Reading list", "is_public": "true"}, from_page="/")
        assert other.get(f"/collections/{cid}").status_code == 200
        bib = other.get(f"/collections/{cid}.bib").text
        assert "@misc{" in bib and "eprint = {2401.00001}" in bib and bib.count("@misc") == 2
        data = other.get(f"/collections/{cid}.json").json()
        assert data["name"] == "Reading list" and {p["id"] for p in data["papers"]} == {"2401.00001", "2401.00003"}
        assert owner.get("/collections/abc").status_code == 404
        r = owner.form("/collections", {"name": "Reading list"}, from_page="/", follow_redirects=True)
        assert "already have a collection named “Reading list”" in r.text


def test_collection_changes_are_confirmed_and_delete_asks_first(app):
    with browser(app) as b:
        b.signup("ada")
        r = b.form("/collections", {"name": 'Sutton\'s "must read" RL', "paper_id": "2401.00001"}, from_page="/",
                   follow_redirects=True)  # fmt: skip
        assert "Collection “Sutton&#39;s &#34;must read&#34; RL” created with this paper." in r.text  # not repr
        cid = b.get("/users/ada").text.split('href="/collections/')[1].split('"')[0]
        page = b.get(f"/collections/{cid}").text
        assert "<summary>Delete collection…</summary>" in page and "It cannot be undone." in page  # a second click
        edit = {"name": "RL", "is_public": "true"}
        r = b.form(f"/collections/{cid}/edit", edit, from_page="/", follow_redirects=True)
        assert "Saved." in r.text and "public" in r.text
        r = b.form(f"/collections/{cid}/remove", {"paper_id": "2401.00001"}, from_page="/", follow_redirects=True)
        assert "Removed 2401.00001 from “RL”." in r.text and "No papers in this collection yet." in r.text
        r = b.form(f"/collections/{cid}/delete", from_page="/", follow_redirects=True)
        assert "Deleted the collection “RL”." in r.text


def test_admin_hides_paper_and_comment(app, store):
    with store.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=password_hash("admin password"), is_admin=True)
    with browser(app) as admin, browser(app) as user:
        user.signup("ada")
        r = user.form("/papers/2401.00002/comments", {"body": "spam spam"}, from_page="/")
        cid = r.headers["location"].split("comment-")[1]
        assert user.form(f"/admin/comments/{cid}/hide", from_page="/").status_code == 403
        admin.login("root", "admin password")
        assert admin.form(f"/admin/comments/{cid}/hide", {"hidden": "true"}, from_page="/").status_code == 303
        assert "spam spam" not in user.get("/papers/2401.00002").text
        assert "spam spam" in admin.get("/papers/2401.00002").text  # admins still see it, marked
        assert admin.form("/admin/papers/2401.00002/hide", {"hidden": "true"}, from_page="/").status_code == 303
        assert "Paper number 2" not in user.get("/").text
        assert user.get("/papers/2401.00002").status_code == 404
        assert admin.get("/papers/2401.00002").status_code == 200


def test_trending_ranks_by_decayed_votes(app):
    with browser(app) as b:
        text = b.get("/trending").text
        assert text.index("Paper number 2") < text.index("Paper number 1")  # 10 votes beat 3 on the same day
        # the papers are from 2024: the page says which week it ranks, not "the last 7 days"
        assert re.search(r"from the 7 days up to \w{3} \d{2} \w{3} 2024 \(nothing here has newer votes\)", text)
        assert b.get("/trending?category=cs.LG").status_code == 200
        assert "Nothing is trending in q-bio.XX" in b.get("/trending?category=q-bio.XX").text


def test_week_and_month_lists(app):
    with browser(app) as b:
        r = b.get("/papers/week/2024-W01")
        assert r.status_code == 200 and "Paper number 1" in r.text and "Week 1, 2024" in r.text
        assert 'rel="prev"' not in r.text  # no earlier week has papers: no link into empty weeks
        r = b.get("/papers/month/2024-01")
        assert r.status_code == 200 and "January 2024" in r.text and "3 papers featured" in r.text
        # the Day switch goes to the month's last day with papers (the 2nd), not to an empty 31st
        assert 'href="/papers/date/2024-01-02" class="">Day</a>' in r.text
        assert 'href="/papers/date/2024-01-02" class="">Day</a>' in b.get("/papers/week/2024-W01").text
        assert 'href="/papers/week/2024-W01" class="">Week</a>' in b.get("/papers/date/2024-01-05").text
        for bad in ("/papers/week/2024-W99", "/papers/week/24-1", "/papers/month/2024-13", "/papers/month/1800-01"):
            assert b.get(bad).status_code == 404, bad


def test_author_page(app):
    with browser(app) as b:
        r = b.get("/authors/Ada%20Lovelace")
        assert r.status_code == 200 and "3 papers" in r.text
        assert b.get("/authors/Nobody%20Here").status_code == 404


def test_paper_bibtex_and_markdown(app):
    with browser(app) as b:
        page = b.get("/papers/2401.00001").text
        assert "@misc{" in page and "Copy BibTeX" in page
        bib = b.get("/papers/2401.00001.bib")
        assert bib.headers["content-type"].startswith("application/x-bibtex") and "archiveprefix = {arXiv}" in bib.text
        md = b.get("/papers/2401.00001.md")
        assert md.text.startswith("# Paper number 1") and "**Authors:** Ada Lovelace, Alan Turing" in md.text
        assert b.get("/papers/9999.99999.md").status_code == 404


def test_admin_pick_appears_on_todays_list(app, store):
    with store.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=password_hash("admin password"), is_admin=True)
    add_papers(store, paper(7, day=None))
    with browser(app) as admin:
        admin.login("root", "admin password")
        r = admin.form("/admin/papers/2401.00007/feature", from_page="/", follow_redirects=True)
        assert "Paper number 7" in r.text and "submitted by root" in r.text
        r = admin.form("/admin/papers/2401.00007/feature", from_page="/", follow_redirects=True)
        assert "already on the daily list" in r.text
