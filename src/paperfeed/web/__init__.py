"""The web surface: server-rendered pages over the store (FastAPI + Jinja2, no JavaScript needed)."""
