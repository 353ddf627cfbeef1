"""Helpers for the command tests: ``paperfeed`` run as a user runs it, a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest


def pf(
    db_url: str, *args: str, env: dict | None = None, timeout: float = 120, input: str | None = None
) -> subprocess.CompletedProcess:
    e = (
        os.environ
        | {
            "PAPERFEED_DATABASE_URL": db_url,
            "PAPERFEED_HTTP_DELAY": "0",
            "PAPERFEED_HTTP_BACKOFF": "0.01",
            "PAPERFEED_HTTP_RETRIES": "1",
            "COLUMNS": "200",
        }
        | (env or {})
    )
    return subprocess.run(
        [sys.executable, "-m", "paperfeed", *args], capture_output=True, text=True, env=e, timeout=timeout, input=input
    )


def first_answer(url: str, proc: subprocess.Popen, timeout: float = 30) -> httpx.Response:
    """The first answer of a server ``proc`` is starting (``paperfeed serve``); the test fails with its
    stderr if it exits first, or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if proc.poll() is not None:
                pytest.fail("server exited: " + proc.stderr.read())
            time.sleep(0.1)
    pytest.fail(f"server did not answer {url} within {timeout:.0f} s")
