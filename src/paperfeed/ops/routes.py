"""``/healthz``, ``/readyz`` and ``/metrics``: small, uncached, never behind a login page.

``/metrics`` tells more about the site than a visitor should see: it answers the loopback address, or
any client that sends ``Authorization: Bearer <metrics_token>`` when that setting is set, and 404 to the
rest (docs/operations.md).
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily

from .. import index, metrics
from ..http.auth import client_addr
from ..http.openapi import api, content
from ..index.embed import model_key
from ..store import outbox as store_outbox
from ..store import vectors as store_vectors
from ..store.db import head_revision, ping, schema_revision

router = APIRouter(tags=["operations"])
log = logging.getLogger(__name__)
LOOPBACK = {"127.0.0.1", "::1"}
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> Response:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get(
    "/readyz",
    responses={503: {"description": "Not ready: the checks that fail", "content": {"application/json": {}}}},
    summary="Readiness: database reachable, migrations current, indexes open",
)
def readyz(request: Request) -> Response:
    """200 when this process can serve every page; 503 naming each check that fails."""
    store, settings = request.app.state.store, request.app.state.settings
    checks: dict[str, str] = {}
    current = None
    try:
        with store.read() as conn:
            ping(conn)
            try:
                current = schema_revision(conn)
            except Exception:  # no alembic_version table: never migrated
                current = None
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means: not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
    if checks["database"] == "ok":
        head = head_revision()
        checks["migrations"] = "ok" if current == head else f"at {current}, code expects {head}"
    try:
        index.engine(settings)  # opens the lexical index and the vector graph once per process
        checks["indexes"] = "ok"
    except Exception as exc:
        log.exception("readyz: the search indexes cannot be opened")
        checks["indexes"] = f"cannot open: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503, headers=NO_STORE)  # fmt: skip


class _StoreCollector:
    """Gauges read from the database at scrape time (the same for every worker)."""

    def __init__(self, store, model: str):
        self.store, self.model = store, model

    def collect(self):
        with self.store.read() as conn:
            not_embedded = store_vectors.count_to_embed(conn, self.model)
            outbox = store_outbox.counts(conn)
        lag = GaugeMetricFamily("paperfeed_papers_not_embedded", "Papers without a vector yet (the index lag)")
        lag.add_metric([], not_embedded)
        yield lag
        box = GaugeMetricFamily("paperfeed_outbox_messages", "Messages in the outbox by status", labels=["status"])
        for status, n in sorted(outbox.items()):
            box.add_metric([status], n)
        yield box


def _may_read_metrics(request: Request) -> bool:
    token = request.app.state.settings.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token.get_secret_value()}".encode())
    return client_addr(request) in LOOPBACK


@router.get(
    "/metrics",
    response_class=Response,
    responses={**content("text/plain"), **api(404)},  # 404 to whoever may not read them
    summary="Prometheus metrics (loopback or metrics_token only)",
)
def metrics_page(request: Request) -> Response:
    if not _may_read_metrics(request):
        return JSONResponse({"error": "Not Found"}, status_code=404)
    from_store = CollectorRegistry()
    from_store.register(_StoreCollector(request.app.state.store, model_key(request.app.state.settings.embed_model)))
    body, content_type = metrics.exposition(from_store)
    return Response(body, media_type=content_type, headers=NO_STORE)
