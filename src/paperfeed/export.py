"""A paper in other formats: BibTeX (bibtexparser writes it), Markdown, and a plain JSON dict."""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.bibdatabase import BibDatabase
from bibtexparser.bwriter import BibTexWriter

from .ids import normalise_title
from .latex import math_to_text, outside_math
from .store.papers import PaperView

_LATEX_SPECIAL = re.compile(r"(?<!\\)([&%#_])")  # not one that is escaped already ("\\&" in arXiv titles)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", normalise_title(text))


def bibtex_key(p: PaperView) -> str:
    """``lastname`` + year + first long title word, in ASCII: ``vaswani2017attention``."""
    name = p.authors[0] if p.authors else ""
    last = name.split(",")[0] if "," in name else (name.split() or [""])[-1]  # "Müller, Hans" or "Hans Müller"
    first = _ascii_word(last) or "anon"
    words = normalise_title(math_to_text(p.title)).split()  # "$\textit{Trans-LoRA}$" gives "trans", not "textit"
    word = next((w for w in (_ascii_word(w) for w in words) if len(w) > 3), "paper")
    return f"{first}{p.year or ''}{word}"


def _escape(text: str) -> str:
    """Text for a BibTeX field: LaTeX's special characters escaped outside math (``$L_2$`` stays math, an
    already escaped ``\\&`` stays as it is, a bare ``^`` becomes ``\\^{}``); a brace that pairs with none
    and control characters dropped."""
    escaped = outside_math(  # $L_2$, $x^2$ as the authors wrote them
        _CONTROL.sub("", text), lambda p: re.sub(r"(?<!\\)\^", r"\\^{}", _LATEX_SPECIAL.sub(r"\\\1", p))
    )
    return _paired_braces(escaped)


def _paired_braces(text: str) -> str:
    """``text`` without the braces that pair with none: BibTeX counts every brace, escaped or not, so an
    unpaired one ends the field (or the entry) early."""
    opened: list[int] = []
    unpaired: set[int] = set()
    for i, c in enumerate(text):
        if c == "{":
            opened.append(i)
        elif c == "}":
            if opened:
                opened.pop()
            else:
                unpaired.add(i)
    unpaired.update(opened)
    return "".join(c for i, c in enumerate(text) if i not in unpaired) if unpaired else text


def _suffix(n: int) -> str:
    """a, b, ..., z, aa, ab, ...: the letters told apart papers of one key get (n from 1)."""
    letters = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def bibtex_keys(papers: list[PaperView]) -> list[str]:
    """Each paper's key in one file, unique: papers of one natural key are told apart in the order of their
    ids (the first keeps the plain key, the others get a, b, ...), not in the order listed, so a collection
    exported again after a newer paper joined it cites what it cited before."""
    natural = [bibtex_key(p) for p in papers]
    taken = set(natural)
    keys = list(natural)
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(natural):
        groups.setdefault(key, []).append(i)
    for key, members in groups.items():
        n = 0
        for i in sorted(members, key=lambda i: papers[i].id)[1:]:
            n += 1
            while f"{key}{_suffix(n)}" in taken:  # a paper whose natural key already ends so
                n += 1
            keys[i] = f"{key}{_suffix(n)}"
            taken.add(keys[i])
    return keys


def to_bibtex_entries(papers: list[PaperView]) -> str:
    db = BibDatabase()
    for p, key in zip(papers, bibtex_keys(papers), strict=True):
        kind = "article" if p.journal_ref and not p.is_arxiv else "misc"  # no journal: not an @article
        entry = {"ENTRYTYPE": kind, "ID": key, "title": "{" + _escape(p.title) + "}"}
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
        "upvotes": p.upvotes, "imported_upvotes": p.imported_upvotes, "keywords": p.keywords,
        "featured": [{"day": f.day.isoformat(), "submitted_by": f.submitted_by, "upvotes": f.upvotes}
                     for f in p.featured],
    }  # fmt: skip
