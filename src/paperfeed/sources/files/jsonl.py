"""JSON Lines (``.jsonl``, ``.ndjson``) and JSON (``.json``) paper files.

JSON Lines stream: one object per line, read as bytes and parsed with orjson, so the 75,000-paper arXiv
corpus (44 MB gzipped) reads in seconds in constant memory. A line that is not valid UTF-8, not valid
JSON or not an object, or whose record is bad, becomes a ``RecordError`` naming ``file line N`` and the
record's id; the other lines still yield.

A ``.json`` file is a list of such objects (errors name ``file item N``, counted from 1), one object, an
object holding the list under ``papers`` (paperfeed's collection export) or ``data`` (Semantic Scholar's
answers), or a Hugging Face ``daily_papers`` response (items with a ``paper`` key). The arXiv metadata
dump is named ``.json`` but holds one object per line: a ``.json`` file whose first line is a whole
object (a paper, not such a list) is read as JSON Lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from ...errors import RecordError, SourceError
from .. import hf
from ..base import Item, build
from ._io import (
    READ_ERRORS,
    LongLine,
    iter_lines,
    long_line_message,
    open_binary,
    read_all,
    read_error,
    utf8_error_message,
)
from .mapping import record_from_dict, record_key


def _line_item(source: str, where: str, line: bytes) -> Item | None:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if not line.strip():
            return None
        problem = utf8_error_message(line)
        return RecordError(source, where, problem or f"malformed JSON: {exc}")
    return object_item(source, where, obj)


def object_item(source: str, where: str, obj: object) -> Item:
    if not isinstance(obj, dict):
        return RecordError(source, where, f"expected a JSON object, got {_kind(obj)}")
    if isinstance(obj.get("paper"), dict):  # one item of an HF daily_papers response
        return hf.daily_item(obj, location=where, source=source)
    return build(source, where, lambda: record_from_dict(obj), record_key(obj))


def _kind(obj: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}.get(
        type(obj), "null" if obj is None else type(obj).__name__
    )


def read_jsonl(path: Path, *, gz: bool, source: str = "jsonl") -> Iterator[Item]:
    name = path.name
    for n, line in iter_lines(source, path, gz):
        where = f"{name} line {n}"
        if isinstance(line, LongLine):
            yield RecordError(source, where, long_line_message(line))
            continue
        if n == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        item = _line_item(source, where, line)
        if item is not None:
            yield item


def _first_line(source: str, path: Path, gz: bool) -> bytes:
    """The first non-blank line (at most a few MB of it), to tell JSON Lines from a JSON document."""
    with open_binary(source, path, gz) as f:
        try:
            for _ in range(1000):
                line = f.readline(4 * 1024 * 1024)
                if not line:
                    return b""
                if line.strip():
                    return line
        except READ_ERRORS as exc:
            raise read_error(source, path, exc, None) from None
    return b""


def _list_key(doc: dict) -> str | None:
    """The key of the list of papers in a wrapper object, if it is one."""
    return next((k for k in ("papers", "data") if isinstance(doc.get(k), list)), None)


def read_json(path: Path, *, gz: bool, source: str = "json") -> Iterator[Item]:
    first = _first_line(source, path, gz).lstrip(b"\xef\xbb\xbf \t\r\n")
    if first.startswith(b"{"):
        try:
            line = orjson.loads(first)
            whole_line = isinstance(line, dict) and ("title" in line or not _list_key(line))
        except orjson.JSONDecodeError:
            whole_line = False
        if whole_line:
            yield from read_jsonl(path, gz=gz, source=source)
            return
    data = read_all(source, path, gz)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        return
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(source, str(path), f"malformed JSON: {exc}") from None
    name = path.name
    if isinstance(doc, list):
        for i, obj in enumerate(doc):
            yield object_item(source, f"{name} item {i + 1}", obj)
    elif isinstance(doc, dict) and "title" not in doc and (key := _list_key(doc)):
        # a list inside an object: paperfeed's collection export {"papers": [...]}, Semantic Scholar's {"data": ...}
        for i, obj in enumerate(doc[key]):
            yield object_item(source, f"{name} {key} item {i + 1}", obj)
    elif isinstance(doc, dict):
        yield object_item(source, name, doc)
    else:
        raise SourceError(source, str(path), f"expected a JSON list or object, got {_kind(doc)}")
