"""Errors a user sees: each carries one clear line (source, record, line) for the CLI to print."""

from __future__ import annotations


def size_text(n: int) -> str:
    """A size as an error names it: ``'1.0 MB'``, ``'64 KB'`` (a small limit is not ``'0 MB'``)."""
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:,.0f} KB"


class PaperfeedError(Exception):
    """Base class: the CLI prints ``str(err)`` as one line and exits non-zero."""

    exit_code = 1


class RecordError(PaperfeedError):
    """One record of a source is bad. Files report these per record (``--skip-bad`` goes on past them)."""

    def __init__(self, source: str, location: str, message: str, record: str | None = None):
        self.source, self.location, self.message, self.record = source, location, message, record
        where = f"{source}: {location}"
        if record:
            where += f": record {record}"
        super().__init__(f"{where}: {message}")


class SourceError(PaperfeedError):
    """A whole source failed (unreadable file, truncated archive, network page that kept failing)."""

    def __init__(self, source: str, location: str, message: str):
        self.source, self.location, self.message = source, location, message
        super().__init__(f"{source}: {location}: {message}")


class BadImport(PaperfeedError):
    """An import was refused because some records were bad: nothing of a file was written, nothing of a
    harvest's page (its earlier pages stay stored)."""

    exit_code = 2

    def __init__(self, errors: list[RecordError], more: int = 0, *, outcome: str | None = None):
        """``outcome``: what became of the import, when some of it was kept (a harvest's earlier pages)."""
        self.errors = errors
        first = str(errors[0]) if errors else "bad input"
        extra = len(errors) - 1 + more
        tail = f" (and {extra} more bad record{'s' if extra != 1 else ''})" if extra else ""
        outcome = outcome or "nothing imported (use --skip-bad to import the good records)"
        super().__init__(f"{first}{tail}; {outcome}")
