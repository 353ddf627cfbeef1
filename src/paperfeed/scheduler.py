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
- ``recommend``: half an hour before the digests, retrain the "for you" models whose signals changed
  (docs/recommend.md; pages and digests also retrain a stale model on demand).

It runs in the main process only (with ``--workers N``, uvicorn's parent process), so each job runs
once; ``--no-scheduler`` or ``schedule = false`` turns it off. The same jobs run from cron instead:

    0 6 * * *   paperfeed fetch rss cs.LG cs.CL && paperfeed fetch hf && paperfeed index
    30 6 * * *  paperfeed recommend train
    0 7 * * *   paperfeed digest send
    * * * * *   paperfeed digest deliver
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime, timedelta

from . import metrics
from .settings import Settings
from .store import Store

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

    try:
        report = run(store, settings)
        if report.embedded or report.keywords:  # new papers on the map: lay out the newest week and month now
            from .rank import topics

            topics.warm(store, settings)
    except Exception:
        log.exception("scheduled index update failed")
        metrics.JOB_FAILURES.labels("index").inc()


def _before(hhmm: str, minutes: int) -> tuple[int, int]:
    h, m = (int(x) for x in hhmm.split(":"))
    t = datetime.combine(date(2000, 1, 2), datetime.min.time()) + timedelta(hours=h, minutes=m - minutes)
    return t.hour, t.minute


def observed(job_id: str, job):
    """``job`` counted in the metrics: runs, failures (an exception it lets out) and seconds."""

    def run(*args, **kwargs):
        started = time.perf_counter()
        metrics.JOB_RUNS.labels(job_id).inc()
        try:
            return job(*args, **kwargs)
        except Exception:
            metrics.JOB_FAILURES.labels(job_id).inc()
            log.exception("scheduled job %s failed", job_id)
        finally:
            metrics.JOB_SECONDS.labels(job_id).observe(time.perf_counter() - started)

    run.__name__ = getattr(job, "__name__", job_id)
    return run


def build(settings: Settings, store: Store):
    """A configured, not yet started BackgroundScheduler."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    sched = BackgroundScheduler(
        timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    h, m = (int(x) for x in settings.digest_time.split(":"))
    sched.add_job(
        observed("digests", digests_job),
        CronTrigger(hour=h, minute=m, timezone=UTC),
        args=(store, settings),
        id="digests",
    )
    sched.add_job(observed("deliver", deliver_job), IntervalTrigger(minutes=1), args=(store, settings), id="deliver")
    rh, rm = _before(settings.digest_time, 30)
    sched.add_job(
        observed("recommend", recommend_job),
        CronTrigger(hour=rh, minute=rm, timezone=UTC),
        args=(store, settings),
        id="recommend",
    )
    if settings.schedule_rss_categories or settings.schedule_hf:
        ih, im = _before(settings.digest_time, 60)
        sched.add_job(
            observed("ingest", ingest_job),
            CronTrigger(hour=ih, minute=im, timezone=UTC),
            args=(store, settings),
            id="ingest",
        )
        if settings.schedule_hf:
            sched.add_job(
                observed("hf-upvotes", ingest_job),
                IntervalTrigger(hours=3),
                args=(store, settings),
                kwargs={"rss": False},
                id="hf-upvotes",
            )
    return sched


def start(settings: Settings, store: Store | None = None):
    """Start the scheduler in this process; returns it (call ``shutdown()`` when the server stops)."""
    sched = build(settings, store or Store.open(settings.db_url))
    sched.start()
    log.info("scheduler started: %s", ", ".join(j.id for j in sched.get_jobs()))
    return sched
