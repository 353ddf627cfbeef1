"""paperfeed: a self-hosted research-paper front page.

Data flows one way (docs/architecture.md), lowest first:

- foundation: ``settings`` (the one settings object), ``errors``, ``records`` (what sources yield),
  ``ids``, ``clock``, ``latex``, ``periods``, ``logs`` (log lines with request ids), ``metrics``
  (the Prometheus metrics)
- ``sources/`` -> ``store/`` -> ``index/`` -> ``rank/``
- services below the surfaces: ``ingest`` (sources into the store), ``library`` (a user's library into a
  collection), ``actions/``, ``mail/``, ``http/``, ``export`` (a paper as BibTeX, Markdown, JSON)
- surfaces: ``web/``, ``api/``, ``feeds/``, ``cli/``, ``ops/`` (health checks and metrics)
- composition roots: ``app`` (the FastAPI app), ``scheduler`` (the jobs of ``paperfeed serve``)

``paperfeed.search`` and ``paperfeed.similar`` are the rankers, for use from Python.
"""

__version__ = "0.1.0"

__all__ = ["search", "similar"]


def __getattr__(name: str):
    # lazy: `import paperfeed` stays fast; the search stack loads on first use
    if name == "search":
        from .rank.search import search

        return search
    if name == "similar":
        from .rank.similar import similar

        return similar
    raise AttributeError(f"module 'paperfeed' has no attribute {name!r}")
