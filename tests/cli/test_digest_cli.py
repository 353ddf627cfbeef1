"""``paperfeed digest preview | send | deliver | status``, and the scheduler ``paperfeed serve`` starts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from typer.testing import CliRunner

from paperfeed import scheduler
from paperfeed.cli import app
from paperfeed.settings import Settings
from paperfeed.store import outbox as store_outbox
from paperfeed.store import subscriptions as subs
from tests.helpers.mail import mail_settings
from tests.helpers.web import add_papers, paper

AT = "2024-03-05T07:00"


def _setup(store, email: str = "reader@example.org") -> None:
    add_papers(store, paper(1, day=date(2024, 3, 4), upvotes=7, title="A paper about ünïcode"))
    with store.transaction() as conn:
        sub = subs.subscribe(conn, email)
        subs.confirm(conn, sub.id, sub.token_version)


def _run(db_url, tmp_path, inbox, *args):
    env = {f"PAPERFEED_{k.upper()}": str(v) for k, v in mail_settings(tmp_path, inbox).items()}
    r = CliRunner().invoke(app, ["--database-url", db_url, "--data-dir", str(tmp_path), *args], env=env)
    return r


def test_preview_send_status(store, db_url, tmp_path, inbox):
    _setup(store)
    r = _run(db_url, tmp_path, inbox, "digest", "preview", "--email", "READER@example.org", "--at", AT)
    assert r.exit_code == 0, r.output
    assert "Subject: 1 trending paper · Tue 5 Mar" in r.output and "A paper about ünïcode" in r.output
    r = _run(db_url, tmp_path, inbox, "digest", "preview", "--email", "reader@example.org", "--html", "--at", AT)
    assert r.exit_code == 0 and "<html" in r.output
    r = _run(db_url, tmp_path, inbox, "digest", "preview", "--email", "nobody@example.org")
    assert r.exit_code != 0
    with store.read() as conn:
        assert store_outbox.counts(conn)["pending"] == 0  # previews queue nothing

    r = _run(db_url, tmp_path, inbox, "digest", "send", "--dry-run", "--at", AT)
    assert r.exit_code == 0 and "would queue 1 digest" in r.output
    assert inbox.count() == 0
    r = _run(db_url, tmp_path, inbox, "digest", "send", "--json", "--at", AT)
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output.strip().splitlines()[-1])
    assert summary["queued"] == 1 and summary["delivery"]["sent"] == 1
    assert len(inbox.to("reader@example.org")) == 1
    r = _run(db_url, tmp_path, inbox, "digest", "send", "--json", "--at", AT)  # the same day again
    assert json.loads(r.output.strip().splitlines()[-1])["already_queued"] == 1 and inbox.count() == 1

    r = _run(db_url, tmp_path, inbox, "digest", "status", "--json")
    status = json.loads(r.output)
    assert status["outbox"]["sent"] == 1 and status["subscribers"]["active"] == 1 and status["problems"] == []
    r = _run(db_url, tmp_path, inbox, "digest", "status")
    assert r.exit_code == 0 and "outbox" in r.output
    r = _run(db_url, tmp_path, inbox, "digest", "deliver")
    assert r.exit_code == 0 and "sent 0" in r.output


def test_scheduler_jobs(store, tmp_path, inbox):
    s = Settings(data_dir=tmp_path, digest_time="07:30", schedule_rss_categories=["cs.LG"], schedule_hf=True)
    sched = scheduler.build(s, store)
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"digests", "deliver", "ingest", "hf-upvotes", "recommend", "follow-indexes"}
    assert "interval[0:01:00]" in str(jobs["follow-indexes"].trigger)  # every machine's indexes, every minute
    assert "hour='7', minute='30'" in str(jobs["digests"].trigger)
    assert "hour='6', minute='30'" in str(jobs["ingest"].trigger)
    assert "hour='7', minute='0'" in str(jobs["recommend"].trigger)  # half an hour before the digests
    only = {j.id for j in scheduler.build(Settings(data_dir=tmp_path), store).get_jobs()}
    assert only == {"digests", "deliver", "recommend", "follow-indexes"}

    # the digest job composes what is due today and delivers it
    _setup(store)
    settings = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    scheduler.digests_job(store, settings)
    if datetime.now(UTC).weekday() < 5:
        assert len(inbox.to("reader@example.org")) == 1


def test_serve_runs_the_scheduler_unless_told_not_to(monkeypatch, tmp_path):
    import uvicorn

    from paperfeed.cli import manage

    started = []

    class Fake:
        def shutdown(self, wait=True):
            started.append("stopped")

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.setattr(scheduler, "start", lambda settings, store=None: started.append("started") or Fake())
    s = Settings(data_dir=tmp_path)
    manage.serve_app(s, "127.0.0.1", 8000, workers=1)
    assert started == ["started", "stopped"]
    started.clear()
    manage.serve_app(s, "127.0.0.1", 8000, workers=1, scheduler=False)
    manage.serve_app(Settings(data_dir=tmp_path, schedule=False), "127.0.0.1", 8000, workers=1)
    assert started == []
    r = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert "--no-scheduler" in r.output
