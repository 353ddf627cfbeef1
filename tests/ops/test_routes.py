"""What load balancers and monitoring read: /healthz, /readyz, /metrics; request ids and log lines."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient

from paperfeed import logs
from paperfeed.store import Store
from paperfeed.store.db import make_engine, migrate
from tests.helpers.web import add_papers, make_app, paper

LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def app(store, tmp_path):
    add_papers(store, paper(1, upvotes=3, title="Diffusion transformers at scale"), paper(2))
    return make_app(store, tmp_path)


def client(app, addr=LOCAL) -> TestClient:
    return TestClient(app, base_url="http://testserver", client=addr)


def test_healthz_and_readyz(app):
    with client(app) as c:
        r = c.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"} and r.headers["cache-control"] == "no-store"
        r = c.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "indexes": "ok"}}


def test_readyz_says_what_is_not_ready(db_url, tmp_path):
    engine = make_engine(db_url)
    migrate(engine, "0004")
    with client(make_app(Store(engine), tmp_path)) as c:  # a database the code has not migrated yet
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["migrations"].startswith("at 0004, code expects")
    engine.dispose()
    down = Store(make_engine("postgresql+psycopg://nobody@127.0.0.1:9/nothing"))  # nothing listens on port 9
    with client(make_app(down, tmp_path / "down")) as c:
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["database"].startswith("unreachable")
        assert c.get("/healthz").status_code == 200  # the process itself is alive


def _metric(body: str, name: str, **labels) -> float:
    """The value of one sample in a Prometheus text exposition."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in body.splitlines():
        head, _, value = line.rpartition(" ")
        if head == (f"{name}{{{want}}}" if want else name):
            return float(value)
    raise AssertionError(f"no {name}{{{want}}} in /metrics")


def test_metrics(app):
    with client(app) as c:
        assert c.get("/papers/2401.00001").status_code == 200
        c.get("/papers/2401.00002")
        c.get("/")
        c.get("/")  # the second is a page-cache hit
        assert c.get("/search", params={"q": "diffusion"}).status_code == 200
        c.get("/no/such/page")
        assert c.head("/search", params={"q": "graphs"}).status_code == 200
        r = c.get("/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        body = r.text
    page = {"method": "GET", "route": "/papers/{paper_id:path}", "status": "200"}
    assert _metric(body, "paperfeed_http_requests_total", **page) >= 2
    assert _metric(body, "paperfeed_http_requests_total", method="GET", route="(page cache)", status="200") >= 1
    assert _metric(body, "paperfeed_http_requests_total", method="GET", route="(unmatched)", status="404") >= 1
    assert "2401.00001" not in body  # route templates, never raw paths
    assert _metric(body, "paperfeed_http_request_seconds_count", method="GET", route="/search") >= 1
    assert _metric(body, "paperfeed_http_requests_total", method="HEAD", route="/search", status="200") >= 1
    assert _metric(body, "paperfeed_search_stage_seconds_count", stage="lexical") >= 1
    assert _metric(body, "paperfeed_papers_not_embedded") == 2  # nothing was embedded here
    assert _metric(body, "paperfeed_outbox_messages", status="failed") == 0


def test_metrics_are_for_operators_only(store, tmp_path):
    outside = ("203.0.113.9", 50000)
    with client(make_app(store, tmp_path), outside) as c:
        assert c.get("/metrics").status_code == 404
    app = make_app(store, tmp_path, metrics_token="s3cret-scrape")
    with client(app, outside) as c:
        assert c.get("/metrics").status_code == 404
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        assert c.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"}).status_code == 200
    with client(app) as c:  # with a token set, loopback needs it too
        assert c.get("/metrics").status_code == 404


@pytest.fixture
def json_log():
    stream = io.StringIO()
    logs.configure("INFO", "json", stream=stream)
    yield stream
    root = logging.getLogger()
    for h in [h for h in root.handlers if h.get_name() == "paperfeed"]:
        root.removeHandler(h)


def test_request_ids_in_answers_and_json_log_lines(app, json_log):
    with client(app) as c:
        r = c.get("/papers/2401.00001", headers={"X-Request-ID": "lb-7f3a.01"})
        assert r.headers["x-request-id"] == "lb-7f3a.01"
        made_up = c.get("/trending", headers={"X-Request-ID": "bad id\nwith newline"}).headers["x-request-id"]
        assert made_up != "bad id\nwith newline" and len(made_up) == 32
        assert c.get("/").headers["x-request-id"] != made_up
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    access = [x for x in lines if x["logger"] == "paperfeed.access"]
    first = next(x for x in access if x["request_id"] == "lb-7f3a.01")
    assert first["status"] == 200 and first["path"] == "/papers/2401.00001"
    assert first["route"] == "/papers/{paper_id:path}"
    assert any(x["request_id"] == made_up and x["path"] == "/trending" for x in access)
    assert all({"time", "level", "logger", "message", "request_id"} <= set(x) for x in lines)
