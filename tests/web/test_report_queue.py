"""The report queue against a commenter and a flood (the attack audit's items 2 and 4): a reported comment
cannot be edited until a moderator has looked, and the queue shows what was reported when the text
changed anyway; the queue comes in pages, and a moderator dismisses one reader's flood of reports at once."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from paperfeed.store import community, modlog
from paperfeed.store import reports as store_reports
from paperfeed.store import users as store_users
from paperfeed.store.models import comments
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash
from tests.web.test_reports import form_at, send

PASSWORD = "correct horse battery"
PAGE = "/papers/2401.00001"


@pytest.fixture
def site(store, tmp_path):
    """eve's comment on paper 1; readers alice and flood; admin root."""
    add_papers(store, *(paper(n) for n in range(1, 63)))
    hashed = password_hash(PASSWORD)
    with store.transaction() as conn:
        ids = {name: store_users.create_user(conn, username=name, password_hash=hashed, is_admin=name == "root").id
               for name in ("root", "eve", "alice", "flood")}  # fmt: skip
        cid = community.add_comment(conn, user_id=ids["eve"], paper_id="2401.00001", body="ABUSIVE-SLUR-TEXT")
    return make_app(store, tmp_path), ids, cid


def test_a_reported_comment_keeps_its_text_until_a_moderator_looked(site, store):
    app, _, cid = site
    edit = f"/api/papers/2401.00001/comments/{cid}"
    with browser(app) as eve, browser(app) as alice, browser(app) as root:
        eve.login("eve")
        alice.login("alice")
        root.login("root")
        r = alice.post(f"{edit}/report", json={"reason": "abuse"}, headers={"X-CSRF-Token": alice.csrf(PAGE)})
        assert r.status_code == 201
        r = eve.patch(edit, json={"body": "Nice paper, thanks!"}, headers={"X-CSRF-Token": eve.csrf(PAGE)})
        assert r.status_code == 403 and "reported to the moderators" in r.json()["error"], r.text
        r = eve.form(f"{PAGE}/comments/{cid}/edit", {"body": "Nice paper, thanks!"}, from_page=PAGE)
        assert r.status_code == 403 and "reported to the moderators" in r.text
        page = root.get("/admin/reports").text
        assert "ABUSIVE-SLUR-TEXT" in page and "Edited since reported" not in page

        # a text that changed anyway (a report from before this rule): the queue shows both
        with store.transaction() as conn:
            conn.execute(update(comments).where(comments.c.id == cid).values(body="Nice paper, thanks!"))
        page = root.get("/admin/reports").text
        section = page.split('class="report-item"', 1)[1]
        assert "Edited since reported" in section
        assert section.index("Nice paper, thanks!") < section.index("What was reported:")
        assert section.index("What was reported:") < section.index("ABUSIVE-SLUR-TEXT")

        with store.read() as conn:
            [group] = store_reports.queue(conn)
        send(root, "/admin/reports", f"/admin/reports/{group.id}/resolve", action="dismiss")
        r = eve.patch(edit, json={"body": "Nice paper, really."}, headers={"X-CSRF-Token": eve.csrf(PAGE)})
        assert r.status_code == 200 and r.json()["body"] == "Nice paper, really."  # looked at: editable again


def test_the_queue_pages_and_a_flood_is_dismissed_at_once(site, store):
    app, ids, cid = site
    with store.transaction() as conn:  # alice's genuine report first, then 60 from flood (quota aside)
        store_reports.add(conn, user_id=ids["alice"], item=store_reports.find_item(conn, "comment", str(cid)),
                          reason="abuse")  # fmt: skip
        for n in range(2, 62):
            item = store_reports.find_item(conn, "paper", f"2401.{n:05d}")
            store_reports.add(conn, user_id=ids["flood"], item=item, reason="spam", note="x")
    with browser(app) as root, browser(app) as alice:
        root.login("root")
        page = root.get("/admin/reports").text
        assert "61 items, page 1 of 2" in page and page.count('class="report-item"') == 50
        assert "ABUSIVE-SLUR-TEXT" not in page and 'href="?p=2"' in page
        page = root.get("/admin/reports?p=2").text
        assert page.count('class="report-item"') == 11 and "ABUSIVE-SLUR-TEXT" in page
        assert root.get("/admin/reports?p=3").status_code == 200
        assert root.get("/admin/reports?reporter=999999").status_code == 404

        link = f'href="/admin/reports?reporter={ids["flood"]}"'
        assert link in page
        mine = root.get(f"/admin/reports?reporter={ids['flood']}").text
        assert "Reports from flood" in mine and "60 items, page 1 of 2" in mine and "ABUSIVE" not in mine
        action = f"/admin/reports/reporters/{ids['flood']}/dismiss"
        assert form_at(mine, action) is not None
        alice.login("alice")
        assert alice.form(action, {}, from_page="/account/password").status_code == 403
        r = send(root, f"/admin/reports?reporter={ids['flood']}", action, reason="report flood")
        assert r.status_code == 303 and r.headers["location"] == "/admin/reports"
        page = root.get("/admin/reports").text
        assert "60 open reports from flood dismissed." in page
        assert "1 item." in page and "ABUSIVE-SLUR-TEXT" in page  # alice's report stays
        assert root.form("/admin/reports/reporters/999999/dismiss", {}).status_code == 404
    with store.read() as conn:
        [entry] = modlog.entries(conn, limit=1)
    assert (entry.actor, entry.action, entry.target, entry.reason) == (
        "root", "dismiss-reporter", "flood", "report flood; 60 reports (spam ×60)")  # fmt: skip
