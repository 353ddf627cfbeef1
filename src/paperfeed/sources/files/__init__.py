"""Paper files: JSON Lines, JSON, CSV, BibTeX and saved page text, each plain or gzipped.

``read(path)`` picks the reader by suffix and yields ``PaperRecord | RecordError`` items, streaming: a
bad record is one ``RecordError`` naming the file, line and record id, and reading goes on; a file that
cannot be read at all (not found, unknown format, truncated archive) raises ``SourceError``.

| suffix | source name | what |
|---|---|---|
| ``.jsonl``, ``.ndjson`` | ``jsonl`` | one object per line (arXiv dumps, HF dumps, paperfeed export) |
| ``.json`` | ``json`` | a list of objects, one object, an HF daily_papers response, or JSON Lines |
| ``.csv``, ``.tsv`` | ``csv`` | a header row naming the columns (title required) |
| ``.bib``, ``.bibtex`` | ``bibtex`` | BibTeX entries |
| ``.txt`` | ``page`` | a papers page saved as text (title, blank line, abstract, ...) |

Modules: ``jsonl`` (JSON and JSON Lines), ``csv_file``, ``bibtex``, ``page_text``; ``mapping`` (one
mapping of a dict of fields to a record, for JSON and CSV rows); ``_io`` (opening plain or gzipped files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path

from ...errors import SourceError
from ..base import Item
from ._io import open_error
from .bibtex import read_bibtex
from .csv_file import read_csv
from .jsonl import read_json, read_jsonl
from .page_text import read_page

SOURCE_NAMES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".txt": "page",
}
SUPPORTED = tuple(SOURCE_NAMES)


def _reader(suffix: str, page_day: date | None) -> Callable[..., Iterator[Item]]:
    return {
        ".jsonl": read_jsonl,
        ".ndjson": read_jsonl,
        ".json": read_json,
        ".csv": read_csv,
        ".tsv": partial(read_csv, delimiter="\t"),
        ".bib": read_bibtex,
        ".bibtex": read_bibtex,
        ".txt": partial(read_page, page_day=page_day),
    }[suffix]


def file_format(path: Path) -> tuple[str, bool]:
    """``(suffix, gzipped)`` of a supported file, e.g. ``(".jsonl", True)``; ``SourceError`` otherwise."""
    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    suffix = Path(name[:-3] if gz else name).suffix
    if suffix not in SOURCE_NAMES:
        what = f"'{suffix}'" if suffix else "no suffix"
        supported = ", ".join(SUPPORTED)
        raise SourceError(
            "files", str(path), f"unknown file format ({what}); supported: {supported}, each optionally .gz"
        )
    return suffix, gz


def read(path: Path | str, *, page_day: date | None = None) -> Iterator[Item]:
    """Yield the records of a paper file (``RecordError`` for each bad one).

    ``page_day`` is the featured day of a saved page (``.txt``); without it the page's date line is used.
    Raises ``SourceError`` at once for an unknown suffix or a missing file, and while iterating for a file
    that turns out unreadable (truncated gzip, a ``.json`` that is not JSON).
    """
    path = Path(path)
    suffix, gz = file_format(path)
    source = SOURCE_NAMES[suffix]
    if not path.is_file():
        exc: OSError = IsADirectoryError() if path.is_dir() else FileNotFoundError()
        raise open_error(source, path, exc)
    return _reader(suffix, page_day)(path, gz=gz)


__all__ = ["SOURCE_NAMES", "SUPPORTED", "file_format", "read"]
