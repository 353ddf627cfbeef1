"""Fixtures of the email tests: a loopback SMTP server per test; the page helpers are in tests.helpers.web."""

from __future__ import annotations

import pytest

from tests.helpers.mail import smtp_server


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
