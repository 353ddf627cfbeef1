"""paperfeed: a self-hosted research-paper front page.

Data flows one way: sources -> store -> index -> rank -> surfaces (web, api, feeds, email, cli).
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
