"""Fixtures of the email tests: a loopback SMTP server per test; the page helpers of tests/web."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))  # webhelpers: app, browser, papers

from mailhelpers import smtp_server  # noqa: E402


@pytest.fixture
def inbox():
    with smtp_server() as box:
        yield box


@pytest.fixture
def lite_store(tmp_path):
    """SQLite only: for input checks whose outcome cannot depend on the database."""
    from paperfeed.store import Store

    s = Store.open(f"sqlite:///{tmp_path / 'lite.db'}")
    yield s
    s.close()
