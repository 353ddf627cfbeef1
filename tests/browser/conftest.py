"""One headless Debian Chromium for the browser tests of a session (see tests.helpers.browser.launch_chromium)."""

from __future__ import annotations

import pytest

from tests.helpers.browser import launch_chromium


@pytest.fixture(scope="session")
def browser():
    pw, chromium = launch_chromium()
    yield chromium
    chromium.close()
    pw.stop()
