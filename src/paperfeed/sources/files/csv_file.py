"""CSV (and tab-separated) paper files: a header row naming the columns, one paper per row.

Columns are matched case-insensitively (spaces and dashes count as underscores): ``id``/``arxiv_id``,
``title`` (required), ``abstract``/``summary``, ``authors`` (";"-separated, " and "-separated, a JSON list,
or "A, B and C"), ``categories`` (space, ";" or ","-separated), ``date``/``published``, ``comment``,
``doi``, ``url``, ``upvotes``, and the other ``PaperRecord`` field names. Other columns are ignored.
Each row goes through the same mapping as a JSON object.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from ...errors import RecordError, SourceError
from ..base import Item, build
from ._io import READ_ERRORS, open_binary, read_error
from .mapping import record_from_dict, record_key

SOURCE = "csv"

COLUMNS = {
    "id": "id",
    "arxiv_id": "arxiv_id",
    "arxiv": "arxiv_id",
    "arxivid": "arxiv_id",
    "title": "title",
    "abstract": "abstract",
    "summary": "abstract",
    "authors": "authors",
    "author": "authors",
    "categories": "categories",
    "category": "categories",
    "primary_category": "primary_category",
    "date": "published",
    "published": "published",
    "year": "published",
    "updated": "updated",
    "announced": "announced",
    "comment": "comment",
    "comments": "comment",
    "journal_ref": "journal_ref",
    "doi": "doi",
    "url": "url",
    "link": "url",
    "abs_url": "abs_url",
    "pdf_url": "pdf_url",
    "code_url": "code_url",
    "project_url": "project_url",
    "upvotes": "upvotes",
    "keywords": "keywords",
    "version": "version",
}


def _column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _bad_encoding(row: list[str], header: list[str]) -> str | None:
    for i, cell in enumerate(row):
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError as exc:
            byte = ord(cell[exc.start]) - 0xDC00
            col = header[i] if i < len(header) else f"#{i + 1}"
            return f"not valid UTF-8 (byte 0x{byte:02x} in column '{col}'); save the file as UTF-8"
    return None


def read_csv(path: Path, *, gz: bool, delimiter: str = ",", source: str = SOURCE) -> Iterator[Item]:
    name = path.name
    with open_binary(source, path, gz) as raw:
        # surrogateescape: a bad byte is reported on its row instead of failing the whole file
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        # strict: a quote opened and never closed is an error, not the rest of the file glued into one field
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        end = 0  # the last physical line read
        try:
            try:
                header = next(reader, None)
            except csv.Error as exc:  # a header field past csv's size limit (131,072 characters)
                raise SourceError(source, str(path), f"malformed CSV header: {exc}") from None
            if header is None:
                return
            end = reader.line_num
            found = [h.strip() for h in header]
            keys = [COLUMNS.get(_column(h)) for h in header]
            if "title" not in keys:
                shown = ", ".join(repr(h) for h in found[:30]) or "none"
                raise SourceError(source, str(path), f"no title column (columns found: {shown})")
            while True:
                start = end + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    end = reader.line_num
                    why = (
                        "a quote opened on this line is never closed (the rest of the file would be one field)"
                        if "unexpected end of data" in str(exc)
                        else f"malformed CSV: {exc}"
                    )
                    yield RecordError(source, f"{name} line {start}", why)
                    continue
                end = reader.line_num
                if not row or not any(c.strip() for c in row):
                    continue
                where = f"{name} line {start}"
                problem = _bad_encoding(row, found)
                obj: dict[str, str] = {}
                for key, cell in zip(keys, row, strict=False):  # short and long rows are fine
                    if key and key not in obj and cell.strip():
                        obj[key] = cell.strip()
                if problem:
                    rid = record_key(obj)
                    rid = rid.encode("utf-8", "replace").decode("utf-8") if rid else None
                    yield RecordError(source, where, problem, rid)
                    continue
                yield build(source, where, lambda obj=obj: record_from_dict(obj), record_key(obj))
        except READ_ERRORS as exc:
            raise read_error(source, path, exc, end) from None
