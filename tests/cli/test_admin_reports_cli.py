"""``paperfeed admin reports`` and ``admin resolve``: the report queue from the shell, the same actions as the
queue's buttons, in pages, with one reader's flood dismissed at once; what readers wrote prints literally;
and ``admin ban`` still bans an admin (the web refuses to)."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime

from sqlalchemy import update

from paperfeed.actions import reports as report_actions
from paperfeed.store import community, modlog
from paperfeed.store import reports as store_reports
from paperfeed.store import users as store_users
from paperfeed.store.models import comments
from tests.helpers.cli import pf_here
from tests.helpers.web import add_papers, paper


def test_reports_listed_and_resolved_from_the_shell(db_url, store):
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        ann, bob = (store_users.create_user(conn, username=n, password_hash="x") for n in ("ann", "bob"))
        store_users.create_user(conn, username="boss", password_hash="x", is_admin=True)
        cid = community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="visit my pharmacy now")
    r = pf_here(db_url, "admin", "reports")
    assert r.returncode == 0 and "No open reports." in r.stdout, r.stderr
    on_comment = report_actions.report(store, bob, "comment", str(cid), "spam", "pills")
    on_paper = report_actions.report(store, ann, "paper", "2401.00002", "off-topic")

    r = pf_here(db_url, "admin", "reports", "--json")
    assert r.returncode == 0, r.stderr
    listed = json.loads(r.stdout)
    assert [(g["id"], g["kind"], g["target"], g["reasons"], g["reporters"]) for g in listed] == [
        (on_paper.id, "paper", "2401.00002", {"off-topic": 1}, ["ann"]),
        (on_comment.id, "comment", str(cid), {"spam": 1}, ["bob"]),
    ]
    assert listed[1]["text"] == "visit my pharmacy now" and listed[1]["notes"] == [{"reporter": "bob", "note": "pills"}]
    r = pf_here(db_url, "admin", "reports")
    assert "2 of 2 reported items" in r.stdout and "ann: visit my pharmacy now" in r.stdout

    r = pf_here(db_url, "admin", "resolve", str(on_comment.id), "--hide", "--reason", "pharmacy spam")
    assert r.returncode == 0 and f"comment {cid} is hidden" in r.stdout, r.stderr
    r = pf_here(db_url, "admin", "resolve", str(on_paper.id), "--dismiss")
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
        r = pf_here(db_url, "admin", *args)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)

    r = pf_here(db_url, "admin", "ban", "boss", "--reason", "compromised")  # the shell bans an admin
    assert r.returncode == 0, r.stderr
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "boss").banned


HOSTILE = [
    "see [/x] here",
    "[link=https://evil.example/phish]Official: moderators click here to verify[/link] [bold red]",
    "esc \x1b[2J\x1b[31mRED\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ end",
]


def test_what_readers_wrote_reaches_the_terminal_literally(db_url, store):
    """Rich markup and escape codes in comments (stored before such text was refused) print as typed: no
    crash on "[/x]", no link, no escape byte; the error line of a hostile argument too."""
    add_papers(store, paper(1))
    with store.transaction() as conn:
        eve, bob = (store_users.create_user(conn, username=n, password_hash="x") for n in ("eve", "bob"))
        ids = [conn.execute(comments.insert().values(paper_id="2401.00001", user_id=eve.id, body=body, hidden=False,
                                                     created_at=datetime.now(UTC)).returning(comments.c.id)).scalar_one()
               for body in HOSTILE]  # fmt: skip
    for cid in ids:
        report_actions.report(store, bob, "comment", str(cid), "abuse")
    r = pf_here(db_url, "admin", "reports")
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "see [/x] here" in r.stdout
    assert "[link=https://evil.example/phish]Official" in r.stdout and "\\x1b[2J\\x1b[31mRED" in r.stdout

    r = pf_here(db_url, "admin", "hide-comment", str(ids[0]), "--reason", "[/x] [bold]rude")
    assert r.returncode == 0, r.stderr
    for args in (["hidden"], ["log"]):
        r = pf_here(db_url, "admin", *args)
        assert r.returncode == 0 and "[/x]" in r.stdout and "\x1b" not in r.stdout, (args, r.stdout, r.stderr)
    assert "[/x] [bold]rude" in r.stdout

    r = pf_here(db_url, "admin", "ban", "[/x]\x1b[2J")
    assert r.returncode == 1 and "error: No user '[/x]\\x1b[2J'" in r.stderr and "Traceback" not in r.stderr


def test_the_queue_in_pages_and_a_readers_flood_dismissed_from_the_shell(db_url, store):
    add_papers(store, *(paper(n) for n in range(1, 5)))
    with store.transaction() as conn:
        ann, flood = (store_users.create_user(conn, username=n, password_hash="x") for n in ("ann", "flood"))
        cid = community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="the original text")
    report_actions.report(store, flood, "comment", str(cid), "abuse")
    with store.transaction() as conn:  # changed after the report (from before edits were refused)
        conn.execute(update(comments).where(comments.c.id == cid).values(body="an innocent text"))
    for n in (2, 3, 4):
        report_actions.report(store, ann if n == 4 else flood, "paper", f"2401.0000{n}", "spam")

    r = pf_here(db_url, "admin", "reports", "--limit", "2")
    assert r.returncode == 0 and "2 of 4 reported items, page 1 of 2" in r.stdout and "--page 2" in r.stdout
    r = pf_here(db_url, "admin", "reports", "--limit", "2", "--page", "2")
    assert "2 of 4 reported items, page 2 of 2" in r.stdout and "ann: an innocent text" in r.stdout, r.stdout
    assert "edited since reported; it said: the original text" in r.stdout
    listed = json.loads(pf_here(db_url, "admin", "reports", "--json", "--reporter", "flood").stdout)
    assert [g["target"] for g in listed] == ["2401.00003", "2401.00002", str(cid)]
    assert listed[2]["reported_text"] == "the original text" and listed[2]["edited_since_reported"]

    r = pf_here(db_url, "admin", "dismiss-reporter", "flood", "--reason", "flood")
    assert r.returncode == 0 and "3 open reports from flood dismissed" in r.stdout, r.stderr
    assert [g["target"] for g in json.loads(pf_here(db_url, "admin", "reports", "--json").stdout)] == ["2401.00004"]
    r = pf_here(db_url, "admin", "dismiss-reporter", "nobody")
    assert r.returncode == 1 and "no user 'nobody'" in r.stderr
    with store.read() as conn:
        [e] = modlog.entries(conn, limit=1)
    assert (e.action, e.target) == ("dismiss-reporter", "flood")
    assert e.reason in ("flood; 3 reports (spam ×2, abuse)", "flood; 3 reports (abuse, spam ×2)")
