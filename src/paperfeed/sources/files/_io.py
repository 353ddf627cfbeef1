"""Opening and reading files for the file readers: plain or gzipped, streamed line by line.

Whole-file failures (not found, not a gzip file, truncated archive) raise ``SourceError``; per-line
problems (over-long line, bad encoding) are left to the reader, which knows the line number.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ...errors import SourceError

# No real record comes near this: the largest fields a record allows (50,000-character abstract, 5,000
# authors of 300 characters) fit in a couple of MB. A longer line is reported without being parsed.
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_WHOLE_FILE_BYTES = 512 * 1024 * 1024


class LongLine(int):
    """The length in bytes of a line that was too long to read; yielded in place of its bytes."""


def open_error(source: str, path: Path, exc: OSError) -> SourceError:
    if isinstance(exc, FileNotFoundError):
        return SourceError(source, str(path), "file not found")
    if isinstance(exc, IsADirectoryError):
        return SourceError(source, str(path), "is a directory, not a file")
    if isinstance(exc, PermissionError):
        return SourceError(source, str(path), "permission denied")
    return SourceError(source, str(path), f"cannot open: {exc.strerror or exc}")


def read_error(source: str, path: Path, exc: Exception, after_line: int | None) -> SourceError:
    """A ``SourceError`` for a failure while reading (decompressing) a file."""
    where = f" after line {after_line:,}" if after_line is not None else ""
    if isinstance(exc, EOFError):
        return SourceError(source, str(path), f"truncated gzip file{where}")
    if isinstance(exc, gzip.BadGzipFile) or "gzipped" in str(exc):
        return SourceError(source, str(path), f"not a gzip file ({exc})")
    if isinstance(exc, zlib.error):
        return SourceError(source, str(path), f"corrupt gzip data{where} ({exc})")
    return SourceError(source, str(path), f"read failed{where}: {exc}")


READ_ERRORS = (EOFError, zlib.error, OSError)  # gzip.BadGzipFile is an OSError


@contextmanager
def open_binary(source: str, path: Path, gz: bool) -> Iterator[BinaryIO]:
    try:
        f: BinaryIO = gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise open_error(source, path, exc) from None
    with f:
        yield f


def iter_lines(source: str, path: Path, gz: bool, max_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line_number, line)`` (bytes, newline kept) for each line, streaming.

    A line longer than ``max_bytes`` is skipped without being held in memory: ``LongLine(length)`` comes
    in place of its bytes.
    """
    n = 0
    with open_binary(source, path, gz) as f:
        readline = f.readline
        try:
            while True:
                line = readline(max_bytes + 1)
                if not line:
                    return
                n += 1
                if len(line) > max_bytes and not line.endswith(b"\n"):
                    total = len(line)
                    while True:
                        more = readline(1 << 20)
                        total += len(more)
                        if not more or more.endswith(b"\n"):
                            break
                    yield n, LongLine(total)
                else:
                    yield n, line
        except READ_ERRORS as exc:
            raise read_error(source, path, exc, n) from None


def read_all(source: str, path: Path, gz: bool, max_bytes: int = MAX_WHOLE_FILE_BYTES) -> bytes:
    """The whole (decompressed) file; refuses one larger than ``max_bytes``."""
    with open_binary(source, path, gz) as f:
        try:
            data = f.read(max_bytes + 1)
        except READ_ERRORS as exc:
            raise read_error(source, path, exc, None) from None
    if len(data) > max_bytes:
        raise SourceError(source, str(path), f"file larger than {max_bytes:,} bytes; split it or use JSON Lines")
    return data


def long_line_message(length: int, max_bytes: int = MAX_LINE_BYTES) -> str:
    return f"line is {length:,} bytes long (limit {max_bytes:,} bytes)"


def utf8_error_message(line: bytes) -> str | None:
    """None if ``line`` is valid UTF-8, else what is wrong (byte and column)."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = line[exc.start : exc.start + 1]
        return f"not valid UTF-8 (byte 0x{bad.hex()} at column {exc.start + 1}); save the file as UTF-8"
    return None
