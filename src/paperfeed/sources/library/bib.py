"""BibTeX as Zotero, Mendeley and JabRef export it, read with the paper-file BibTeX splitter.

Besides what the paper reader knows (``eprint``/``archivePrefix``, arXiv URLs in ``url``/``note``/
``howpublished``, arXiv DOIs), Mendeley's ``arxivId`` field counts. Titles are LaTeX-decoded.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import RecordError
from ...latex import latex_to_text
from ..files.bibtex import _arxiv_id, _name, _split_names, iter_entries
from .entry import BadEntry, LibraryEntry, make_entry


def read_bibtex(text: str, name: str) -> Iterator[LibraryEntry | BadEntry]:
    for line, key, entry in iter_entries(text, name, "library"):
        if isinstance(entry, RecordError):
            yield BadEntry(line, key, entry.message)
            continue
        try:
            authors = [_name(a) for a in _split_names(entry.get("author", "")) if a.strip().lower() != "others"]
        except Exception:  # a name list LaTeX cannot untangle does not hide the rest of the entry
            authors = []
        yield make_entry(
            key,
            line,
            title=latex_to_text(entry.get("title", "")),
            arxiv=(entry.get("arxivid"), _arxiv_id(entry)),
            doi=entry.get("doi"),
            year=entry.get("year") or entry.get("date"),
            authors=authors,
        )
