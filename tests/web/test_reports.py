"""Readers' reports on the pages: the report forms beside a comment and on a paper page, sent as a browser
sends them (the page's own form, its CSRF token), and who may do what (signed out, reader, admin)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from paperfeed.actions import community as actions
from paperfeed.actions import reports as report_actions
from paperfeed.store import community, modlog
from paperfeed.store import reports as store_reports
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash


class _Forms(HTMLParser):
    """Each form of a page: its action, the values it sends as it stands (checked radios, hidden fields,
    text), and its buttons' ``(name, value)``."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": {}, "buttons": [], "radios": []})
        elif self.forms and tag == "input" and a.get("name"):
            form = self.forms[-1]
            if a.get("type") in ("radio", "checkbox"):  # sent only when checked, as a browser does
                if a.get("type") == "radio":
                    form["radios"].append(a["value"])
                if "checked" in a:
                    form["fields"][a["name"]] = a.get("value", "on")
            else:
                form["fields"][a["name"]] = a.get("value", "")
        elif self.forms and tag == "button" and a.get("name"):
            self.forms[-1]["buttons"].append((a["name"], a.get("value", "")))


def form_at(html: str, action: str) -> dict | None:
    parser = _Forms()
    parser.feed(html)
    return next((f for f in parser.forms if f["action"] == action), None)


def send(client, page: str, to: str, /, **values):
    """Fill in and send the form of ``page`` that posts to ``to``, as a browser would."""
    form = form_at(client.get(page).text, to)
    assert form is not None, f"no form to {to} on {page}"
    return client.post(to, data={**form["fields"], **values}, follow_redirects=False)


def flashes(client, path: str) -> str:
    return client.get(path).text.split('<main id="main"', 1)[1].split("</p>", 1)[0]


@pytest.fixture
def site(store, tmp_path):
    """Papers 1 and 2; ann's comment on paper 1; admin root."""
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=password_hash("admin password"), is_admin=True)
        ann = store_users.create_user(conn, username="ann", password_hash=password_hash("correct horse battery"))
        cid = community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="cheap pills http://x.example")
    return make_app(store, tmp_path), cid


def test_a_reader_reports_a_comment_from_the_page_once(site, store):
    app, cid = site
    action = f"/papers/2401.00001/comments/{cid}/report"
    with browser(app) as bob, browser(app) as visitor:
        assert form_at(visitor.get("/papers/2401.00001").text, action) is None  # signed out: no form
        bob.signup("bob")
        form = form_at(bob.get("/papers/2401.00001").text, action)
        assert form["radios"] == list(store_reports.REASONS) and form["fields"]["reason"] == "spam"
        r = send(bob, "/papers/2401.00001", action, reason="abuse", note="links to a pharmacy")
        assert r.status_code == 303 and r.headers["location"] == f"/papers/2401.00001#comment-{cid}"
        assert "a moderator will look at it" in flashes(bob, "/papers/2401.00001")
        r = send(bob, "/papers/2401.00001", action, reason="spam")  # again: said, not an error page
        assert r.status_code == 303
        assert "You already reported this comment" in flashes(bob, "/papers/2401.00001")
        r = send(bob, "/papers/2401.00001", "/papers/2401.00001/report", reason="off-topic")
        assert r.status_code == 303 and r.headers["location"] == "/papers/2401.00001"
    with store.read() as conn:
        groups = store_reports.queue(conn)
    assert [(g.kind, g.reasons, g.notes) for g in groups] == [
        ("paper", {"off-topic": 1}, []), ("comment", {"abuse": 1}, [("bob", "links to a pharmacy")])]  # fmt: skip


def test_bad_reports_get_4xx(site, store):
    app, cid = site
    action = f"/papers/2401.00001/comments/{cid}/report"
    with browser(app) as ann, browser(app) as visitor:
        r = visitor.form(action, {"reason": "spam"})
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        ann.login("ann")
        page = ann.get("/papers/2401.00001").text
        assert form_at(page, action) is None and form_at(page, "/papers/2401.00001/report") is not None
        r = ann.form(action, {"reason": "spam"})
        assert r.status_code == 400 and "cannot report your own comment" in r.text
        assert ann.form(action, {"reason": "boring"}).status_code == 422
        assert ann.form("/papers/2401.00001/report", {"reason": "spam", "note": "x" * 501}).status_code == 422
        assert ann.form("/papers/2401.00001/report", {}).status_code == 422
        assert ann.form("/papers/2401.00002/comments/99999/report", {"reason": "spam"}).status_code == 404
        assert ann.form(f"/papers/2401.00002/comments/{cid}/report", {"reason": "spam"}).status_code == 404
        assert ann.form("/papers/2499.99999/report", {"reason": "spam"}).status_code == 404
        assert ann.form("/papers/2401.00001/comments/0/report", {"reason": "spam"}).status_code == 422
        r = ann.post("/papers/2401.00001/report", data={"reason": "spam"}, follow_redirects=False)
        assert r.status_code == 403  # no CSRF token
    with store.read() as conn:
        assert store_reports.open_count(conn) == 0


def test_a_hidden_item_is_reported_as_handled(site, store):
    app, cid = site
    with browser(app) as bob:
        bob.signup("bob")
        page = bob.get("/papers/2401.00001").text
        actions.hide_comment(store, cid, actor="root")  # while bob reads the page
        r = bob.form(f"/papers/2401.00001/comments/{cid}/report", {"reason": "spam"}, from_page="/")
        assert r.status_code == 303 and "already took this comment down" in flashes(bob, "/papers/2401.00001")
        assert form_at(page, "/papers/2401.00001/report") is not None
        actions.hide_paper(store, "2401.00001", actor="root")
        r = bob.form("/papers/2401.00001/report", {"reason": "spam"}, from_page="/")
        assert r.status_code == 303 and r.headers["location"] == "/"  # the paper's page is gone for readers
        assert "already took this paper down" in flashes(bob, "/")
    with store.read() as conn:
        assert store_reports.open_count(conn) == 0


def test_reports_are_rate_limited(site, monkeypatch):
    app, _ = site
    monkeypatch.setattr(report_actions, "REPORTS_PER_HOUR", 1)
    with browser(app) as bob:
        bob.signup("bob")
        assert bob.form("/papers/2401.00001/report", {"reason": "spam"}).status_code == 303
        r = bob.form("/papers/2401.00002/report", {"reason": "spam"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "1 reports in the last hour" in r.text
        assert bob.form("/papers/2401.00001/report", {"reason": "spam"}).status_code == 303  # already reported


def test_the_queue_is_for_admins_who_hide_or_dismiss(site, store):
    app, cid = site
    with browser(app) as root, browser(app) as bob, browser(app) as visitor:
        bob.signup("bob")
        bob.form(f"/papers/2401.00001/comments/{cid}/report", {"reason": "spam", "note": "pills"})
        bob.form("/papers/2401.00002/report", {"reason": "not-a-paper"})
        r = visitor.get("/admin/reports", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        assert bob.get("/admin/reports").status_code == 403
        assert 'href="/admin/reports"' not in bob.get("/papers/2401.00002").text

        root.login("root", "admin password")
        page = root.get("/admin/reports").text
        assert "Reports (2)" in page  # the header's link, with the open count
        assert page.index("Paper number 2") < page.index("cheap pills")  # newest report first
        assert "pills" in page and "Not a paper / other" in page and "1 reader:" in page
        for where in ("/users/root", "/papers/2401.00002", "/admin/log", "/admin/hidden"):
            assert 'href="/admin/reports">Reports (2)' in root.get(where).text, where
        with store.read() as conn:
            comment_report, paper_report = (g.id for g in reversed(store_reports.queue(conn)))
        form = form_at(page, f"/admin/reports/{comment_report}/resolve")
        assert form["buttons"] == [("action", "hide"), ("action", "dismiss")] and "reason" in form["fields"]

        r = send(root, "/admin/reports", f"/admin/reports/{comment_report}/resolve", action="hide", reason="spam")
        assert r.status_code == 303 and r.headers["location"] == "/admin/reports"
        page = root.get("/admin/reports").text
        assert f"Comment {cid} is hidden" in page and "cheap pills" not in page and "Reports (1)" in page
        assert "cheap pills" not in visitor.get("/papers/2401.00001").text
        r = send(root, "/admin/reports", f"/admin/reports/{paper_report}/resolve", action="dismiss")
        assert r.status_code == 303
        page = root.get("/admin/reports").text
        assert "Reports of paper 2401.00002 dismissed" in page and "No open reports" in page
        assert "Paper number 2" in visitor.get("/papers/2401.00002").text  # dismissed: it stays

        r = root.form(f"/admin/reports/{paper_report}/resolve", {"action": "dismiss"})  # a second click
        assert r.status_code == 303 and "is closed already" in flashes(root, "/admin/reports")
        assert root.form("/admin/reports/999999/resolve", {"action": "hide"}).status_code == 404
        assert root.form(f"/admin/reports/{paper_report}/resolve", {"action": "ban"}).status_code == 422
        assert bob.form(f"/admin/reports/{paper_report}/resolve", {"action": "hide"}).status_code == 403
        log = root.get("/admin/log").text
        assert "dismiss-reports" in log and '<a href="/papers/2401.00002">paper 2401.00002</a>' in log
    with store.read() as conn:
        entries = modlog.entries(conn, limit=2)
    assert [(e.actor, e.action, e.target, e.reason) for e in entries] == [
        ("root", "dismiss-reports", "paper 2401.00002", "1 report (not-a-paper)"),
        ("root", "hide-comment", str(cid), "spam; closes 1 report (spam)"),
    ]


def test_hidden_things_are_listed_and_unhidden(site, store):
    app, cid = site
    actions.hide_paper(store, "2401.00002", actor="root")
    actions.hide_comment(store, cid, actor="root")
    with browser(app) as root, browser(app) as bob:
        bob.signup("bob")
        assert bob.get("/admin/hidden").status_code == 403
        root.login("root", "admin password")
        page = root.get("/admin/hidden").text
        assert "Paper number 2" in page and "cheap pills" in page
        r = send(root, "/admin/hidden", "/admin/papers/2401.00002/hide")
        assert r.status_code == 303
        headers = {"referer": "http://testserver/admin/hidden"}
        form = form_at(root.get("/admin/hidden").text, f"/admin/comments/{cid}/hide")
        r = root.post(f"/admin/comments/{cid}/hide", data=form["fields"], headers=headers, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/admin/hidden"
        page = root.get("/admin/hidden").text
        assert "No hidden papers" in page and "No hidden comments" in page and f"Comment {cid} is now visible" in page
    with store.read() as conn:
        assert [e.action for e in modlog.entries(conn, limit=2)] == ["show-comment", "show-paper"]
        assert community.hidden_papers(conn) == [] and community.hidden_comments(conn) == []


def test_a_pick_is_undone_from_the_paper_page(site, store):
    app, _ = site
    add_papers(store, paper(3, day=None))
    with browser(app) as root:
        root.login("root", "admin password")
        assert form_at(root.get("/papers/2401.00001").text, "/admin/papers/2401.00001/unfeature") is None  # imported
        r = root.form("/admin/papers/2401.00001/unfeature", {"day": "2024-01-02"})
        assert r.status_code == 303 and "was imported" in flashes(root, "/papers/2401.00001")
        assert send(root, "/papers/2401.00003", "/admin/papers/2401.00003/feature").status_code == 303
        r = send(root, "/papers/2401.00003", "/admin/papers/2401.00003/unfeature")
        assert r.status_code == 303 and r.headers["location"] == "/papers/2401.00003"
        page = root.get("/papers/2401.00003").text
        assert "is off the list of" in page and "Pick for today" in page
        assert root.form("/admin/papers/2401.00003/unfeature", {"day": "not a day"}).status_code == 422
        assert root.form("/admin/papers/2499.99999/unfeature", {"day": "2024-01-02"}).status_code == 404
    with store.read() as conn:
        assert [e.action for e in modlog.entries(conn, limit=2)] == ["unfeature", "feature"]


def test_an_admin_cannot_ban_another_admin_from_the_web(site, store):
    app, _ = site
    with store.transaction() as conn:
        store_users.create_user(conn, username="mod", password_hash=password_hash("mod password"), is_admin=True)
    with browser(app) as root, browser(app) as mod:
        mod.login("mod", "mod password")
        root.login("root", "admin password")
        profile = root.get("/users/mod").text
        assert form_at(profile, "/admin/users/mod/ban") is None and "paperfeed admin ban mod" in profile
        assert form_at(root.get("/users/ann").text, "/admin/users/ann/ban") is not None
        r = root.form("/admin/users/mod/ban", {"banned": "true"})
        assert r.status_code == 403 and "mod is an admin" in r.text and "paperfeed admin ban mod" in r.text
        assert mod.get("/users/mod").text.count("Log out")  # mod's session lives on
    with store.read() as conn:
        assert not store_users.get_user_by_name(conn, "mod").banned
        assert modlog.count(conn) == 0
