"""The orders a reader can ask for, named once for every surface (web, API, CLI, MCP).

A search sorts by ``relevance``, ``newest`` or ``upvotes`` (the web's names); a list of a period or a
keyword by ``newest`` or ``upvotes`` (and ``trending`` where the surface ranks it). Older spellings stay
accepted as aliases of ``newest``: ``published`` (the web's lists, and the store's order) and
``publishedAt`` (Hugging Face's API).
"""

from __future__ import annotations

from collections.abc import Iterable

SEARCH = ("relevance", "newest", "upvotes")
ORDERS = ("newest", "upvotes")  # a list's orders the store keeps (web pages)
LIST = (*ORDERS, "trending")  # and where a surface ranks a period's list (API, MCP)
ALIASES = {"published": "newest", "publishedAt": "newest"}


def accepted(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` and their aliases: what a surface's parameter accepts (a ``Literal``, a pattern)."""
    names = tuple(names)
    return (*names, *(alias for alias, name in ALIASES.items() if name in names))


def pattern(names: Iterable[str]) -> str:
    """A query parameter's pattern for ``names`` and their aliases."""
    return f"^({'|'.join(accepted(names))})$"


def resolve(name: str, names: Iterable[str]) -> str:
    """The one of ``names`` that ``name`` (or its alias) means; ``ValueError`` for another."""
    names = tuple(names)
    meant = ALIASES.get(name, name)
    if meant not in names:
        raise ValueError(f"unknown sort {name!r}: use one of {', '.join(names)}")
    return meant


def store_order(name: str) -> str:
    """The store's order for a list sort: ``published`` (newest first) or ``upvotes``."""
    return "published" if resolve(name, LIST) == "newest" else "upvotes"
