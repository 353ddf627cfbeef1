"""Helpers shared by the tests: ``from tests.helpers.web import make_app`` and so on.

cli        ``pf``: the ``paperfeed`` command run in a real process
web        an app over a test store, a browser-like client, paper records
liveserver uvicorn serving an app on a free loopback port
browser    Debian Chromium driven by Playwright, a seeded site
search     the seed papers, a caching encoder over the real model
recommend  a four-topic corpus embedded with the real model (and the ``rec_encoder`` fixture)
library    the papers the library exports name, a user to import for
mail       a loopback SMTP server that keeps what it receives
net        recorded bodies and a fast client for the network-source tests
kill       ``paperfeed`` in a process killed -9 once shown mid-way; database integrity checks and counts
shared     what the xdist workers of a session build once and share (the seed corpus's vectors, a trained model)
"""
