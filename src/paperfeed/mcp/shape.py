"""What the MCP tools answer: papers and collections as plain JSON-ready dicts, for a model to read.

A list holds ``brief`` papers (the abstract cut to ``SNIPPET_CHARS``); the ``paper`` tool answers ``full``
(the whole abstract, every link, the BibTeX entry). A paper's ``summary`` (its one-line summary) is given
when the paper has one.
"""

from __future__ import annotations

from ..export import to_bibtex
from ..store.collections import CollectionView
from ..store.papers import PaperView

SNIPPET_CHARS = 300
MAX_AUTHORS = 10  # a brief paper names the first ten (``authors_total`` counts them all)


def _day(view: PaperView) -> str | None:
    return view.day.isoformat() if view.day else None


def _summary(view: PaperView) -> dict:
    summary = getattr(view, "summary", None)  # the one-line summary, where the index job made one
    return {"summary": summary} if summary else {}


def _snippet(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def page_url(view: PaperView, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/papers/{view.id}"


def brief(view: PaperView, base_url: str, **extra) -> dict:
    """A paper in a list: who, when, what (the abstract's start), how popular, where to read it."""
    out = {
        "id": view.id,
        "title": view.title,
        "authors": view.authors[:MAX_AUTHORS],
        "published": _day(view),
        "categories": view.categories,
        "upvotes": view.upvotes,
        "keywords": list(view.keywords or view.keyphrases),
        **_summary(view),
        "abstract": _snippet(view.abstract),
        "url": page_url(view, base_url),
    }
    if len(view.authors) > MAX_AUTHORS:
        out["authors_total"] = len(view.authors)
    if view.code_url:
        out["code"] = view.code_url
    return {k: v for k, v in out.items() if v is not None and v != []} | extra  # lists are read by the token


def links(view: PaperView, base_url: str) -> dict:
    page = page_url(view, base_url)
    found = {
        "paperfeed": page,
        "arxiv": view.abs_url or (f"https://arxiv.org/abs/{view.id}" if view.is_arxiv else None),
        "pdf": view.pdf_url,
        "code": view.code_url,
        "project": view.project_url,
        "doi": f"https://doi.org/{view.doi}" if view.doi else None,
        "markdown": f"{page}.md",
        "bibtex": f"{page}.bib",
    }
    return {k: v for k, v in found.items() if v}


def full(view: PaperView, base_url: str) -> dict:
    """One paper: the whole abstract, the summary if it has one, every link and its BibTeX entry."""
    out = {
        "id": view.id,
        "version": view.version,
        "title": view.title,
        "authors": view.authors,
        **_summary(view),
        "abstract": view.abstract,
        "published": _day(view),  # as in lists: published, else announced, else first featured (store.papers.paper_day)
        "updated": view.updated_at.isoformat() if view.updated_at else None,
        "announced": view.announced_on.isoformat() if view.announced_on else None,
        "primary_category": view.primary_category,
        "categories": view.categories,
        "keywords": list(view.keywords or view.keyphrases),
        "upvotes": view.upvotes,
        "comments": view.num_comments,
        "comment": view.comment,
        "journal_ref": view.journal_ref,
        "doi": view.doi,
        "featured": [{"day": f.day.isoformat(), "submitted_by": f.submitted_by} for f in view.featured],
        "links": links(view, base_url),
        "bibtex": to_bibtex(view).strip(),
    }
    return {k: v for k, v in out.items() if v is not None}


def collection(c: CollectionView, base_url: str) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "owner": c.owner,
        "description": c.description,
        "public": c.is_public,
        "size": c.size,
        "created_at": c.created_at.isoformat() if c.created_at else None,
        "url": f"{base_url.rstrip('/')}/collections/{c.id}",
    }
