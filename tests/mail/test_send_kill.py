"""Kill-and-resume: ``paperfeed digest deliver`` is SIGKILLed mid-batch (the database then passes its checks
and holds every message once, none half-sent), run again, and every subscriber has exactly one message
(SQLite file and PostgreSQL; the killed sender is a real separate process, the rerun the command's entry point
in the test's process)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from datetime import UTC, date, datetime

import pytest

from paperfeed.mail.compose import compose_all
from paperfeed.settings import Settings
from paperfeed.store import Store
from paperfeed.store import outbox as store_outbox
from paperfeed.store import subscriptions as subs
from tests.helpers.cli import pf_here
from tests.helpers.kill import problems as db_problems
from tests.helpers.mail import mail_settings
from tests.helpers.web import add_papers, paper

N, K = 12, 5


def _cli(db_url: str, tmp_path, inbox, *args: str) -> list[str]:
    return [sys.executable, "-m", "paperfeed", "--database-url", db_url, "--data-dir", str(tmp_path), *args]


def _env(inbox) -> dict:
    return {
        "PAPERFEED_SMTP_HOST": "127.0.0.1",
        "PAPERFEED_SMTP_PORT": str(inbox.port),
        "PAPERFEED_MAIL_RATE": "0",
        "PAPERFEED_MAIL_FROM": "paperfeed <digest@example.org>",
    }


@pytest.mark.parametrize("when", ["before-250", "anywhere"])
def test_killed_sender_resumes_without_duplicates(db_url, tmp_path, inbox, when):
    if when == "anywhere" and db_url.startswith("postgresql"):
        pytest.skip("the random kill point runs on SQLite only (keeps the suite short)")
    store = Store.open(db_url)
    add_papers(store, paper(1, day=date(2024, 3, 4), upvotes=5, title="Ünïcode paper"))
    emails = [f"reader{i}@example.org" for i in range(N)]
    with store.transaction() as conn:
        for e in emails:
            sub = subs.subscribe(conn, e)
            subs.confirm(conn, sub.id, sub.token_version)
    settings = Settings(data_dir=tmp_path, database_url=db_url, **mail_settings(tmp_path, inbox))
    assert compose_all(store, settings, now=datetime(2024, 3, 5, 7, tzinfo=UTC)).queued == N

    proc: subprocess.Popen | None = None
    killed = threading.Event()

    def kill() -> None:
        if proc is not None and not killed.is_set():
            killed.set()
            os.kill(proc.pid, signal.SIGKILL)

    def on_data(_msg) -> None:
        if inbox.count() == K:
            if when == "before-250":
                kill()  # the server has the whole message; the sender waits for our reply: worst case
            else:
                threading.Timer(random.uniform(0, 0.02), kill).start()

    inbox.on_data = on_data
    proc = subprocess.Popen(_cli(db_url, tmp_path, inbox, "digest", "deliver"), env=os.environ | _env(inbox),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    out, err = proc.communicate(timeout=60)
    assert killed.is_set() and proc.returncode == -signal.SIGKILL, (proc.returncode, out, err)
    assert K <= inbox.count() < N
    assert db_problems(store) == []  # the database passes its checks ...
    with store.read() as conn:
        counts = store_outbox.counts(conn)
    # ... and holds every message once: sent, the one in flight (claimed, or handed to the server), pending
    assert sum(counts.values()) == N and counts["sending"] + counts["handed"] <= 1
    assert counts["sent"] <= inbox.count() <= counts["sent"] + counts["handed"]

    inbox.on_data = None
    rerun = pf_here(db_url, "--data-dir", str(tmp_path), "digest", "deliver", "--json", env=_env(inbox))
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)

    for e in emails:
        assert len(inbox.to(e)) == 1, f"{e} got {len(inbox.to(e))} messages"
    with store.read() as conn:
        counts = store_outbox.counts(conn)
    assert counts["sent"] + counts["unconfirmed"] == N and counts["pending"] == counts["sending"] == 0
    if when == "before-250":
        # killed between handing the message over and the server's 250: reported, never resent
        assert counts["unconfirmed"] == 1 and len(report["unconfirmed"]) == 1
        status = pf_here(db_url, "--data-dir", str(tmp_path), "digest", "status", "--json", env=_env(inbox))
        problems = json.loads(status.stdout)["problems"]
        assert [p["status"] for p in problems] == ["unconfirmed"] and "handing" in problems[0]["error"]
    store.close()
