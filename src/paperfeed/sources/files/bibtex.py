"""BibTeX paper files (``.bib``, ``.bibtex``), parsed with bibtexparser 1.x one entry at a time.

Plain entries (braced or quoted values, numbers, month names) are read by ``fast_entry`` into the same
dict bibtexparser builds, far faster (pyparsing is slow on a Zotero entry with a long abstract);
anything else (``#``, ``@string`` macros, a syntax error) goes to bibtexparser, which reports problems.

The file is cut into entries at each ``@type{`` that starts a line, so a malformed entry (unbalanced
braces, a missing comma) is one ``RecordError`` naming its key and line and the entries after it still
read. ``@string`` macros apply to the entries after them; ``@comment`` and ``@preamble`` are skipped;
duplicate keys are fine (each entry is a record).

Mapping: the arXiv id from ``eprint`` (``archivePrefix``/``eprinttype`` arXiv, or none) or an arXiv
URL, ``journal = {arXiv preprint arXiv:...}`` or arXiv DOI; ``primaryClass``; title, abstract and names
with LaTeX accents and braces cleaned (``{\\"u}`` -> ü, ``{BERT}`` -> BERT); authors "Last, First and First
Last" -> ["First Last", ...]; ``date``, or ``year`` (+ ``month``) -> published (the 1st of January when
there is only a year); ``journal``/``booktitle`` -> journal ref; ``url`` (when not arXiv) -> abs URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bibtexparser.bibdatabase import COMMON_STRINGS
from bibtexparser.bparser import BibTexParser

from ...errors import RecordError
from ...ids import ARXIV_IN_TEXT, parse_arxiv_id
from ...latex import latex_to_text
from ...records import PaperRecord
from ..base import Item, build
from ._io import read_all
from .mapping import split_list, to_datetime

SOURCE = "bibtex"

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*([{(])", re.MULTILINE)
_KEY = re.compile(r"[{(]\s*([^,\s{}()=\"]+)\s*(,)?")
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
)}  # fmt: skip
_NOT_JOURNALS = re.compile(r"^(?:arxiv\b|corr$|preprint$|arxiv\.org)", re.IGNORECASE)


_DELIMS = re.compile(r"[{}()]")


def _closing(text: str, open_at: int) -> int | None:
    """Index of the delimiter closing the entry opened at ``open_at`` (``{`` or ``(``), else None."""
    closer = "}" if text[open_at] == "{" else ")"
    depth = 0
    for m in _DELIMS.finditer(text, open_at + 1):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return m.start() if closer == "}" else None
            depth -= 1
        elif c == ")" and closer == ")" and depth == 0:
            return m.start()
    return None


_FIELD_NAME = re.compile(r"\s*([A-Za-z_][\w\-:.+]*)\s*=\s*")
_BARE_VALUE = re.compile(r"[A-Za-z0-9_\-.:+/]+")
_SPACE = re.compile(r"\s*")
_VALUE_DELIMS = re.compile(r'[{}"]')


def _value_end(text: str, pos: int) -> int | None:
    """End (exclusive) of the braced or quoted value starting at ``pos``, braces balanced; else None."""
    quoted = text[pos] == '"'
    depth = 0
    for m in _VALUE_DELIMS.finditer(text, pos + 1):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return m.end() if not quoted else None
            depth -= 1
        elif quoted and depth == 0:
            return m.end()
    return None


def _strip_lines(value: str) -> str:
    """What bibtexparser does to a value: leading spaces of every line but the first dropped."""
    lines = value.splitlines()
    return "\n".join([lines[0]] + [line.lstrip() for line in lines[1:]]) if len(lines) > 1 else value


def fast_entry(entry_text: str, open_at: int, kind: str) -> dict | None:
    """The entry dict bibtexparser would build, for a plain entry (braced or quoted values, numbers, month
    names), read without pyparsing (far faster on a Zotero entry with its abstract).

    None for anything unusual (``#`` concatenation, ``@string`` macros, a repeated field, a syntax error):
    bibtexparser then reads the entry and reports what is wrong.
    """
    m = _KEY.match(entry_text, open_at)
    if not m or not m.group(2):
        return None
    end = len(entry_text) - 1  # the closing delimiter
    pos = m.end()
    fields: dict[str, str] = {}
    while True:
        pos = _SPACE.match(entry_text, pos).end()
        if pos >= end:
            break
        f = _FIELD_NAME.match(entry_text, pos)
        if not f or f.end() >= end:
            return None
        pos = f.end()
        if entry_text[pos] in '{"':
            stop = _value_end(entry_text, pos)
            if stop is None or stop > end:
                return None
            value, pos = _strip_lines(entry_text[pos + 1 : stop - 1]), stop
        else:
            bare = _BARE_VALUE.match(entry_text, pos)
            if not bare:
                return None
            word, pos = bare.group(), bare.end()
            if not word.isdigit() and word.lower() not in COMMON_STRINGS:
                return None
            value = word if word.isdigit() else COMMON_STRINGS[word.lower()]
        name = f.group(1).lower()
        if name in fields:
            return None
        fields[name] = "" if value == "{}" else value
        pos = _SPACE.match(entry_text, pos).end()
        if entry_text.startswith(",", pos):
            pos += 1
        elif pos < end:
            return None
    return {**fields, "ENTRYTYPE": kind, "ID": m.group(1)}


def _split_names(value: str) -> list[str]:
    """Split an author field on " and " outside braces."""
    names, depth, start = [], 0, 0
    lower = value.lower()
    i = 0
    while i < len(value):
        c = value[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif (
            depth == 0
            and c.isspace()
            and lower.startswith("and", i + 1)
            and i + 4 < len(value)
            and value[i + 4].isspace()
        ):
            names.append(value[start:i])
            i += 5
            start = i
            continue
        i += 1
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]


def _name(raw: str) -> str:
    """ "Last, First" -> "First Last"; "Last, Jr, First" -> "First Last Jr"; "First Last" unchanged."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(raw):
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == "," and depth == 0:
            parts.append(raw[start:i])
            start = i + 1
    parts.append(raw[start:])
    parts = [latex_to_text(p) for p in parts]
    if len(parts) == 2:
        name = f"{parts[1]} {parts[0]}"
    elif len(parts) >= 3:
        name = f"{parts[2]} {parts[0]} {parts[1]}"
    else:
        name = parts[0]
    return " ".join(name.split())


def _arxiv_id(entry: dict) -> str | None:
    eprint = entry.get("eprint", "").strip()
    prefix = (entry.get("archiveprefix") or entry.get("eprinttype") or "").strip().lower()
    if eprint and prefix == "arxiv":
        return eprint  # checked() reports it if it is not an arXiv id
    if eprint and not prefix and parse_arxiv_id(eprint):
        return eprint
    for field in ("url", "journal", "doi", "note", "howpublished", "volume"):
        m = ARXIV_IN_TEXT.search(entry.get(field, ""))
        if m:
            return m.group(1)
    if entry.get("journal", "").strip().lower() == "corr" and entry.get("volume", "").startswith("abs/"):
        return entry["volume"][4:]
    return None


def _published(entry: dict) -> datetime | None:
    if entry.get("date"):
        return to_datetime(entry["date"].strip(), "date")
    year = entry.get("year", "").strip()
    if not year:
        return None
    if not re.fullmatch(r"\d{4}", year):
        raise ValueError(f"bad year {year[:20]!r}")
    month = 1
    raw = entry.get("month", "").strip().lower()
    if raw:
        if raw.isdigit() and 1 <= int(raw) <= 12:
            month = int(raw)
        elif raw[:3] in _MONTHS:
            month = _MONTHS[raw[:3]]
        else:
            raise ValueError(f"bad month {raw[:20]!r}")
    return datetime(int(year), month, 1, tzinfo=UTC)


def _optional(entry: dict, field: str) -> str | None:
    value = entry.get(field, "").strip()
    return latex_to_text(value) if value else None


def record_from_entry(entry: dict) -> PaperRecord:
    """Map a bibtexparser entry dict (lower-case field names) to a record."""
    arxiv_id = _arxiv_id(entry)
    doi = entry.get("doi", "").strip() or None
    if doi:
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    journal = _optional(entry, "journal") or _optional(entry, "booktitle")
    if journal and _NOT_JOURNALS.match(journal):
        journal = None
    url = entry.get("url", "").strip() or None
    if url and ARXIV_IN_TEXT.search(url):
        url = None
    return PaperRecord(
        title=latex_to_text(entry.get("title", "")),
        abstract=latex_to_text(entry.get("abstract", "")),
        arxiv_id=arxiv_id,
        authors=[_name(a) for a in _split_names(entry.get("author", "")) if a.strip().lower() != "others"],
        primary_category=entry.get("primaryclass", "").strip() or None,
        journal_ref=journal,
        doi=doi,
        published=_published(entry),
        abs_url=url,
        keywords=split_list(latex_to_text(entry.get("keywords", "")), "keywords", re.compile(r"\s*[;,]\s*")),
    )


def _parser() -> BibTexParser:
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    parser.expect_multiple_parse = True
    return parser


def iter_entries(text: str, name: str, source: str = SOURCE) -> Iterator[tuple[int, str | None, dict | RecordError]]:
    """Yield ``(line, key, entry)`` for each entry of BibTeX ``text``: a bibtexparser entry dict, or a
    ``RecordError`` for a malformed one (the entries after it still read)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    starts = list(_ENTRY_START.finditer(text))
    parser = _parser()
    line, counted = 1, 0
    for i, m in enumerate(starts):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        kind = m.group(1).lower()
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        chunk = text[m.start() : end]
        open_at = m.end() - 1 - m.start()
        key_match = _KEY.match(chunk, open_at)
        key = key_match.group(1)[:80] if key_match else None
        where = f"{name} line {line}"
        if kind in ("comment", "preamble"):
            continue
        bad = _BAD_BYTE.search(chunk)
        if bad:
            bad_line = line + chunk.count("\n", 0, bad.start())
            byte = ord(bad.group()) - 0xDC00
            where_bad = f"{name} line {bad_line}"
            msg = f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8"
            yield bad_line, key, RecordError(source, where_bad, msg, key)
            continue
        close = _closing(chunk, open_at)
        if close is None:
            yield line, key, RecordError(source, where, f"malformed @{kind} entry: unbalanced braces (not closed)", key)
            continue
        entry_text = chunk[: close + 1]
        fast = fast_entry(entry_text, open_at, kind) if kind != "string" else None
        if fast is not None:
            yield line, fast["ID"], fast
            continue
        db = parser.bib_database
        before = len(db.entries)
        try:
            parser.parse(entry_text, partial=False)
        except Exception as exc:  # bibtexparser raises pyparsing and lookup errors of many kinds
            msg = f"malformed @{kind} entry: {type(exc).__name__}: {exc}"[:300]
            yield line, key, RecordError(source, where, msg, key)
            continue
        entries = db.entries[before:]
        del db.entries[before:]
        if kind == "string":
            continue
        if not entries:
            if key is None:
                why = "no citation key"
            elif not key_match.group(2):
                why = "no comma after the citation key"
            else:
                why = "could not parse its fields (check commas, quotes and braces)"
            yield line, key, RecordError(source, where, f"malformed @{kind} entry: {why}", key)
            continue
        for entry in entries:
            yield line, entry.get("ID") or key, entry


def read_bibtex(path: Path, *, gz: bool, source: str = SOURCE) -> Iterator[Item]:
    name = path.name
    text = read_all(source, path, gz).decode("utf-8", "surrogateescape")
    for line, key, entry in iter_entries(text, name, source):
        if isinstance(entry, RecordError):
            yield entry
        else:
            yield build(source, f"{name} line {line}", lambda entry=entry: record_from_entry(entry), key)
