"""Helpers for the command tests: ``paperfeed`` run as a user runs it, a real process."""

from __future__ import annotations

import os
import subprocess
import sys


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
