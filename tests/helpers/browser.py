"""Helpers for the browser tests: Debian's Chromium driven by Playwright, a seeded site, screenshots.

Chromium is the system one at /usr/bin/chromium (``scripts/ensure-chromium.sh`` installs it; ``make test``
runs that script). Playwright only drives it: nothing here downloads a browser, and ``playwright install``
is never needed. Chromium runs headless with the flags this machine needs (no sandbox as root, no GPU, no
background network calls to Google's hosts); Playwright gives every launch a fresh, empty profile
(``--user-data-dir`` in a new temporary folder).

A missing Chromium or Playwright fails the tests with the install step to run; ``PAPERFEED_SKIP_BROWSER=1``
skips them instead.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from paperfeed.store import summaries as store_summaries
from paperfeed.store import users as store_users
from tests.helpers.liveserver import live_server
from tests.helpers.web import CSRF_RE, PASSWORD, add_papers, make_app, paper, password_hash

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_STEP = "bash scripts/ensure-chromium.sh  (as root; it runs: apt-get install -y chromium)"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

__all__ = [
    "live_server",
    "launch_chromium",
    "log_in_as",
    "seed_papers",
    "set_timeouts",
    "make_app",
    "password_hash",
    "today",
    "PASSWORD",
    "SCREENSHOTS",
    "SEED_SUMMARY",
]


def launch_chromium():
    """Start Playwright and headless Chromium; returns (playwright, browser). Fails with the install step."""
    if os.environ.get("PAPERFEED_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped: PAPERFEED_SKIP_BROWSER=1")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; the browser tests need it. Install it with:\n"
            f"    {INSTALL_STEP}\n"
            "or set PAPERFEED_SKIP_BROWSER=1 to skip the browser tests.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed; the browser tests need it. Install the test extras with:\n"
            "    .venv/bin/pip install -e '.[test]'   (never `playwright install`: the tests use Debian's Chromium)",
            pytrace=False,
        )
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, chromium_sandbox=False, timeout=30_000
        )
    except Exception as exc:
        pw.stop()
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
    return pw, browser


SEED_SUMMARY = "Transformers on latent patches replace the U-Net backbone of diffusion models."


def set_timeouts(context) -> None:
    """10 s for a context's actions and waits, 60 s for its navigations (``goto``, ``reload``).

    A worker's first navigation starts Chromium's network service and renderer and is the app's first render:
    ~0.5-2 s and ~2.5 s of CPU across the processes on a quiet machine, 5-10 s and more with ten busy
    processes on the core (10 s failed ``make test`` at load 12). Later navigations take 0.1-0.6 s, loaded
    or not. These tests check what a page does, not how fast it comes (``bench/`` measures that)."""
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(60_000)


def new_page(browser, base_url: str):
    """A desktop-sized page of a fresh context on ``base_url`` (``set_timeouts``) and the list its script
    errors go to; close it with ``page.context.close()``."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    set_timeouts(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def today() -> date:
    return datetime.now(UTC).date()


def seed_papers(store) -> None:
    """Papers featured today and yesterday, with votes, code links, a long title and hostile text."""
    d0, d1 = today(), today() - timedelta(days=1)
    when = datetime.now(UTC) - timedelta(days=2)
    add_papers(
        store,
        paper(1, d0, 42, title="Scalable Diffusion Transformers for High-Resolution Image Synthesis",
              abstract="We explore a new class of diffusion models based on the transformer architecture. "
              "We train latent diffusion models of images, replacing the commonly-used U-Net backbone with a "
              "transformer that operates on latent patches. Models with higher Gflops consistently have lower "
              "FID; our largest models outperform all prior diffusion models on class-conditional ImageNet.",
              authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov"],
              categories=["cs.CV", "cs.LG"], code_url="https://github.com/example/dit",
              project_url="https://example.org/dit", published=when),
        paper(2, d0, 17, title="State Space Models Are Strong Long-Context Learners",
              abstract="Selective state space models match attention on language modelling at a fraction of the "
              "cost. We show that with a simple gating change they extrapolate to contexts of a million tokens.",
              authors=["Claude Shannon", "Norbert Wiener"], categories=["cs.CL", "cs.LG"], published=when),
        paper(3, d0, 5, title="Graph Neural Networks Meet Combinatorial Optimisation: "
              "A Unifying View of Message Passing, Dynamic Programming and Anything Else That Fits",
              abstract="Message passing neural networks align with dynamic programming; we make the link "
              "precise and derive $O(n \\log n)$ algorithms. Comments such as <script>alert(1)</script> "
              "stay text.", authors=["John von Neumann"], categories=["cs.LG", "cs.DS", "math.CO"],
              published=when),
        paper(4, d1, 9, title="Retrieval-Augmented Agents for Scientific Discovery",
              abstract="Agents that read papers plan better experiments.",
              authors=["Rosalind Franklin", "Dorothy Hodgkin"], categories=["cs.AI"], published=when),
        paper(5, d1, 0, title="Sparse Mixture-of-Experts at Small Scale",
              abstract="Mixture-of-experts layers help even small models.",
              authors=["Emmy Noether"], categories=["cs.LG"], published=when),
    )  # fmt: skip
    with store.transaction() as conn:  # as the index job would store it (its model is not loaded here)
        store_summaries.save_summaries(conn, [("2401.00001", "seed", SEED_SUMMARY)], "seed")


def make_user(store, username: str) -> None:
    """Create a user with ``PASSWORD`` (``password_hash``) in the store."""
    with store.transaction() as conn:
        store_users.create_user(conn, username=username, password_hash=password_hash())


def log_in_as(page, store, username: str) -> None:
    """Create a user in the store and log the page's browser context in over HTTP, without rendering pages.

    Only the sign-up test goes through the forms; the others need a signed-in user fast."""
    make_user(store, username)
    token = CSRF_RE.search(page.request.get("/login").text()).group(1)
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    response = page.request.post("/login", form=form, max_redirects=0)  # cookies land in the page's context
    assert response.status == 303, response.text()[:300]
