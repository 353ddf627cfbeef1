"""Reference-manager libraries: what identifies each paper in a BibTeX, Zotero RDF, CSL-JSON or id-list export.

``parse_library(data, format=None)`` decodes the bytes, picks the format (``FORMATS``; auto-detected
unless given) and returns a ``ParsedLibrary``: the entries with their arXiv id, DOI, title, year and
authors, the malformed entries (line and reason; the rest of the file still reads) and the citation keys
that appear more than once. A file that cannot be read as a whole (empty, binary, not UTF-8, over the
size or entry cap, unknown format, broken XML/JSON) raises ``LibraryFileError`` before anything is stored.

Modules: ``bib`` (BibTeX: Zotero, Mendeley, JabRef), ``rdf`` (Zotero RDF), ``csl`` (CSL-JSON), ``idlist``
(arXiv ids or URLs, one per line); ``entry`` (what each entry yields: what can identify the paper).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from ...errors import size_text
from .entry import (
    FORMATS,
    BadEntry,
    LibraryEntry,
    LibraryFileError,
    LibraryTooLarge,
    ParsedLibrary,
)
from .idlist import id_of_line, read_ids


def readers() -> dict[str, Callable[[str, str], Iterator[LibraryEntry | BadEntry]]]:
    """The reader of each format, imported when a library is read (bibtexparser's import is a tenth of a
    second that every ``paperfeed`` command paid)."""
    from .bib import read_bibtex
    from .csl import read_csl_json
    from .idlist import read_ids
    from .rdf import read_rdf

    return {"bibtex": read_bibtex, "rdf": read_rdf, "csl-json": read_csl_json, "ids": read_ids}


_BIBTEX_ENTRY = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]", re.MULTILINE)
_MAGIC = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP archive",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
}
EXPORT_HINT = "export BibTeX, Zotero RDF, CSL JSON or a list of arXiv ids"


def decode(data: bytes, name: str) -> str:
    """The text of an export: UTF-8 (BOM allowed) or UTF-16 with a BOM; clear errors otherwise."""
    if not data.strip():
        raise LibraryFileError(f"{name} is empty: nothing to import")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise LibraryFileError(f"{name}: broken UTF-16 text; {EXPORT_HINT} as UTF-8") from None
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise LibraryFileError(f"{name} is {what}, not a library export; {EXPORT_HINT}")
    head = data[:65536]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > max(2, len(head) // 100):
        raise LibraryFileError(f"{name} is a binary file, not a library export; {EXPORT_HINT}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise LibraryFileError(
            f"{name} is not UTF-8 text (byte 0x{byte} on line {line}); export the library as UTF-8 "
            "(Zotero, Mendeley and JabRef all can)"
        ) from None


def detect_format(text: str, name: str) -> str:
    """``bibtex``, ``rdf``, ``csl-json`` or ``ids``, from the text itself; ``LibraryFileError`` if none fits."""
    head = text.lstrip()[:4096]
    if head.startswith(("[", "{")):
        return "csl-json"
    if head.startswith("<"):
        if "rdf:RDF" in head or "22-rdf-syntax-ns" in head:
            return "rdf"
        raise LibraryFileError(f"{name} is XML or HTML but not a Zotero RDF export; {EXPORT_HINT}")
    if _BIBTEX_ENTRY.search(text):
        return "bibtex"
    lines = [found for line in text.splitlines()[:200] if (found := id_of_line(line)) is not None]
    if lines and any(a or d for a, d in lines):
        return "ids"
    raise LibraryFileError(f"{name}: could not tell the format (no BibTeX entry, RDF, JSON or arXiv id); {EXPORT_HINT}")


def _ids_between_entries(text: str, name: str) -> Iterator[LibraryEntry | BadEntry]:
    """The lines of a BibTeX text outside every entry whose first word is an arXiv id, URL or DOI (a list
    of ids pasted together with an entry); BibTeX takes such lines for comments."""
    depth, outside = 0, []
    for line in text.splitlines():
        outside.append(line if depth == 0 and not line.lstrip().startswith("@") else "")
        depth = max(0, depth + len(re.findall(r"(?<!\\)\{", line)) - len(re.findall(r"(?<!\\)\}", line)))
    for item in read_ids("\n".join(outside), name):
        if isinstance(item, LibraryEntry):
            yield item


def _count_entries(text: str, fmt: str) -> int | None:
    """A quick upper bound on the entries, to refuse a huge file before parsing it."""
    if fmt == "bibtex":
        return len(_BIBTEX_ENTRY.findall(text))
    if fmt == "ids":
        return text.count("\n") + 1
    return None


def parse_library(
    data: bytes,
    *,
    format: str | None = None,  # noqa: A002
    name: str = "library",
    max_bytes: int = 20 * 1024 * 1024,
    max_entries: int = 20_000,
) -> ParsedLibrary:
    if len(data) > max_bytes:
        raise LibraryTooLarge(
            f"{name} is {size_text(len(data))}, over the {size_text(max_bytes)} limit "
            "(setting library_max_bytes); split it into smaller files"
        )
    if format is not None and format not in FORMATS:
        raise LibraryFileError(f"unknown library format {format!r}; use one of: {', '.join(FORMATS)}")
    text = decode(data, name)
    fmt = format or detect_format(text, name)
    too_many = LibraryTooLarge(
        f"{name} has more than {max_entries:,} entries (setting library_max_entries); split it into smaller files"
    )
    if (_count_entries(text, fmt) or 0) > max_entries * (1 if fmt == "bibtex" else 2):
        raise too_many
    out = ParsedLibrary(fmt)
    found = readers()[fmt](text, name)
    if fmt == "bibtex":  # ids pasted beside the entries ("2401.01234" on a line of its own) are read too
        found = itertools.chain(found, _ids_between_entries(text, name))
    for item in found:
        (out.malformed if isinstance(item, BadEntry) else out.entries).append(item)
        if len(out.entries) + len(out.malformed) > max_entries:
            raise too_many
    out.entries.sort(key=lambda e: e.line)
    if not out.entries and not out.malformed:
        raise LibraryFileError(f"{name}: no entries found in this {fmt} file")
    seen: dict[str, tuple[str, list[int]]] = {}
    for e in [*out.entries, *out.malformed]:
        if e.key:
            seen.setdefault(e.key.casefold(), (e.key, []))[1].append(e.line)
    out.duplicate_keys = [(key, sorted(lines)) for key, lines in seen.values() if len(lines) > 1]
    out.duplicate_keys.sort(key=lambda d: d[1][0])
    return out


__all__ = [
    "FORMATS",
    "BadEntry",
    "LibraryEntry",
    "LibraryFileError",
    "LibraryTooLarge",
    "ParsedLibrary",
    "decode",
    "detect_format",
    "parse_library",
]
