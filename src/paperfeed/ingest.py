"""Moving records from sources into the store, all-or-nothing.

- A file imports in one transaction: by default the first bad record stops the writing, the rest of the
  file is still read to report more problems (up to ``MAX_REPORTED``), and nothing is kept. With
  ``skip_bad`` the good records go in and every bad one is reported.
- A network harvest stores page by page: each page and the cursor after it commit together, so a failure
  keeps the pages already stored and the next run resumes after the last good page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .errors import BadImport, RecordError, SourceError
from .records import PaperRecord
from .sources.base import Item, Page
from .store import Store, fetch_state
from .store.db import chunked
from .store.upsert import UpsertCounts, upsert_papers

BATCH = 1000
MAX_REPORTED = 20
BULK = 10_000  # papers added or updated by one import after which the planner's statistics are refreshed

Progress = Callable[[int], None]


@dataclass
class ImportResult:
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    read: int = 0
    bad: list[RecordError | SourceError] = field(default_factory=list)
    bad_total: int = 0
    pages: int = 0
    resumed_from: dict | None = None
    done: bool = True
    missing: list[str] = field(default_factory=list)  # ids asked for that the source did not return

    def as_dict(self) -> dict:
        c = self.counts
        return {
            "read": self.read,
            "added": c.added,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "featured_added": c.featured_added,
            "featured_updated": c.featured_updated,
            "merged": c.merged,
            "bad": self.bad_total,
            "pages": self.pages,
        }


def _note_bad(result: ImportResult, err: RecordError | SourceError) -> None:
    result.bad_total += 1
    if len(result.bad) < MAX_REPORTED:
        result.bad.append(err)


def _after_bulk(store: Store, result: ImportResult) -> None:
    """Refresh the planner's statistics after a bulk load (``BULK`` papers or more added or updated)."""
    if result.counts.added + result.counts.updated >= BULK:
        store.analyze()


def import_items(
    store: Store, items: Iterable[Item], *, skip_bad: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Import a finite stream of items (a file) in one transaction; see the module docstring."""
    result = ImportResult()
    with store.transaction() as conn:
        good: list[PaperRecord] = []
        writing = True
        stream = iter(items)
        while True:
            try:
                item = next(stream)
            except StopIteration:
                break
            except SourceError as err:  # the file itself broke off (truncated, unreadable)
                if result.read == 0:
                    raise
                _note_bad(result, err)
                if not skip_bad:
                    writing = False
                break
            result.read += 1
            if isinstance(item, RecordError):
                _note_bad(result, item)
                if not skip_bad:
                    writing = False
                    good.clear()
                continue
            if writing:
                good.append(item)
                if len(good) >= BATCH:
                    result.counts += upsert_papers(conn, good)
                    good.clear()
            if progress:
                progress(1)
        if writing and good:
            result.counts += upsert_papers(conn, good)
        if not writing:
            conn.rollback()
            raise BadImport(result.bad, more=result.bad_total - len(result.bad))
    _after_bulk(store, result)
    return result


def fetch_pages(
    store: Store,
    key: str,
    pages: Callable[[dict | None], Iterable[Page]],
    *,
    skip_bad: bool = False,
    restart: bool = False,
    progress: Callable[[Page, ImportResult], None] | None = None,
) -> ImportResult:
    """Store a harvest page by page under resume key ``key``.

    ``pages(cursor)`` yields pages starting at ``cursor`` (None: from the beginning). A finished harvest
    starts over on the next call; an unfinished one resumes unless ``restart``.
    """
    result = ImportResult(done=False)
    with store.read() as conn:
        state = fetch_state.load(conn, key)
    cursor = None
    done_pages = done_records = 0
    if state and not state["done"] and not restart:
        cursor = state["cursor"]
        done_pages, done_records = state["pages"], state["records"]
        result.resumed_from = cursor
    for page in pages(cursor):
        good = [i for i in page.items if isinstance(i, PaperRecord)]
        bad = [i for i in page.items if isinstance(i, RecordError)]
        result.read += len(page.items)
        for err in bad:
            _note_bad(result, err)
        if bad and not skip_bad:
            raise BadImport(bad, outcome=_page_refused(done_pages))
        with store.transaction() as conn:
            for chunk in chunked(good, BATCH):
                result.counts += upsert_papers(conn, chunk)  # type: ignore[arg-type]
            done_pages += 1
            done_records += len(good)
            fetch_state.save(
                conn,
                key,
                cursor=page.next_cursor,
                pages=done_pages,
                records=done_records,
                done=page.next_cursor is None,
            )
        result.pages += 1
        if progress:
            progress(page, result)
    result.done = True
    _after_bulk(store, result)
    return result


def _page_refused(stored: int) -> str:
    """What a harvest that stops at a page with bad records kept (``stored`` pages), and how to go on."""
    if not stored:
        return "nothing imported (use --skip-bad to import the good records)"
    n = stored
    kept = f"the {n:,} page{'s' if n != 1 else ''} before it {'were' if n != 1 else 'was'} stored"
    return f"this page was not stored ({kept}); run again with --skip-bad to store its good records and go on"


def missing_ids(asked: Iterable[str], found: set[str]) -> list[str]:
    """Those of ``asked`` (arXiv ids, with or without a version) whose paper is not among ``found`` ids."""
    from .ids import parse_arxiv_id

    return [a for a in asked if (parse_arxiv_id(a) or (a, None))[0] not in found]


def fetch_arxiv_ids(store: Store, settings, ids: list[str]) -> ImportResult:
    """Look up a few arXiv ids on the arXiv API and store them (used by submissions); one polite call.
    ``missing`` names the ids arXiv did not return."""
    from .sources import arxiv_api
    from .sources.http import client_for

    result, found = ImportResult(), set()
    retries, timeout = min(settings.http_retries, 2), min(settings.http_timeout, 15)
    with client_for(settings, "arxiv-api", delay=0, retries=retries, timeout=timeout) as client:
        for page in arxiv_api.fetch(
            client, base_url=settings.arxiv_api_url, id_list=ids, page_size=len(ids), max_results=len(ids)
        ):
            good = [i for i in page.items if isinstance(i, PaperRecord)]
            result.read += len(page.items)
            found.update(r.id for r in good)
            with store.transaction() as conn:
                result.counts += upsert_papers(conn, good)
    result.missing = missing_ids(ids, found)
    return result
