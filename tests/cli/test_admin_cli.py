"""``paperfeed admin``: the operator's moderation commands run the same actions as the admin buttons
(actions.community), with one-line errors for unknown names and ids."""

from __future__ import annotations

import getpass
import json
from datetime import date

from paperfeed.store import community
from paperfeed.store import papers as store_papers
from paperfeed.store import users as store_users
from tests.helpers.cli import pf_here
from tests.helpers.web import add_papers, browser, make_app, paper, password_hash


def test_admin_commands(db_url, store):
    add_papers(store, paper(1), paper(2, day=None))
    r = pf_here(db_url, "admin", "create-user", "ada", "--email", "ada@example.org", "--password-stdin",
           input="correct horse battery\n")  # fmt: skip
    assert r.returncode == 0 and "created user ada" in r.stdout, r.stderr
    r = pf_here(db_url, "admin", "create-user", "root", "--admin", "--password-stdin", input="short\n")
    assert r.returncode == 1 and "8 to 1024" in r.stderr
    with store.transaction() as conn:
        ada = store_users.get_user_by_name(conn, "ada")
        assert ada.email == "ada@example.org"  # the operator vouches for the address
        assert store_users.password_hash(conn, ada.id).startswith("$argon2id$v=19$m=1024,t=1,")  # PAPERFEED_PASSWORD_*
        cid = community.add_comment(conn, user_id=ada.id, paper_id="2401.00001", body="spam")

    assert pf_here(db_url, "admin", "ban", "ada").returncode == 0
    assert pf_here(db_url, "admin", "hide-comment", str(cid)).returncode == 0
    assert pf_here(db_url, "admin", "feature", "2401.00002v1", "--day", "2024-03-05", "--by", "mod").returncode == 0
    assert pf_here(db_url, "admin", "hide-paper", "2401.00001").returncode == 0
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ada").banned
        assert community.comments_for(conn, "2401.00001") == []
        assert store_papers.get_paper(conn, "2401.00001").hidden
        featured = store_papers.get_paper(conn, "2401.00002").featured
        assert [(f.day, f.submitted_by) for f in featured] == [(date(2024, 3, 5), "mod")]

    for args, message in [
        (["ban", "nobody"], "No user 'nobody'"),
        (["hide-comment", "999999"], "no such comment"),
        (["hide-paper", "2499.99999"], "No paper '2499.99999' here"),
        (["feature", "2401.00001"], "No paper '2401.00001' here"),  # hidden papers are not picked
        (["feature", "2401.00002", "--day", "2024-13-01"], "not a date"),
    ]:
        r = pf_here(db_url, "admin", *args)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    assert pf_here(db_url, "admin", "ban", "ada", "--undo").returncode == 0
    with store.read() as conn:
        assert not store_users.get_user_by_name(conn, "ada").banned


def test_admin_takes_ids_as_written_and_picks_no_day_to_come(db_url, store):
    add_papers(store, paper(1), paper(2, day=None))
    assert pf_here(db_url, "admin", "hide-paper", "arXiv:2401.00001v2").returncode == 0
    r = pf_here(db_url, "admin", "hide-paper", "https://arxiv.org/abs/2401.00001", "--undo")
    assert r.returncode == 0, r.stderr
    r = pf_here(db_url, "admin", "feature", "2401.00002", "--day", "2030-01-01")
    assert r.returncode == 1 and "after today" in r.stderr
    with store.read() as conn:
        assert not store_papers.get_paper(conn, "2401.00001").hidden
        assert store_papers.get_paper(conn, "2401.00002").featured == []
    assert pf_here(db_url, "admin", "feature", "2401.00002", "--day", "2024-03-05").returncode == 0
    r = pf_here(db_url, "admin", "unfeature", "2401.00002", "--day", "2024-03-06")
    assert r.returncode == 1 and "not on the list of 2024-03-06" in r.stderr
    r = pf_here(db_url, "admin", "unfeature", "2401.00001", "--day", "2024-01-02")
    assert r.returncode == 1 and "imported" in r.stderr  # HF's listing comes back with the next import
    r = pf_here(db_url, "admin", "unfeature", "2401.00002v1", "--day", "2024-03-05")
    assert r.returncode == 0 and "off the list of 2024-03-05" in r.stdout
    with store.read() as conn:
        assert store_papers.get_paper(conn, "2401.00002").featured == []


def test_create_user_without_a_terminal_says_how(db_url, store):
    """Run from cron or ``docker exec`` without -t (stdin is no terminal) the password is not asked (getpass
    would warn and echo it): one line says to pipe it with --password-stdin; an empty pipe says so too."""
    r = pf_here(db_url, "admin", "create-user", "ada", input="")
    assert r.returncode == 1 and "--password-stdin" in r.stderr and "Warning" not in r.stderr, r.stderr
    r = pf_here(db_url, "admin", "create-user", "ada", "--password-stdin", input="")
    assert r.returncode == 1 and "no password on stdin" in r.stderr and "aborted" not in r.stderr
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ada") is None


# --- the moderation log, what is hidden, a ban that takes the comments with it ----------------------------


def _cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def test_admin_log_says_who_did_what_from_the_pages_and_the_shell(db_url, store, tmp_path):
    add_papers(store, paper(1), paper(2), paper(3, day=None))
    with store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash=password_hash("correct horse battery"))
        cid = community.add_comment(conn, user_id=ada.id, paper_id="2401.00001", body="buy pills")
        store_users.create_user(conn, username="root", password_hash=password_hash("admin password"), is_admin=True)
    with browser(make_app(store, tmp_path)) as admin:
        admin.login("root", "admin password")
        r = admin.form("/admin/papers/2401.00002/hide", {"hidden": "true", "reason": "duplicate of 2401.00001"})
        assert r.status_code == 303
    assert pf_here(db_url, "admin", "hide-comment", str(cid), "--reason", "spam").returncode == 0
    assert pf_here(db_url, "admin", "ban", "ada").returncode == 0
    assert pf_here(db_url, "admin", "feature", "2401.00003", "--day", "2024-03-05", "--by", "mod").returncode == 0
    assert pf_here(db_url, "admin", "set-admin", "ada", "--reason", "trusted now").returncode == 0
    r = pf_here(db_url, "admin", "hide-paper", "2401.00001", "--reason", "x" * 501)  # refused: nothing done or logged
    assert r.returncode == 1 and "500 characters" in r.stderr and "Traceback" not in r.stderr

    r = pf_here(db_url, "admin", "log", "--json")
    assert r.returncode == 0, r.stderr
    got = [(e["actor"], e["action"], e["target"], e["reason"]) for e in json.loads(r.stdout)]
    me = _cli_actor()
    assert got == [  # newest first
        (me, "set-admin", "ada", "trusted now"),
        ("mod", "feature", "2401.00003 on 2024-03-05", None),  # --by names the admin
        (me, "ban", "ada", None),
        (me, "hide-comment", str(cid), "spam"),
        ("root", "hide-paper", "2401.00002", "duplicate of 2401.00001"),
    ]
    assert all(e["at"].endswith("+00:00") for e in json.loads(r.stdout))
    with store.read() as conn:
        assert not store_papers.get_paper(conn, "2401.00001").hidden
    r = pf_here(db_url, "admin", "log", "--limit", "2")
    assert r.returncode == 0 and "2 of 5 entries" in r.stdout and "set-admin" in r.stdout and "feature" in r.stdout
    assert "hide-paper" not in r.stdout


def test_admin_hidden_lists_exactly_what_is_hidden(db_url, store):
    add_papers(store, paper(1), paper(2), paper(3))
    assert pf_here(db_url, "admin", "hidden").stdout.strip() == "Nothing is hidden."
    with store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash=password_hash("correct horse battery"))
        spam = community.add_comment(conn, user_id=ada.id, paper_id="2401.00001", body="Cheap   pills\nat example.org")
        fine = community.add_comment(conn, user_id=ada.id, paper_id="2401.00002", body="A fair point.")
        gone = community.add_comment(conn, user_id=ada.id, paper_id="2401.00002", body="oops")
        community.delete_comment(conn, gone)  # deleted by its author: nothing to unhide
    for args in (["hide-paper", "2401.00003"], ["hide-paper", "2401.00002"], ["hide-paper", "2401.00002", "--undo"],
                 ["hide-comment", str(spam)], ["hide-comment", str(fine)], ["hide-comment", str(fine), "--undo"],
                 ["hide-comment", str(gone)]):  # fmt: skip
        assert pf_here(db_url, "admin", *args).returncode == 0, args
    r = pf_here(db_url, "admin", "hidden", "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["papers"] == [{"id": "2401.00003", "title": "Paper number 3"}]
    assert [(c["id"], c["paper_id"], c["author"], c["body"]) for c in got["comments"]] == [
        (spam, "2401.00001", "ada", "Cheap   pills\nat example.org")
    ]
    text = pf_here(db_url, "admin", "hidden").stdout
    assert "2401.00003" in text and "Paper number 3" in text and "Cheap pills at example.org" in text
    assert "2401.00002" not in text and "A fair point" not in text


def test_ban_hide_comments_takes_a_spammers_comments_down(db_url, store, tmp_path):
    add_papers(store, paper(1), paper(2))
    with store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash=password_hash("correct horse battery"))
        bob = store_users.create_user(conn, username="bob", password_hash=password_hash("correct horse battery"))
        first = community.add_comment(conn, user_id=ada.id, paper_id="2401.00001", body="spam one")
        community.add_comment(conn, user_id=bob.id, paper_id="2401.00001", body="stop it", parent_id=first)
        community.add_comment(conn, user_id=ada.id, paper_id="2401.00002", body="spam two")
        community.add_comment(conn, user_id=bob.id, paper_id="2401.00002", body="a real question")
    assert "unhide" in pf_here(db_url, "admin", "ban", "--help").stdout  # --help says --undo shows nothing again
    r = pf_here(db_url, "admin", "ban", "ada", "--undo", "--hide-comments")
    assert r.returncode == 1 and "goes with a ban" in r.stderr
    r = pf_here(db_url, "admin", "ban", "ada", "--hide-comments", "--reason", "pill spam")
    assert r.returncode == 0 and "ada is banned; 2 comments hidden" in r.stdout, r.stderr

    def shown_everywhere() -> list[str]:
        with browser(make_app(store, tmp_path)) as b:
            pages = [b.get(f"/papers/2401.0000{n}").text for n in (1, 2)]
            api = [b.get(f"/api/papers/2401.0000{n}/comments").json() for n in (1, 2)]
        assert "stop it" in pages[0] and "a real question" in pages[1]  # bob's stay
        found = [s for s in ("spam one", "spam two") if any(s in p for p in pages)]
        return found + [c["body"] for thread in api for c in thread if c["user"] == "ada"]

    assert shown_everywhere() == []
    log = json.loads(pf_here(db_url, "admin", "log", "--json").stdout)
    assert [(e["action"], e["reason"]) for e in log] == [
        ("hide-comment", "with the ban of ada: pill spam"), ("hide-comment", "with the ban of ada: pill spam"),
        ("ban", "pill spam"),
    ]  # fmt: skip
    assert pf_here(db_url, "admin", "ban", "ada", "--undo").returncode == 0
    assert shown_everywhere() == []  # lifting the ban shows nothing again
