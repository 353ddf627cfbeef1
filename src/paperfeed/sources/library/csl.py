"""CSL-JSON (Zotero's and Mendeley's "CSL JSON" export): a JSON array of items.

The array is decoded item by item so each entry knows its line; a file that is not JSON at all is
refused with the line and column where it breaks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from .entry import BadEntry, LibraryEntry, LibraryFileError, make_entry

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")  # CSL rich text: <i>, <b>, <sup>, <span style=...>
_WS = re.compile(r"\s*")


def _items(text: str, name: str) -> Iterator[tuple[int, object]]:
    decoder = json.JSONDecoder()
    line, counted = 1, 0

    def at(pos: int) -> int:
        nonlocal line, counted
        line += text.count("\n", counted, pos)
        counted = pos
        return line

    def broken(pos: int, what: str) -> LibraryFileError:
        col = pos - text.rfind("\n", 0, pos)
        return LibraryFileError(f"{name}: not valid CSL-JSON at line {at(pos)}, column {col}: {what}")

    pos = _WS.match(text, 0).end()
    if text.startswith("{", pos):
        try:
            obj, _ = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise broken(exc.pos, exc.msg) from None
        yield at(pos), obj
        return
    if not text.startswith("[", pos):
        raise broken(pos, "expected a JSON array of items")
    pos = _WS.match(text, pos + 1).end()
    while not text.startswith("]", pos):
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise broken(exc.pos, exc.msg) from None
        yield at(pos), obj
        pos = _WS.match(text, end).end()
        if text.startswith(",", pos):
            pos = _WS.match(text, pos + 1).end()
        elif not text.startswith("]", pos):
            raise broken(pos, "expected ',' or ']' after an item")


def _names(people: object) -> list[str]:
    if not isinstance(people, list):
        return []
    out = []
    for p in people:
        if isinstance(p, dict):
            out.append(str(p.get("literal") or f"{p.get('given', '')} {p.get('family', '')}"))
    return out


def read_csl_json(text: str, name: str) -> Iterator[LibraryEntry | BadEntry]:
    for line, item in _items(text, name):
        if not isinstance(item, dict):
            yield BadEntry(line, None, f"an item must be a JSON object, not {type(item).__name__}")
            continue
        key = item.get("citation-key") or item.get("id")
        key = str(key) if isinstance(key, str | int) else None
        title = item.get("title", "")
        if not isinstance(title, str):
            yield BadEntry(line, key, "title is not text")
            continue
        issued = item.get("issued")
        year = None
        if isinstance(issued, dict):
            parts = issued.get("date-parts")
            if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
                year = parts[0][0]
            else:
                year = issued.get("raw") or issued.get("literal")
        texts = [item.get(f) for f in ("URL", "number", "note", "archive_location", "id")]
        yield make_entry(
            key,
            line,
            title=_TAG.sub("", title),
            arxiv=tuple(t for t in texts if isinstance(t, str)),
            doi=item.get("DOI") if isinstance(item.get("DOI"), str) else None,
            year=year if isinstance(year, str | int) else None,
            authors=_names(item.get("author")),
        )
