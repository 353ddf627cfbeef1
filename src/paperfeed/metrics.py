"""The process's Prometheus metrics (prometheus_client), served at ``/metrics`` (docs/operations.md).

- ``paperfeed_http_requests_total`` / ``paperfeed_http_request_seconds``: by method, route template and
  status (``http.observe``); cache hits answered before routing count under the route "(page cache)"
- ``paperfeed_search_stage_seconds``: search latency by stage (``rank.search``)
- ``paperfeed_job_runs_total`` / ``paperfeed_job_failures_total`` / ``paperfeed_job_seconds``: the
  scheduler's jobs (``scheduler``)
- read from the database at each scrape (``ops.routes``): papers not yet embedded (the index lag), the
  outbox by status (depth, failures)

With several worker processes (``paperfeed serve --workers N``) each keeps its own values in files under
``PROMETHEUS_MULTIPROC_DIR`` (``serve`` sets it) and a scrape adds them up.
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("paperfeed_http_requests", "HTTP requests answered", ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "paperfeed_http_request_seconds", "Time to answer an HTTP request", ["method", "route"], buckets=LATENCY
)
SEARCH_SECONDS = Histogram("paperfeed_search_stage_seconds", "Time of each search stage", ["stage"], buckets=LATENCY)
JOB_RUNS = Counter("paperfeed_job_runs", "Scheduled job runs", ["job"])
JOB_FAILURES = Counter("paperfeed_job_failures", "Scheduled job runs or steps that failed", ["job"])
JOB_SECONDS = Histogram(
    "paperfeed_job_seconds", "Time of a scheduled job run", ["job"], buckets=(0.1, 1, 5, 30, 60, 300, 900, 3600)
)


def exposition(*extra: CollectorRegistry) -> tuple[bytes, str]:
    """The text exposition of this process's metrics (or every worker's) plus ``extra`` registries."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return b"".join([generate_latest(registry), *(generate_latest(r) for r in extra)]), CONTENT_TYPE_LATEST
