"""PoliteClient itself: the polite delay, backoff, Retry-After and the errors it gives up with.

Pauses are recorded with an injected ``sleep`` instead of being timed, so the tests are fast and exact.
"""

from __future__ import annotations

import socket

import pytest
from werkzeug import Response

from paperfeed.errors import SourceError
from paperfeed.sources.http import PoliteClient
from tests.helpers.net import Sequence, drain


def make(pauses: list[float], **options) -> PoliteClient:
    settings = {"delay": 0, "retries": 2, "backoff": 0.01, "timeout": 5.0} | options
    return PoliteClient("test", sleep=pauses.append, **settings)


def test_delay_between_calls(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"ok")
    pauses: list[float] = []
    with make(pauses, delay=3.0) as c:
        c.get(httpserver.url_for("/x"))
        before = len(pauses)  # the first call waits only if the process is younger than the delay
        c.get(httpserver.url_for("/x"))
        c.get(httpserver.url_for("/x"))
    waits = pauses[before:]
    assert len(waits) == 2
    assert all(2.0 < w <= 3.0 for w in waits)  # 3 s minus the (short) time the previous call took


def test_no_pause_without_delay(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"ok")
    pauses: list[float] = []
    with make(pauses) as c:
        for _ in range(3):
            assert c.get(httpserver.url_for("/x")).content == b"ok"
    assert pauses == []


def test_exponential_backoff_then_gives_up_naming_url_and_status(httpserver):
    httpserver.expect_request("/busy").respond_with_data(b"busy", status=503)
    pauses: list[float] = []
    with make(pauses, retries=3, backoff=1.0) as c, pytest.raises(SourceError) as err:
        c.get(httpserver.url_for("/busy"), {"q": "a b"})
    assert pauses == [1.0, 2.0, 4.0]
    assert len(httpserver.log) == 4
    message = str(err.value)
    assert message.startswith("test: ") and "HTTP 503 after 4 attempts" in message
    assert httpserver.url_for("/busy") + "?q=a+b" in message


def test_retry_after_is_honoured(httpserver):
    handler = Sequence((429, b"slow down"), (200, b"ok"))

    def with_header(request):
        response = handler(request)
        if response.status_code == 429:
            response.headers["Retry-After"] = "7"
        return response

    httpserver.expect_request("/x").respond_with_handler(with_header)
    pauses: list[float] = []
    with make(pauses) as c:
        assert c.get(httpserver.url_for("/x")).content == b"ok"
    assert pauses == [7.0]


@pytest.mark.parametrize("header,expected", [("1", 5.0), ("100000", 300.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 5.0)])
def test_retry_after_bounds(httpserver, header, expected):
    responses = iter([Response(b"busy", status=503, headers={"Retry-After": header}), Response(b"ok")])
    httpserver.expect_request("/x").respond_with_handler(lambda request: next(responses))
    pauses: list[float] = []
    with make(pauses, backoff=5.0) as c:
        c.get(httpserver.url_for("/x"))
    assert pauses == [expected]  # never shorter than the backoff, never longer than 5 minutes


def test_404_fails_at_once(httpserver):
    httpserver.expect_request("/missing").respond_with_data(b"nope", status=404)
    pauses: list[float] = []
    with make(pauses) as c, pytest.raises(SourceError) as err:
        c.get(httpserver.url_for("/missing"))
    assert "HTTP 404" in str(err.value) and httpserver.url_for("/missing") in str(err.value)
    assert "attempts" not in str(err.value)
    assert len(httpserver.log) == 1 and pauses == []


def test_ok_statuses_are_returned(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"error feed", status=400)
    with make([]) as c:
        resp = c.get(httpserver.url_for("/x"), ok=frozenset({200, 400}))
    assert resp.status_code == 400 and resp.content == b"error feed"


def test_user_agent(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"ok")
    with make([]) as c:
        c.get(httpserver.url_for("/x"))
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("paperfeed/")


def test_response_too_large(httpserver):
    httpserver.expect_request("/x").respond_with_data(b"x" * 1000)
    with make([], max_bytes=100) as c, pytest.raises(SourceError, match="larger than 100 bytes"):
        c.get(httpserver.url_for("/x"))


def test_timeout_is_retried_then_a_source_error(httpserver):
    handler = Sequence(0.4)
    httpserver.expect_request("/slow").respond_with_handler(handler)
    pauses: list[float] = []
    with make(pauses, timeout=0.2, retries=1) as c, pytest.raises(SourceError) as err:
        c.get(httpserver.url_for("/slow"))
    assert "ReadTimeout" in str(err.value) and "after 2 attempts" in str(err.value)
    assert pauses == [0.01]
    drain(httpserver)


def test_connection_refused_is_retried_then_a_source_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    pauses: list[float] = []
    with make(pauses) as c, pytest.raises(SourceError) as err:
        c.get(f"http://127.0.0.1:{port}/x")
    assert "ConnectError" in str(err.value) and f"127.0.0.1:{port}/x" in str(err.value)
    assert len(pauses) == 2
