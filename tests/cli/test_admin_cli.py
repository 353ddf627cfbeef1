"""``paperfeed admin``: the operator's moderation commands run the same actions as the admin buttons
(actions.community), with one-line errors for unknown names and ids."""

from __future__ import annotations

from datetime import date

from paperfeed.store import community
from paperfeed.store import papers as store_papers
from paperfeed.store import users as store_users
from tests.helpers.cli import pf
from tests.helpers.web import add_papers, paper


def test_admin_commands(db_url, store):
    add_papers(store, paper(1), paper(2, day=None))
    r = pf(db_url, "admin", "create-user", "ada", "--email", "ada@example.org", "--password-stdin",
           input="correct horse battery\n")  # fmt: skip
    assert r.returncode == 0 and "created user ada" in r.stdout, r.stderr
    r = pf(db_url, "admin", "create-user", "root", "--admin", "--password-stdin", input="short\n")
    assert r.returncode == 1 and "8 to 1024" in r.stderr
    with store.transaction() as conn:
        ada = store_users.get_user_by_name(conn, "ada")
        assert ada.email == "ada@example.org"  # the operator vouches for the address
        cid = community.add_comment(conn, user_id=ada.id, paper_id="2401.00001", body="spam")

    assert pf(db_url, "admin", "ban", "ada").returncode == 0
    assert pf(db_url, "admin", "hide-comment", str(cid)).returncode == 0
    assert pf(db_url, "admin", "feature", "2401.00002v1", "--day", "2024-03-05", "--by", "mod").returncode == 0
    assert pf(db_url, "admin", "hide-paper", "2401.00001").returncode == 0
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
        r = pf(db_url, "admin", *args)
        assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    assert pf(db_url, "admin", "ban", "ada", "--undo").returncode == 0
    with store.read() as conn:
        assert not store_users.get_user_by_name(conn, "ada").banned


def test_admin_takes_ids_as_written_and_picks_no_day_to_come(db_url, store):
    add_papers(store, paper(1), paper(2, day=None))
    assert pf(db_url, "admin", "hide-paper", "arXiv:2401.00001v2").returncode == 0
    r = pf(db_url, "admin", "hide-paper", "https://arxiv.org/abs/2401.00001", "--undo")
    assert r.returncode == 0, r.stderr
    r = pf(db_url, "admin", "feature", "2401.00002", "--day", "2030-01-01")
    assert r.returncode == 1 and "after today" in r.stderr
    with store.read() as conn:
        assert not store_papers.get_paper(conn, "2401.00001").hidden
        assert store_papers.get_paper(conn, "2401.00002").featured == []
    assert pf(db_url, "admin", "feature", "2401.00002", "--day", "2024-03-05").returncode == 0
    r = pf(db_url, "admin", "unfeature", "2401.00002", "--day", "2024-03-06")
    assert r.returncode == 1 and "not on the list of 2024-03-06" in r.stderr
    r = pf(db_url, "admin", "unfeature", "2401.00001", "--day", "2024-01-02")
    assert r.returncode == 1 and "imported" in r.stderr  # HF's listing comes back with the next import
    r = pf(db_url, "admin", "unfeature", "2401.00002v1", "--day", "2024-03-05")
    assert r.returncode == 0 and "off the list of 2024-03-05" in r.stdout
    with store.read() as conn:
        assert store_papers.get_paper(conn, "2401.00002").featured == []


def test_create_user_without_a_terminal_says_how(db_url, store):
    """Run from cron or ``docker exec`` without -t (stdin is no terminal) the password is not asked (getpass
    would warn and echo it): one line says to pipe it with --password-stdin; an empty pipe says so too."""
    r = pf(db_url, "admin", "create-user", "ada", input="")
    assert r.returncode == 1 and "--password-stdin" in r.stderr and "Warning" not in r.stderr, r.stderr
    r = pf(db_url, "admin", "create-user", "ada", "--password-stdin", input="")
    assert r.returncode == 1 and "no password on stdin" in r.stderr and "aborted" not in r.stderr
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ada") is None
