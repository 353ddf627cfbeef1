"""What a library import reads from each entry of an export: what can identify the paper, nothing more."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...errors import PaperfeedError
from ...ids import ARXIV_IN_TEXT, normalise_doi, parse_arxiv_id

FORMATS = ("bibtex", "rdf", "csl-json", "ids")


class LibraryFileError(PaperfeedError):
    """The whole file was refused (empty, binary, not UTF-8, unknown or broken format); nothing is stored."""

    exit_code = 2
    status = 400


class LibraryTooLarge(LibraryFileError):
    """Over the size or entry cap (``library_max_bytes``, ``library_max_entries``)."""

    status = 413


@dataclass(frozen=True)
class LibraryEntry:
    """One entry of a library: its citation key (or item id), where it starts, and its identifying keys."""

    key: str
    line: int
    title: str = ""
    arxiv_id: str | None = None  # canonical, unversioned
    doi: str | None = None  # normalised: lower case, no resolver prefix
    year: int | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class BadEntry:
    """A malformed entry: reported, never matched."""

    line: int
    key: str | None
    reason: str


@dataclass
class ParsedLibrary:
    format: str
    entries: list[LibraryEntry] = field(default_factory=list)
    malformed: list[BadEntry] = field(default_factory=list)
    duplicate_keys: list[tuple[str, list[int]]] = field(default_factory=list)  # (key, lines where it appears)


def arxiv_in(*texts: str | None) -> str | None:
    """The canonical arXiv id of the first text that is one or mentions one (URL, ``arXiv:``, arXiv DOI)."""
    for text in texts:
        if not text:
            continue
        parsed = parse_arxiv_id(text)
        if parsed is None:
            m = ARXIV_IN_TEXT.search(text)
            parsed = parse_arxiv_id(m.group(1)) if m else None
        if parsed:
            return parsed[0]
    return None


def year_in(*texts: str | int | None) -> int | None:
    for text in texts:
        m = re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", str(text or ""))
        if m:
            return int(m.group(1))
    return None


def make_entry(
    key: str | None,
    line: int,
    *,
    title: str = "",
    arxiv: tuple[str | None, ...] = (),
    doi: str | None = None,
    year: str | int | None = None,
    authors: list[str] | tuple[str, ...] = (),
) -> LibraryEntry | BadEntry:
    """An entry with normalised keys, or a ``BadEntry`` when nothing in it can identify a paper.

    ``arxiv`` lists the texts that may hold an arXiv id (eprint, URL, note...), strongest first; an arXiv
    DOI (``10.48550/arXiv.X``) counts as one too.
    """
    title = " ".join((title or "").split())[:2000]
    doi_norm = normalise_doi(doi)
    arxiv_id = arxiv_in(*arxiv, doi_norm)
    if not (title or arxiv_id or doi_norm):
        return BadEntry(line, key, "no title, DOI or arXiv id to match it by")
    key = (key or "").strip()[:200] or arxiv_id or doi_norm or f"line {line}"
    names = tuple(" ".join(a.split())[:300] for a in authors if a and a.strip())
    return LibraryEntry(key, line, title, arxiv_id, doi_norm, year_in(year), names[:50])
