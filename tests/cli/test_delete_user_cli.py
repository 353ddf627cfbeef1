"""``paperfeed admin delete-user``: the operator deletes an account (as its owner can on the settings page),
after a confirmation at the terminal or with --yes; logged in the moderation log."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from paperfeed.store import community, modlog
from paperfeed.store import papers as store_papers
from paperfeed.store import users as store_users
from tests.helpers.cli import pf_here
from tests.helpers.web import add_papers, paper


def _ann(store) -> str:
    add_papers(store, paper(1, upvotes=2))
    with store.transaction() as conn:
        ann = store_users.create_user(conn, username="ann", password_hash="x")
        community.vote(conn, user_id=ann.id, paper_id="2401.00001", value=1)
        community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="hello")
        return store_users.create_token(conn, ann.id, "script")


def _at_a_terminal(db_url: str, answer: str) -> tuple[int, str]:
    """The command with a terminal as its stdin, answering the prompt with ``answer``."""
    main, term = pty.openpty()
    env = os.environ | {"PAPERFEED_DATABASE_URL": db_url, "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "paperfeed", "admin", "delete-user", "ann"], stdin=term,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)  # fmt: skip
    os.close(term)
    os.write(main, f"{answer}\n".encode())
    out, _ = proc.communicate(timeout=120)
    os.close(main)
    return proc.returncode, out


def test_the_operator_deletes_an_account_after_confirming(db_url, store):
    token = _ann(store)
    r = pf_here(db_url, "admin", "delete-user", "ann", input="")  # no terminal, no --yes: nothing asked, nothing done
    assert r.returncode == 1 and "no terminal to confirm at: add --yes to delete ann" in r.stderr
    code, out = _at_a_terminal(db_url, "n")
    assert (
        code == 1 and "Delete the account ann and everything it holds, for good?" in out and "Nothing deleted." in out
    )
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ann") is not None

    r = pf_here(db_url, "admin", "delete-user", "ANN", "--yes", "--reason", "asked by mail")
    assert r.returncode == 0, r.stderr
    assert "deleted user ann: 1 votes, 0 collections, 1 API tokens, 0 subscriptions and 0 unsent mails removed; " \
           '1 comments left as "[deleted]"' in r.stdout  # fmt: skip
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ann") is None
        assert not store_users.token_is_valid(conn, token)
        assert store_papers.get_paper(conn, "2401.00001").upvotes == 2
        [entry] = modlog.entries(conn)
        assert (entry.action, entry.target, entry.reason) == ("delete-user", "ann", "asked by mail")
        assert entry.actor.startswith("cli")
    for args in (["ann", "--yes"], ["nobody", "--yes"]):
        r = pf_here(db_url, "admin", "delete-user", *args)
        assert r.returncode == 1 and f"no user '{args[0]}'" in r.stderr and "Traceback" not in r.stderr


def test_a_confirmed_delete_at_the_terminal(db_url, store):
    _ann(store)
    code, out = _at_a_terminal(db_url, "y")
    assert code == 0 and "deleted user ann" in out, out
    with store.read() as conn:
        assert store_users.get_user_by_name(conn, "ann") is None
