"""The access log holds one line per request, whatever the path: control characters in a URL cannot forge
another line, and the tokens of signed links (keys to a subscription or an account's address) are not
written down."""

from __future__ import annotations

import logging

import pytest

from tests.helpers.web import browser, make_app


@pytest.fixture
def access_log(caplog):
    caplog.set_level(logging.INFO, logger="paperfeed.access")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "paperfeed.access"]


def test_control_characters_in_a_path_cannot_forge_a_log_line(lite_store, tmp_path, access_log):
    forged = "/nothing%0d%0a2026-06-12 12:00:00,000 INFO paperfeed.access [-] GET /admin 200 1.0 ms"
    with browser(make_app(lite_store, tmp_path)) as b:
        b.get(forged)
        b.get("/nothing%00here%e2%80%a8x")
    first, second = access_log()
    assert "\r" not in first and "\n" not in first and first.startswith("GET /nothing%0D%0A2026-06-12")
    assert "\x00" not in second and "\u2028" not in second and "/nothing%00here%E2%80%A8x" in second


@pytest.mark.parametrize(
    "path",
    [
        "/unsubscribe/SECRET.tok-en_1",
        "/subscription/SECRET.tok-en_1",
        "/subscription/SECRET.tok-en_1/alerts/3/delete",
        "/subscribe/confirm/SECRET.tok-en_1",
        "/account/email/confirm/SECRET.tok-en_1",
    ],
)
def test_signed_link_tokens_are_not_logged(lite_store, tmp_path, access_log, path):
    with browser(make_app(lite_store, tmp_path)) as b:
        assert b.get(path).status_code in (400, 405)  # not a valid link: what matters is the log line
    (line,) = access_log()
    assert "SECRET" not in line and path.replace("SECRET.tok-en_1", "[token]") in line


def test_other_paths_are_logged_as_they_are():
    from paperfeed.http.observe import loggable_path

    assert loggable_path("/papers/2401.00001") == "/papers/2401.00001"
    assert loggable_path("/users/unsubscribe/x") == "/users/unsubscribe/x"
    assert loggable_path("/authors/Ad%C3%A1 L") == "/authors/Ad%C3%A1 L"
