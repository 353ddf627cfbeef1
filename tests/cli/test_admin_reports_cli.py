"""``paperfeed admin reports`` and ``admin resolve``: the report queue from the shell, the same actions as the
queue's buttons; and ``admin ban`` still bans an admin (the web refuses to)."""

from __future__ import annotations

import getpass
import json

from paperfeed.actions import reports as report_actions
from paperfeed.store import community, modlog
from paperfeed.store import reports as store_reports
from paperfeed.store import users as store_users
from tests.helpers.cli import pf
from tests.helpers.web import add_papers, paper


def test_reports_listed_and_resolved_from_the_shell(db_url, store):
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        ann, bob = (store_users.create_user(conn, username=n, password_hash="x") for n in ("ann", "bob"))
        store_users.create_user(conn, username="boss", password_hash="x", is_admin=True)
        cid = community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="visit my pharmacy now")
    r = pf(db_url, "admin", "reports")
    assert r.returncode == 0 and "No open reports." in r.stdout, r.stderr
    on_comment = report_actions.report(store, bob, "comment", str(cid), "spam", "pills")
    on_paper = report_actions.report(store, ann, "paper", "2401.00002", "off-topic")

    r = pf(db_url, "admin", "reports", "--json")
    assert r.returncode == 0, r.stderr
    listed = json.loads(r.stdout)
    assert [(g["id"], g["kind"], g["target"], g["reasons"], g["reporters"]) for g in listed] == [
        (on_paper.id, "paper", "2401.00002", {"off-topic": 1}, ["ann"]),
        (on_comment.id, "comment", str(cid), {"spam": 1}, ["bob"]),
    ]
    assert listed[1]["text"] == "visit my pharmacy now" and listed[1]["notes"] == [{"reporter": "bob", "note": "pills"}]
    r = pf(db_url, "admin", "reports")
    assert "2 of 2 reported items" in r.stdout and "ann: visit my pharmacy now" in r.stdout

    r = pf(db_url, "admin", "resolve", str(on_comment.id), "--hide", "--reason", "pharmacy spam")
    assert r.returncode == 0 and f"comment {cid} is hidden" in r.stdout, r.stderr
    r = pf(db_url, "admin", "resolve", str(on_paper.id), "--dismiss")
    assert r.returncode == 0 and "the reports of paper 2401.00002 are dismissed" in r.stdout, r.stderr
    with store.read() as conn:
        assert store_reports.open_count(conn) == 0 and community.hidden_comments(conn)[0].id == cid
        log = [(e.actor, e.action, e.target, e.reason) for e in modlog.entries(conn, limit=2)]
    me = f"cli:{getpass.getuser()}"
    assert log == [(me, "dismiss-reports", "paper 2401.00002", "1 report (off-topic)"),
                   (me, "hide-comment", str(cid), "pharmacy spam; closes 1 report (spam)")]  # fmt: skip

    for args, message in [
        (["resolve", str(on_paper.id), "--hide"], "is closed already (dismissed by cli:"),
        (["resolve", "999999", "--dismiss"], "no report 999999"),
        (["resolve", str(on_paper.id)], "--hide (the item) or --dismiss"),
        (["resolve", str(on_paper.id), "--hide", "--dismiss"], "--hide (the item) or --dismiss"),
    ]:
        r = pf(db_url, "admin", *args)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)

    r = pf(db_url, "admin", "ban", "boss", "--reason", "compromised")  # the shell bans an admin
    assert r.returncode == 0, r.stderr
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "boss").banned
