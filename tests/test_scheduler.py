"""The scheduler: its jobs counted in the metrics (runs, failures, seconds), and each run once per slot
across the machines of one database, a killed holder taken over (the jobs themselves are tested in
tests/cli/test_digest_cli.py and beside their modules)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from paperfeed import scheduler


def _value(name: str, job: str) -> float:
    return REGISTRY.get_sample_value(name, {"job": job}) or 0.0


def test_observed_jobs_count_runs_and_failures():
    calls = []
    ok = scheduler.observed("test-ok", lambda: calls.append(1))
    boom = scheduler.observed("test-boom", lambda: 1 / 0)
    runs_ok, runs_boom, fails = _value("paperfeed_job_runs_total", "test-ok"), _value(
        "paperfeed_job_runs_total", "test-boom"), _value("paperfeed_job_failures_total", "test-boom")  # fmt: skip
    ok()
    ok()
    boom()  # logged and counted, never raised into the scheduler's thread
    assert calls == [1, 1]
    assert _value("paperfeed_job_runs_total", "test-ok") == runs_ok + 2
    assert _value("paperfeed_job_runs_total", "test-boom") == runs_boom + 1
    assert _value("paperfeed_job_failures_total", "test-boom") == fails + 1
    assert _value("paperfeed_job_failures_total", "test-ok") == 0
    assert REGISTRY.get_sample_value("paperfeed_job_seconds_count", {"job": "test-ok"}) == 2


def test_every_scheduled_job_is_observed():
    from paperfeed.settings import Settings

    sched = scheduler.build(Settings(schedule_hf=True), store=None)
    assert {j.id for j in sched.get_jobs()} >= {"digests", "deliver", "recommend", "ingest", "hf-upvotes"}
    assert all(j.func.__name__ == f"scheduled_{j.id}" for j in sched.get_jobs())


# --- once per slot across machines: two real processes over one database, one of them killed -----------

N, K = 10, 4
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _queued_weekly_digests(db_url, tmp_path, inbox):
    """N weekly subscribers with their digest composed and queued for a past week: the digests job (whose
    composing finds nothing due today, the weekly day being another) then only delivers them."""
    from datetime import UTC, date, datetime, timedelta

    from paperfeed.mail.compose import compose_all
    from paperfeed.settings import Settings
    from paperfeed.store import Store
    from paperfeed.store import subscriptions as subs
    from tests.helpers.mail import mail_settings
    from tests.helpers.web import add_papers, paper

    today = datetime.now(UTC).date()
    weekly = WEEKDAYS[(today.weekday() + 3) % 7]  # never today
    past = date(2024, 3, 4) + timedelta(days=WEEKDAYS.index(weekly))  # 2024-03-04 was a Monday
    store = Store.open(db_url)
    add_papers(store, paper(1, day=past - timedelta(days=1), upvotes=5))
    with store.transaction() as conn:
        for i in range(N):
            sub = subs.subscribe(conn, f"reader{i}@example.org")
            subs.confirm(conn, sub.id, sub.token_version)
            subs.update_settings(conn, sub.id, frequency="weekly", trending=True, personal=False, send_empty=False)
    settings = Settings(data_dir=tmp_path, database_url=db_url, weekly_day=weekly, **mail_settings(tmp_path, inbox))
    at = datetime.combine(past, datetime.min.time(), UTC).replace(hour=7)
    assert compose_all(store, settings, now=at).queued == N
    return store, weekly


def _job(db_url, tmp_path, inbox, weekly, *args):
    import os
    import subprocess
    import sys

    env = os.environ | {
        "PAPERFEED_SMTP_HOST": "127.0.0.1", "PAPERFEED_SMTP_PORT": str(inbox.port), "PAPERFEED_MAIL_RATE": "0",
        "PAPERFEED_MAIL_FROM": "paperfeed <digest@example.org>", "PAPERFEED_WEEKLY_DAY": weekly,
        "PAPERFEED_JOB_POLL_SECONDS": "0.2",
    }  # fmt: skip
    cmd = [sys.executable, "-m", "paperfeed", "--database-url", db_url, "--data-dir", str(tmp_path), "jobs", "run",
           "digests", *args]  # fmt: skip
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_holder_is_taken_over_without_a_double_send(db_url, tmp_path, inbox):
    import os
    import random
    import signal
    import threading
    import time

    from paperfeed.store import jobs as store_jobs
    from paperfeed.store import outbox as store_outbox

    if not db_url.startswith("postgresql"):
        pytest.skip("several machines share a PostgreSQL database (SQLite: see the next test)")
    store, weekly = _queued_weekly_digests(db_url, tmp_path, inbox)
    received_k = threading.Event()

    def slow(_msg) -> None:  # the SMTP server takes its time, so the holder is caught mid-send
        if inbox.count() >= K:
            received_k.set()
        time.sleep(0.15)

    inbox.on_data = slow
    first = _job(db_url, tmp_path, inbox, weekly)
    assert received_k.wait(60), first.communicate(timeout=5)
    second = _job(db_url, tmp_path, inbox, weekly)  # another machine's scheduler fires: it waits
    time.sleep(1.0 + random.uniform(0, 0.2))  # a kill at any point of a message's cycle (~0.17 s), not one phase
    assert second.poll() is None  # still waiting for the lock
    os.kill(first.pid, signal.SIGKILL)  # the holder dies mid-job
    first.wait(10)
    out, err = second.communicate(timeout=120)
    inbox.on_data = None
    assert second.returncode == 0 and "digests: ran" in out, (out, err)
    # The dead holder's work was finished, not redone: no reader got the digest twice. A kill between the
    # "handed" commit and the final dot (mail/send.py) may leave one undelivered: it is reported as
    # unconfirmed, never lost silently (a kill 1.0 s after message K, in step with the cycle, hit it often).
    with store.read() as conn:
        for i in range(N):
            got = len(inbox.to(f"reader{i}@example.org"))
            rows = store_outbox.messages_to(conn, f"reader{i}@example.org")
            assert got == 1 or (got == 0 and [r.status for r in rows] == ["unconfirmed"]), (i, got, rows)
    with store.read() as conn:
        counts = store_outbox.counts(conn)
        runs = store_jobs.runs(conn, "digests")
    assert counts["sent"] + counts["unconfirmed"] == N and counts["pending"] == counts["sending"] == 0
    assert len(runs) == 1 and runs[0]["host"].endswith(f":{second.pid}")
    delivered = inbox.count()
    assert delivered >= N - 1  # one kill: at most the message it caught before its final dot
    third = _job(db_url, tmp_path, inbox, weekly)  # the same slot again, on any machine: nothing to do
    out, _ = third.communicate(timeout=60)
    assert third.returncode == 0 and "digests: done before" in out and inbox.count() == delivered
    store.close()


def test_one_machine_holds_a_job_the_other_does_not_run_it(tmp_path, inbox):
    """On SQLite (one machine, two processes): the second finds the job held and, told not to wait, says so."""
    import time

    db_url = f"sqlite:///{tmp_path / 'pf.db'}"
    store, weekly = _queued_weekly_digests(db_url, tmp_path, inbox)
    inbox.on_data = lambda _msg: time.sleep(0.6)  # the first run takes about 6 s
    first = _job(db_url, tmp_path, inbox, weekly)
    while inbox.count() == 0 and first.poll() is None:
        time.sleep(0.05)
    second = _job(db_url, tmp_path, inbox, weekly, "--no-wait")
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 3 and "digests: busy" in out, (second.returncode, out, _)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0 and "digests: ran" in out, err
    assert sorted(len(inbox.to(f"reader{i}@example.org")) for i in range(N)) == [1] * N
    store.close()
