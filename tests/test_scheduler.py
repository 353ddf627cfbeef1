"""The scheduler's jobs are counted in the metrics: runs, failures, seconds (the jobs themselves are
tested in tests/cli/test_digest_cli.py and beside their modules)."""

from __future__ import annotations

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
    assert all(j.func.__qualname__.startswith("observed.") for j in sched.get_jobs())
