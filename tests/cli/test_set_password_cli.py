"""``paperfeed admin set-password``: the operator sets the password of a reader who cannot reset it by mail
(no confirmed address): from stdin or asked twice at a terminal (never an argument), the sign-up rules,
every session of the account ended, logged in the moderation log; a confirmed address is told by mail,
also when the SMTP server is down (the outbox keeps it)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

from sqlalchemy import select as sql_select

from paperfeed.store import modlog
from paperfeed.store import users as store_users
from paperfeed.store.models import outbox
from tests.helpers.cli import pf_here
from tests.helpers.mail import free_port, mail_settings
from tests.helpers.web import CHEAP_PASSWORDS, PASSWORD, browser, make_app, password_hash

NEW = "a new secret here"


def _ann(store, email: str | None = None):
    with store.transaction() as conn:
        return store_users.create_user(
            conn, username="ann", password_hash=password_hash(), email=email, email_confirmed=True
        )


def _state(store) -> tuple[str, int, int]:
    with store.read() as conn:
        user = store_users.get_user_by_name(conn, "ann")
        return store_users.password_hash(conn, user.id), user.session_epoch, modlog.count(conn)


def test_the_operator_sets_a_password_from_stdin(db_url, store, tmp_path):
    _ann(store)
    app = make_app(store, tmp_path)
    with browser(app) as laptop:
        assert laptop.login("ann").status_code == 303 and 'href="/users/ann"' in laptop.get("/").text
        r = pf_here(db_url, "admin", "set-password", "ANN", "--password-stdin", "--reason", "asked by phone",
                    input=f"{NEW}\n")  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert "set the password of ann; every session of the account ended" in r.stdout
        assert NEW not in r.stdout + r.stderr and "mail" not in r.stdout  # no address: nothing to tell
        assert 'href="/users/ann"' not in laptop.get("/").text  # the session from before ended
    with browser(app) as b:
        assert b.login("ann", PASSWORD).status_code == 401
        assert b.login("ann", NEW).status_code == 303
    with store.transaction() as conn:
        [entry] = modlog.entries(conn)
        store_users.set_admin(conn, store_users.get_user_by_name(conn, "ann").id, True)
    assert (entry.action, entry.target, entry.reason) == ("set-password", "ann", "asked by phone")
    assert entry.actor.startswith("cli")
    with browser(app) as b:  # the admins' log names the account, linked
        b.login("ann", NEW)
        assert re.search(r'set-password</td>\s*<td><a href="/users/ann">ann</a>', b.get("/admin/log").text)


def test_refusals_change_nothing(lite_store, tmp_path):
    _ann(lite_store)
    url, before = f"sqlite:///{tmp_path / 'lite.db'}", _state(lite_store)
    cases = [
        (["nobody", "--password-stdin"], f"{NEW}\n", "no user 'nobody'"),
        (["ann", "--password-stdin"], "short\n", "8 to 1024 characters"),
        (["ann", "--password-stdin"], "", "no password on stdin"),
        (["ann"], f"{NEW}\n", "no terminal to ask the password at: pipe it in with --password-stdin"),
        (["ann", "--password-stdin", "--reason", "x" * 501], f"{NEW}\n", "a reason is at most 500 characters"),
    ]
    for args, typed, said in cases:
        r = pf_here(url, "admin", "set-password", *args, input=typed)
        assert r.returncode == 1 and said in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    r = pf_here(url, "admin", "set-password", "ann", NEW)  # never an argument: ps shows it to every local user
    assert r.returncode == 2 and "unexpected extra argument" in r.stderr
    assert _state(lite_store) == before


def test_a_confirmed_address_is_told_also_with_the_smtp_server_down(db_url, store, tmp_path, inbox):
    _ann(store, "ann@example.org")

    def run(password: str, **smtp):
        env = {f"PAPERFEED_{k.upper()}": str(v) for k, v in mail_settings(tmp_path, inbox, **smtp).items()}
        return pf_here(db_url, "admin", "set-password", "ann", "--password-stdin", input=f"{password}\n", env=env)

    r = run(NEW)
    assert r.returncode == 0 and "its confirmed address was told by mail" in r.stdout, r.stdout + r.stderr
    [mail] = inbox.to("ann@example.org")
    assert "was changed" in mail.msg["Subject"] and "by the site operator" in mail.text and NEW not in mail.text
    r = run("the second one", smtp_port=free_port())
    assert r.returncode == 0 and "waits in the outbox" in r.stdout and "paperfeed digest deliver" in r.stdout
    with browser(make_app(store, tmp_path)) as b:
        assert b.login("ann", "the second one").status_code == 303
    with store.read() as conn:
        rows = conn.execute(sql_select(outbox.c.status).where(outbox.c.kind == "password").order_by(outbox.c.id))
        assert [s for (s,) in rows] == ["sent", "pending"]
    assert len(inbox.to("ann@example.org")) == 1


def _read_until(fd: int, marker: bytes, deadline: float) -> bytes:
    """What the terminal shows until ``marker`` (or the process closed it)."""
    seen = b""
    while marker not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.5)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _at_a_terminal(db_url: str, *typed: str) -> tuple[int, str]:
    """The command at a terminal (its stdin, stdout and stderr; no other controlling terminal to open),
    typing each of ``typed`` after a prompt; returns the exit code and everything the terminal showed."""
    main, term = pty.openpty()
    env = os.environ | {f"PAPERFEED_{k.upper()}": str(v) for k, v in CHEAP_PASSWORDS.items()}
    env |= {"PAPERFEED_DATABASE_URL": db_url, "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "paperfeed", "admin", "set-password", "ann"], stdin=term,
                            stdout=term, stderr=term, env=env, start_new_session=True)  # fmt: skip
    os.close(term)
    deadline = time.monotonic() + 120
    shown = b""
    try:
        for line in typed:
            shown += _read_until(main, b": ", deadline)
            os.write(main, f"{line}\n".encode())
        code = proc.wait(timeout=120)
        shown += _read_until(main, b"\0never", deadline)
    finally:
        proc.kill()
        os.close(main)
    return code, re.sub(r"\x1b\[[0-9;]*m", "", shown.decode(errors="replace"))  # without rich's bold


def test_asked_twice_at_a_terminal_without_echo(lite_store, tmp_path):
    _ann(lite_store)
    url, before = f"sqlite:///{tmp_path / 'lite.db'}", _state(lite_store)
    code, differ = _at_a_terminal(url, NEW, "a typo in it")
    assert code == 1 and "Password: " in differ and "The same password again: " in differ, differ
    assert "the two passwords differ: nothing changed" in differ and _state(lite_store) == before
    code, shown = _at_a_terminal(url, NEW, NEW)
    assert code == 0 and "set the password of ann" in shown, shown
    assert NEW not in differ + shown and "typo" not in differ  # typed without echo
    with browser(make_app(lite_store, tmp_path)) as b:
        assert b.login("ann", NEW).status_code == 303
