"""What a moderator sees of moderation on the pages: the log at /admin/log (admins only), reasons given in
the forms, and a ban that hides the spammer's comments with it."""

from __future__ import annotations

import re

import pytest

from paperfeed.actions import community as actions
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=password_hash("admin password"), is_admin=True)
    return make_app(store, tmp_path)


def _rows(html: str) -> list[list[str]]:
    """The log table's rows as the cells' text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]  # fmt: skip


def test_the_log_lists_who_did_what_and_only_admins_read_it(app, store):
    with browser(app) as admin, browser(app) as user, browser(app) as visitor:
        user.signup("ada")
        r = user.form("/papers/2401.00002/comments", {"body": "spam spam"}, from_page="/")
        cid = r.headers["location"].split("comment-")[1]
        admin.login("root", "admin password")
        assert admin.form(f"/admin/comments/{cid}/hide", {"hidden": "true", "reason": "advertising"}).status_code == 303
        assert admin.form("/admin/papers/2401.00001/hide", {"hidden": "true"}).status_code == 303
        assert admin.form("/admin/papers/2401.00001/hide", {"hidden": "false"}).status_code == 303
        actions.set_admin(store, "ada", actor="cli:operator", reason="helps with spam")  # as the shell does

        page = admin.get("/admin/log")
        assert page.status_code == 200
        assert _rows(page.text) == [  # newest first
            [page_time(page.text, 0), "cli:operator", "set-admin", "ada", "helps with spam"],
            [page_time(page.text, 1), "root", "show-paper", "2401.00001", ""],
            [page_time(page.text, 2), "root", "hide-paper", "2401.00001", ""],
            [page_time(page.text, 3), "root", "hide-comment", f"comment {cid}", "advertising"],
        ]
        assert 'href="/admin/log"' in admin.get("/users/root").text  # where an admin sees their tools
        assert 'href="/admin/log"' in admin.get("/papers/2401.00002").text

        r = visitor.get("/admin/log", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        with store.transaction() as conn:
            store_users.set_admin(conn, store_users.get_user_by_name(conn, "ada").id, False)
        r = user.get("/admin/log")
        assert r.status_code == 403 and "helps with spam" not in r.text
        assert 'href="/admin/log"' not in user.get("/users/ada").text


def page_time(html: str, i: int) -> str:
    return re.findall(r"<time [^>]*>([^<]+)</time>", html)[i]


def test_the_log_pages_newest_first(app, store):
    for n in range(55):
        actions.hide_paper(store, "2401.00001", n % 2 == 0, actor="root", reason=f"round {n}")
    with browser(app) as admin:
        admin.login("root", "admin password")
        first = admin.get("/admin/log").text
        assert "55 entries" in first and "page 1 of 2" in first
        assert _rows(first)[0][-1] == "round 54" and len(_rows(first)) == 50
        second = admin.get("/admin/log?p=2").text
        assert [r[-1] for r in _rows(second)] == [f"round {n}" for n in range(4, -1, -1)]
        assert admin.get("/admin/log?p=0").status_code == 422


def test_ban_with_hide_comments_from_the_profile(app, store):
    with browser(app) as admin, browser(app) as spammer, browser(app) as reader:
        spammer.signup("spammy")
        for n in (1, 2):
            spammer.form(f"/papers/2401.0000{n}/comments", {"body": f"cheap pills {n}"}, from_page="/")
        admin.login("root", "admin password")
        profile = admin.get("/users/spammy").text
        assert 'name="hide_comments"' in profile and 'name="reason"' in profile
        r = admin.form("/admin/users/spammy/ban", {"banned": "true", "hide_comments": "true", "reason": "pills"},
                       from_page="/users/spammy", follow_redirects=True)  # fmt: skip
        assert "spammy is banned; 2 comments of theirs hidden." in r.text
        for n in (1, 2):
            assert "cheap pills" not in reader.get(f"/papers/2401.0000{n}").text
            assert reader.get(f"/api/papers/2401.0000{n}/comments").json() == []
        log = _rows(admin.get("/admin/log").text)
        assert [(r[1], r[2], r[4]) for r in log] == [
            ("root", "hide-comment", "with the ban of spammy: pills"),
            ("root", "hide-comment", "with the ban of spammy: pills"),
            ("root", "ban", "pills"),
        ]
        r = admin.form("/admin/users/spammy/ban", {"banned": "false"}, from_page="/users/spammy")
        assert r.status_code == 303
        assert "cheap pills" not in reader.get("/papers/2401.00001").text  # unbanning shows nothing again
        long = admin.form("/admin/users/spammy/ban", {"banned": "true", "reason": "x" * 501}, from_page="/users/spammy")
        assert long.status_code == 422
