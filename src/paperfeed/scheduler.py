"""The built-in scheduler of ``paperfeed serve`` (APScheduler), and the jobs it runs.

Jobs (all times UTC):
- ``digests``: at ``digest_time``, compose what is due today (daily on weekdays, weekly on
  ``weekly_day``) and deliver it;
- ``deliver``: every minute, send what waits in the outbox (retries with backoff, confirmations that
  could not go out at once);
- ``ingest`` (when ``schedule_rss_categories`` or ``schedule_hf`` is set): an hour before the digests,
  fetch today's arXiv RSS listings of those categories and the Hugging Face daily papers, then bring
  the search indexes up to date, so the digest's alerts see the new papers; HF is fetched again every
  three hours for fresh upvotes.
- ``follow-indexes``: every ``index_follow_seconds``, on every machine (no lock): this machine's lexical
  index and vector graph take in what the database gained (``index/follow.py``; nothing is embedded);
- ``recommend``: half an hour before the digests, retrain the "for you" models whose signals changed
  (docs/recommend.md; pages and digests also retrain a stale model on demand).

It runs in the main process only (with ``--workers N``, uvicorn's parent process). Several machines over
one database each run a scheduler, and each job still runs once per slot (a day; three hours for
``hf-upvotes``; a minute for ``deliver``): the machine that takes the job's lock (``store.jobs``: a
PostgreSQL advisory lock, gone with its holder) runs it and records the slot; the others wait, find it
recorded and skip it, or take over when the holder died mid-run (``run_exclusive``). ``paperfeed jobs
run NAME`` runs one the same way, from cron on every machine if you like. ``--no-scheduler`` or
``schedule = false`` turns it off. The jobs also run from cron without the lock:

    0 6 * * *   paperfeed fetch rss cs.LG cs.CL && paperfeed fetch hf && paperfeed index
    30 6 * * *  paperfeed recommend train
    0 7 * * *   paperfeed digest send
    * * * * *   paperfeed digest deliver
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from . import metrics
from .settings import Settings
from .store import Store, jobs

log = logging.getLogger(__name__)


def digests_job(store: Store, settings: Settings) -> None:
    from .mail.compose import compose_all

    report = compose_all(store, settings)
    log.info("digests: %s queued (%s due, %s skipped: nothing new)", report.queued, report.due, report.nothing_new)
    deliver_job(store, settings)


def deliver_job(store: Store, settings: Settings) -> None:
    from .mail.send import deliver

    report = deliver(store, settings, wait=0)
    if report.sent or report.failed or report.error:
        log.info("outbox: %s sent, %s to retry, %s failed%s", report.sent, report.retry, report.failed,
                 f" ({report.error})" if report.error else "")  # fmt: skip


def ingest_job(store: Store, settings: Settings, *, rss: bool = True) -> None:
    """Fetch today's listings, then update the search indexes (each step logs and goes on if it fails)."""
    from .ingest import fetch_pages
    from .sources import hf
    from .sources import rss as rss_source
    from .sources.http import client_for

    cats = settings.schedule_rss_categories
    if rss and cats:
        try:
            with client_for(settings, "rss") as http:
                res = fetch_pages(
                    store,
                    f"rss:{'+'.join(cats)}",
                    lambda cursor: rss_source.fetch(http, base_url=settings.arxiv_rss_url, categories=cats),
                    skip_bad=True,
                    restart=True,
                )
            log.info("rss %s: %s read", " ".join(cats), res.read)
        except Exception:
            log.exception("scheduled RSS fetch failed")
            metrics.JOB_FAILURES.labels("ingest").inc()
    if settings.schedule_hf:
        today = datetime.now(UTC).date()
        try:
            with client_for(settings, "hf") as http:
                res = fetch_pages(
                    store,
                    f"hf:{today}:{today}",
                    lambda cursor: hf.fetch_days(
                        http, base_url=settings.hf_api_url, start=today, end=today, cursor=cursor
                    ),
                    skip_bad=True,
                    restart=True,
                )
            log.info("hf %s: %s read", today, res.read)
        except Exception:
            log.exception("scheduled Hugging Face fetch failed")
            metrics.JOB_FAILURES.labels("ingest").inc()
    index_job(store, settings)


def recommend_job(store: Store, settings: Settings) -> None:
    """Retrain the models whose signals changed since the last run (the others are kept)."""
    try:
        from .rank.recommend import train_users

        report = train_users(store, settings)
    except Exception:
        log.exception("scheduled recommendation training failed")
        metrics.JOB_FAILURES.labels("recommend").inc()
        return
    log.info("recommend: %s trained, %s unchanged (%.1f s)", report.trained, report.unchanged, report.seconds)


def index_job(store: Store, settings: Settings) -> None:
    from .index.job import run
    from .rank.similar import ListRanker

    try:
        report = run(store, settings, similar=ListRanker(store, settings))
        if report.embedded or report.keywords:  # new papers on the map: lay out the newest week and month now
            from .rank import topics

            topics.warm(store, settings)
    except Exception:
        log.exception("scheduled index update failed")
        metrics.JOB_FAILURES.labels("index").inc()


def follow_job(store: Store, settings: Settings) -> None:
    """This machine's search indexes follow the database (index/follow.py): every machine runs it."""
    from .index.follow import follow

    follow(store, settings)


def _before(hhmm: str, minutes: int) -> tuple[int, int]:
    h, m = (int(x) for x in hhmm.split(":"))
    t = datetime.combine(date(2000, 1, 2), datetime.min.time()) + timedelta(hours=h, minutes=m - minutes)
    return t.hour, t.minute


def observed(job_id: str, job):
    """``job`` counted in the metrics: runs, failures (an exception it lets out, logged) and seconds; the
    wrapper answers whether the run completed."""

    def run(*args, **kwargs) -> bool:
        started = time.perf_counter()
        metrics.JOB_RUNS.labels(job_id).inc()
        try:
            job(*args, **kwargs)
            return True
        except Exception:
            metrics.JOB_FAILURES.labels(job_id).inc()
            log.exception("scheduled job %s failed", job_id)
            return False
        finally:
            metrics.JOB_SECONDS.labels(job_id).observe(time.perf_counter() - started)

    run.__name__ = getattr(job, "__name__", job_id)
    return run


@dataclass(frozen=True)
class Job:
    """A scheduled job: its function, the slot it runs once in (``day``, ``3h``, ``minute``), and how long a
    machine that finds another one running it waits to take over if that one dies (0: not at all)."""

    id: str
    func: Callable
    every: str
    wait: float
    kwargs: dict = field(default_factory=dict)


JOBS = {
    "digests": Job("digests", digests_job, "day", 6 * 3600),
    "deliver": Job("deliver", deliver_job, "minute", 0),  # the next minute's run takes over
    "recommend": Job("recommend", recommend_job, "day", 3 * 3600),
    "ingest": Job("ingest", ingest_job, "day", 3 * 3600),
    "hf-upvotes": Job("hf-upvotes", ingest_job, "3h", 3600, {"rss": False}),
}


def slot(every: str, now: datetime) -> str:
    """The slot of ``now`` a job runs once in."""
    if every == "day":
        return now.strftime("%Y-%m-%d")
    if every == "3h":
        return f"{now:%Y-%m-%d}T{now.hour // 3 * 3:02d}"
    return now.strftime("%Y-%m-%dT%H:%M")


def run_exclusive(
    job: Job, store: Store, settings: Settings, *, force: bool = False, wait: float | None = None, now=None
) -> str:
    """Run ``job`` for the current slot unless a machine sharing the database ran it already; answers
    what happened: "ran", "failed", "done before" (recorded), "busy" (another machine holds it and this
    one stopped waiting).

    The machine that takes the job's lock runs it and records the slot when it completes; the others
    wait for the lock (polling), then find the slot recorded and skip it, or, when its holder died
    mid-run (its lock went with it), run it themselves: the jobs are idempotent."""
    now = now or datetime.now(UTC)
    the_slot = slot(job.every, now)
    give_up = time.monotonic() + (job.wait if wait is None else wait)
    host = f"{socket.gethostname()}:{os.getpid()}"
    while True:
        with jobs.held(store, job.id) as mine:
            if mine:
                with store.read() as conn:
                    if not force and jobs.finished(conn, job.id, the_slot):
                        return "done before"
                started = datetime.now(UTC)
                log.info("running %s for %s", job.id, the_slot)
                if not observed(job.id, job.func)(store, settings, **job.kwargs):
                    return "failed"
                with store.transaction() as conn:
                    if not jobs.finished(conn, job.id, the_slot):
                        jobs.record(conn, job.id, the_slot, host=host, started_at=started,
                                    finished_at=datetime.now(UTC))  # fmt: skip
                return "ran"
        if time.monotonic() >= give_up:
            log.info("%s (%s) is running on another machine", job.id, the_slot)
            return "busy"
        log.info("waiting: another machine runs %s (%s)", job.id, the_slot)
        time.sleep(settings.job_poll_seconds)


def on_this_machine(job_id: str, func: Callable):
    """What the scheduler calls for a job each machine runs for itself (no lock across machines)."""
    run = observed(job_id, func)

    def wrapper(store: Store, settings: Settings) -> None:
        run(store, settings)

    wrapper.__name__ = f"scheduled_{job_id}"
    return wrapper


def scheduled(job: Job):
    """What the scheduler calls: ``run_exclusive`` of ``job`` (never raises into the scheduler's thread)."""

    def run(store: Store, settings: Settings) -> None:
        try:
            run_exclusive(job, store, settings)
        except Exception:  # the lock's connection failed: the next slot tries again
            metrics.JOB_FAILURES.labels(job.id).inc()
            log.exception("could not run %s", job.id)

    run.__name__ = f"scheduled_{job.id}"
    return run


def build(settings: Settings, store: Store):
    """A configured, not yet started BackgroundScheduler."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    sched = BackgroundScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )

    def add(job_id: str, trigger) -> None:
        sched.add_job(scheduled(JOBS[job_id]), trigger, args=(store, settings), id=job_id)

    h, m = (int(x) for x in settings.digest_time.split(":"))
    add("digests", CronTrigger(hour=h, minute=m, timezone=UTC))
    add("deliver", IntervalTrigger(minutes=1))
    rh, rm = _before(settings.digest_time, 30)
    add("recommend", CronTrigger(hour=rh, minute=rm, timezone=UTC))
    if settings.schedule_rss_categories or settings.schedule_hf:
        ih, im = _before(settings.digest_time, 60)
        add("ingest", CronTrigger(hour=ih, minute=im, timezone=UTC))
        if settings.schedule_hf:
            add("hf-upvotes", IntervalTrigger(hours=3))
    sched.add_job(
        on_this_machine("follow-indexes", follow_job),
        IntervalTrigger(seconds=settings.index_follow_seconds),
        args=(store, settings),
        id="follow-indexes",
        next_run_time=datetime.now(UTC) + timedelta(seconds=5),  # a new machine starts catching up at once
    )
    return sched


def start(settings: Settings, store: Store | None = None):
    """Start the scheduler in this process; returns it (call ``shutdown()`` when the server stops)."""
    sched = build(settings, store or Store.open(settings.db_url))
    sched.start()
    log.info("scheduler started: %s", ", ".join(j.id for j in sched.get_jobs()))
    return sched
