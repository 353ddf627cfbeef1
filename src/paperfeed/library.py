"""Library import: a reference manager's export -> matched papers saved to the user's "Library" collection.

sources.library parses the file; store.library matches the entries and saves the matches, all in one
transaction (an import stores every match or nothing). Papers in a user's collections are positive
signals for recommendations, so an imported library is how a new user starts "for you". The web page,
the API and the CLI all call ``import_library`` and show its ``ImportReport``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from .settings import Settings
from .sources.library import FORMATS, LibraryFileError, LibraryTooLarge, parse_library

if TYPE_CHECKING:
    from .store import Store

LIBRARY = "Library"

__all__ = ["FORMATS", "LIBRARY", "ImportReport", "LibraryFileError", "LibraryTooLarge", "import_library"]


@dataclass
class ImportReport:
    file: str
    format: str
    collection: str
    collection_id: int | None
    collection_created: bool
    dry_run: bool
    entries: int = 0
    added: int = 0
    already: int = 0
    # each matched entry: key, line, title, paper_id, paper_title, by (arxiv|doi|title), status (added|already|repeat)
    matched: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)  # key, line, title, why
    malformed: list[dict] = field(default_factory=list)  # line, key, reason
    duplicate_keys: list[dict] = field(default_factory=list)  # key, lines

    @property
    def message(self) -> str:
        where = self.collection
        n = len(self.unmatched)
        tail = f"; {n:,} not found here" if n else ""
        tail += f"; {len(self.malformed):,} malformed" if self.malformed else ""
        papers = f"{self.added:,} paper{'s' if self.added != 1 else ''}"
        if self.dry_run:
            return f"Dry run: would add {papers} to {where} ({self.already:,} already there){tail}."
        if not self.matched:
            return f"No entry matched a paper here; nothing was added{tail}."
        if self.added == 0:
            return f"Nothing new: all {self.already:,} matched papers were already in {where}{tail}."
        return f"Added {papers} to {where} ({self.already:,} already there){tail}."

    def as_dict(self) -> dict:
        return {**asdict(self), "message": self.message}


def import_library(
    store: Store,
    settings: Settings,
    data: bytes,
    *,
    user_id: int,
    name: str = "library",
    format: str | None = None,  # noqa: A002
    collection: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Parse, match and save; ``LibraryFileError`` (nothing stored) when the file is refused."""
    from .store import library as store_library

    parsed = parse_library(
        data,
        format=format or None,
        name=name,
        max_bytes=settings.library_max_bytes,
        max_entries=settings.library_max_entries,
    )
    entries = parsed.entries
    with store.read() as conn:
        results = store_library.match_entries(conn, entries, progress=progress)
    matched = [(e, r) for e, r in zip(entries, results, strict=True) if isinstance(r, store_library.Match)]
    with store.transaction() as conn:
        saved = store_library.save_matches(
            conn,
            user_id=user_id,
            collection=collection or LIBRARY,
            paper_ids=[r.paper_id for _, r in matched],
            dry_run=dry_run or not matched,  # no match: no empty collection either
        )
    report = ImportReport(
        file=name,
        format=parsed.format,
        collection=saved.collection,
        collection_id=saved.collection_id,
        collection_created=saved.created and saved.collection_id is not None,
        dry_run=dry_run,
        entries=len(entries) + len(parsed.malformed),
        added=len(saved.added),
        already=len(saved.already),
    )
    new, seen = set(saved.added), set()
    for e, r in matched:
        status = "repeat" if r.paper_id in seen else "added" if r.paper_id in new else "already"
        seen.add(r.paper_id)
        report.matched.append(
            {
                "key": e.key,
                "line": e.line,
                "title": e.title,
                "paper_id": r.paper_id,
                "paper_title": r.title,
                "by": r.by,
                "status": status,
            }  # fmt: skip
        )
    for e, r in zip(entries, results, strict=True):
        if isinstance(r, store_library.Miss):
            report.unmatched.append({"key": e.key, "line": e.line, "title": e.title, "why": r.why})
    report.malformed = [{"line": b.line, "key": b.key, "reason": b.reason} for b in parsed.malformed]
    report.duplicate_keys = [{"key": k, "lines": lines} for k, lines in parsed.duplicate_keys]
    return report
