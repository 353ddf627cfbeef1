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


def _run_with(db_url, tmp_path, inbox, base_url: str | None, *args):
    """``_run`` with ``base_url`` as given (None: not set at all)."""
    env = {f"PAPERFEED_{k.upper()}": str(v) for k, v in mail_settings(tmp_path, inbox).items()}
    env["PAPERFEED_BASE_URL"] = base_url  # None unsets it
    return CliRunner().invoke(app, ["--database-url", db_url, "--data-dir", str(tmp_path), *args], env=env)


def test_send_and_deliver_warn_about_links_readers_cannot_use(store, db_url, tmp_path, inbox):
    """Mail links lead to base_url: unset (127.0.0.1), a loopback address or plain http (no one-click
    unsubscribe, RFC 8058) is said once a run, on stderr; the mail still goes out."""
    _setup(store)
    r = _run_with(db_url, tmp_path, inbox, None, "digest", "send", "--at", AT)
    assert r.exit_code == 0, r.output
    assert r.stderr.count("warning:") == 1, r.stderr
    assert "base_url is not set: links in mails (confirmations, digests, unsubscribe) lead to " \
           "http://127.0.0.1:8000, which opens only on this machine" in r.stderr  # fmt: skip
    assert inbox.count() == 1
    r = _run_with(db_url, tmp_path, inbox, "http://localhost:8000", "digest", "deliver")
    assert r.exit_code == 0 and r.stderr.count("warning:") == 1
    assert "base_url http://localhost:8000 is a loopback address: links in mails" in r.stderr
    r = _run_with(db_url, tmp_path, inbox, "http://papers.example.org", "digest", "deliver")
    assert r.stderr.count("warning:") == 1
    assert "base_url http://papers.example.org is not https: mail clients offer one-click unsubscribe " \
           "(RFC 8058) only for https links" in r.stderr  # fmt: skip
    r = _run_with(db_url, tmp_path, inbox, "https://papers.example.org", "digest", "deliver")
    assert r.exit_code == 0 and "warning" not in r.stderr


def test_serve_warns_when_mail_links_lead_nowhere(monkeypatch, tmp_path):
    """A server others reach (--host 0.0.0.0), or one configured to send mail, without a public base_url
    says so once at start; a local one with no mail settings stays quiet."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    base = ["--data-dir", str(tmp_path), "serve", "--no-scheduler"]
    quiet = CliRunner().invoke(app, base, env={"PAPERFEED_BASE_URL": None})
    assert quiet.exit_code == 0 and "warning:" not in quiet.stderr, quiet.output
    public = CliRunner().invoke(app, [*base, "--host", "0.0.0.0"], env={"PAPERFEED_BASE_URL": None})
    assert public.exit_code == 0 and public.stderr.count("warning:") == 1
    assert "base_url is not set: links in mails (confirmations, digests, unsubscribe) lead to " \
           "http://127.0.0.1:8000, which opens only on this machine" in public.stderr  # fmt: skip
    env = {"PAPERFEED_BASE_URL": None, "PAPERFEED_MAIL_FROM": "Papers <papers@example.org>"}
    mailing = CliRunner().invoke(app, [*base, "--port", "8123"], env=env)
    assert mailing.stderr.count("warning:") == 1 and "lead to http://127.0.0.1:8123" in mailing.stderr


def test_deliver_says_what_waits_for_a_later_try(store, db_url, tmp_path, inbox):
    """The SMTP server is down and nothing is due yet: ``deliver`` says how many messages wait, when the
    next try is and why the last one failed, instead of a bare "sent 0, 0 to retry later"."""
    from tests.helpers.mail import free_port

    _setup(store)
    env = {f"PAPERFEED_{k.upper()}": str(v) for k, v in mail_settings(tmp_path, inbox, smtp_port=free_port()).items()}
    run = lambda *a: CliRunner().invoke(app, ["--database-url", db_url, "--data-dir", str(tmp_path), *a], env=env)  # noqa: E731
    first = run("digest", "send", "--at", AT)
    assert first.exit_code == 1 and "stopped:" in first.output
    r = run("digest", "deliver")
    assert r.exit_code == 0, r.output
    assert "sent 0, 0 to retry later" in r.output
    assert "1 message waits in the outbox: the next try is at " in r.output and "UTC (in 1 minute)" in r.output
    assert "; last error: ConnectionRefusedError" in r.output
    d = json.loads(run("digest", "deliver", "--json").output.strip().splitlines()[-1])
    assert d["waiting"] == 1 and d["next_try"].endswith("+00:00")
