"""A paper in other formats: BibTeX (bibtexparser writes it), Markdown, and a plain JSON dict."""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.bibdatabase import BibDatabase
from bibtexparser.bwriter import BibTexWriter

from .ids import normalise_title
from .store.papers import PaperView

_LATEX_SPECIAL = re.compile(r"([&%#_])")


def bibtex_key(p: PaperView) -> str:
    first = (p.authors[0].split()[-1] if p.authors else "anon").lower()
    first = re.sub(r"[^a-z0-9]", "", normalise_title(first)) or "anon"
    year = p.year or ""
    word = next((w for w in normalise_title(p.title).split() if len(w) > 3), "paper")
    return f"{first}{year}{word}"


def _escape(text: str) -> str:
    return _LATEX_SPECIAL.sub(r"\\\1", text)


def to_bibtex_entries(papers: list[PaperView]) -> str:
    db = BibDatabase()
    seen: dict[str, int] = {}
    for p in papers:
        key = bibtex_key(p)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}{chr(ord('a') + seen[key] - 2)}"
        entry = {"ENTRYTYPE": "misc" if p.is_arxiv else "article", "ID": key, "title": "{" + _escape(p.title) + "}"}
        if p.authors:
            entry["author"] = " and ".join(_escape(a) for a in p.authors)
        if p.year:
            entry["year"] = str(p.year)
        if p.is_arxiv:
            entry.update(eprint=p.id, archiveprefix="arXiv", url=p.abs_url or f"https://arxiv.org/abs/{p.id}")
            if p.primary_category:
                entry["primaryclass"] = p.primary_category
        elif p.abs_url:
            entry["url"] = p.abs_url
        if p.doi:
            entry["doi"] = p.doi
        if p.journal_ref:
            entry["journal"] = _escape(p.journal_ref)
        db.entries.append(entry)
    writer = BibTexWriter()
    writer.indent = "  "
    writer.order_entries_by = None
    writer.display_order = ["title", "author", "year", "eprint", "archiveprefix", "primaryclass", "doi", "url"]
    return bibtexparser.dumps(db, writer)


def to_bibtex(p: PaperView) -> str:
    return to_bibtex_entries([p])


def to_markdown(p: PaperView, *, base_url: str = "") -> str:
    """The paper as Markdown: title, authors, links, abstract."""
    lines = [f"# {p.title}", ""]
    if p.authors:
        lines += [f"**Authors:** {', '.join(p.authors)}", ""]
    meta = []
    if p.is_arxiv:
        meta.append(f"arXiv: [{p.id}]({p.abs_url or 'https://arxiv.org/abs/' + p.id})")
    if p.pdf_url:
        meta.append(f"[PDF]({p.pdf_url})")
    if p.code_url:
        meta.append(f"[Code]({p.code_url})")
    if p.project_url:
        meta.append(f"[Project page]({p.project_url})")
    if p.published_at:
        meta.append(f"Published: {p.published_at:%Y-%m-%d}")
    if p.categories:
        meta.append("Categories: " + ", ".join(p.categories))
    meta.append(f"Upvotes: {p.upvotes}")
    lines += [" · ".join(meta), "", "## Abstract", "", p.abstract or "(no abstract)", ""]
    if p.comment:
        lines += [f"*Comment:* {p.comment}", ""]
    if base_url:
        lines += [f"[View on paperfeed]({base_url.rstrip('/')}/papers/{p.id})", ""]
    return "\n".join(lines)


def to_dict(p: PaperView) -> dict:
    """paperfeed's own JSON for a paper (the same field names ``paperfeed import`` reads back)."""
    return {
        "id": p.id, "version": p.version, "title": p.title, "abstract": p.abstract, "authors": p.authors,
        "primary_category": p.primary_category, "categories": p.categories, "comment": p.comment,
        "journal_ref": p.journal_ref, "doi": p.doi,
        "published": p.published_at.isoformat() if p.published_at else None,
        "updated": p.updated_at.isoformat() if p.updated_at else None,
        "announced": p.announced_on.isoformat() if p.announced_on else None,
        "abs_url": p.abs_url, "pdf_url": p.pdf_url, "code_url": p.code_url, "project_url": p.project_url,
        "upvotes": p.upvotes, "keywords": p.keywords,
        "featured": [{"day": f.day.isoformat(), "submitted_by": f.submitted_by, "upvotes": f.upvotes}
                     for f in p.featured],
    }  # fmt: skip
