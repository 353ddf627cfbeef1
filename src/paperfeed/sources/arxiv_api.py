"""The arXiv query API (Atom feeds from ``export.arxiv.org/api/query``), paged and resumable.

``build_query`` writes arXiv ``search_query`` syntax, ``parse_feed`` turns one Atom page into items and
``fetch`` walks the pages (``start``/``max_results``) yielding ``Page``s whose ``next_cursor``
(``{"start": N}``) resumes the walk once that page is stored. arXiv's error feed (an entry whose id is
``.../api/errors#...``, sent with HTTP 400) becomes a ``SourceError`` carrying arXiv's own message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..errors import SourceError
from ..ids import parse_arxiv_id
from ..records import PaperRecord, submission_day
from .base import Item, Page, build, parse_datetime
from .http import PoliteClient

SOURCE = "arxiv-api"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
EMPTY_PAGE_RETRIES = 2  # arXiv now and then answers an empty page although more results exist

_FIELD_PREFIX = re.compile(r"\b(?:ti|au|abs|co|jr|cat|rn|id|all|submittedDate|lastUpdatedDate):")
_TERM = re.compile(r'"[^"]+"|\S+')


def read_xml(source: str, location: str, data: bytes) -> Element:
    """Parse untrusted XML safely (no entity expansion, no DTD fetches) or raise ``SourceError``."""
    try:
        return SafeET.fromstring(data)
    except ParseError as exc:
        raise SourceError(source, location, f"malformed XML: {exc}") from None
    except DefusedXmlException as exc:
        raise SourceError(source, location, f"refused XML: {exc}") from None
    except (LookupError, ValueError) as exc:  # the declared encoding: unknown ("TF-8"), multi-byte, not text
        raise SourceError(source, location, f"malformed XML: unsupported encoding ({exc})") from None


def _stamp(value: date | datetime, end: bool) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d%H%M")
    return value.strftime("%Y%m%d") + ("2359" if end else "0000")


def build_query(
    *,
    category: str | None = None,
    query: str | None = None,
    date_from: date | datetime | None = None,
    date_to: date | datetime | None = None,
) -> str:
    """Return an arXiv ``search_query``: the given parts joined with ``AND``.

    ``category`` becomes ``cat:cs.LG``. ``query`` is passed through verbatim when it already uses arXiv
    field prefixes (``ti:``, ``au:``, ``abs:``, ...), parenthesised if other parts join it; otherwise each
    word (or ``"quoted phrase"``) becomes an ``all:`` term. Dates bound ``submittedDate`` (a date covers
    the whole day; a missing bound is open-ended).
    """
    parts: list[str] = []
    if category:
        parts.append(f"cat:{category.strip()}")
    if query and query.strip():
        q = query.strip()
        if _FIELD_PREFIX.search(q):
            parts.append(q)
        else:
            parts.append(" AND ".join(f"all:{t}" for t in _TERM.findall(q)))
    if date_from is not None or date_to is not None:
        lo = _stamp(date_from, end=False) if date_from is not None else "199101010000"
        hi = _stamp(date_to, end=True) if date_to is not None else "999912312359"
        parts.append(f"submittedDate:[{lo} TO {hi}]")
    if not parts:
        raise ValueError("nothing to search for: give a category, a query or dates")
    if len(parts) > 1:
        parts = [f"({p})" if " " in p and not p.startswith("submittedDate:") else p for p in parts]
    return " AND ".join(parts)


def listing_day(published: datetime | None) -> date | None:
    """The day a paper is listed on when its source does not say when arXiv announced it (the query API,
    OAI-PMH): the day (UTC) its first version was submitted, so that papers fetched for a day are that day's.
    A guess (``PaperRecord.announced_guess``): it fills a paper's day only while it has none, and the day of
    arXiv's listing (RSS, files) replaces it."""
    return submission_day(published)


def _text(el: Element, path: str) -> str | None:
    found = el.find(path)
    return found.text if found is not None else None


def _entry_record(entry: Element) -> PaperRecord:
    raw_id = (_text(entry, f"{ATOM}id") or "").strip()
    parsed = parse_arxiv_id(raw_id)
    if parsed is None:
        raise ValueError(f"entry id is not an arXiv id: {raw_id[:80]!r}")
    arxiv_id, version = parsed
    abs_url = pdf_url = None
    for link in entry.findall(f"{ATOM}link"):
        href = (link.get("href") or "").replace("http://", "https://", 1)
        if link.get("rel") == "alternate" and abs_url is None:
            abs_url = href
        elif link.get("title") == "pdf" and pdf_url is None:
            pdf_url = href
    primary = entry.find(f"{ARXIV}primary_category")
    published = parse_datetime(_text(entry, f"{ATOM}published"))
    return PaperRecord(
        title=_text(entry, f"{ATOM}title"),
        abstract=_text(entry, f"{ATOM}summary") or "",
        arxiv_id=arxiv_id,
        version=version,
        authors=[a.findtext(f"{ATOM}name") or "" for a in entry.findall(f"{ATOM}author")],
        primary_category=primary.get("term") if primary is not None else None,
        categories=[c.get("term") or "" for c in entry.findall(f"{ATOM}category")],
        comment=_text(entry, f"{ARXIV}comment"),
        journal_ref=_text(entry, f"{ARXIV}journal_ref"),
        doi=_text(entry, f"{ARXIV}doi"),
        published=published,
        updated=parse_datetime(_text(entry, f"{ATOM}updated")),
        announced_guess=listing_day(published),
        abs_url=abs_url,
        pdf_url=pdf_url,
    )


def parse_feed(xml: bytes, *, location: str) -> tuple[list[Item], int | None]:
    """Parse one Atom page into items (records or per-entry ``RecordError``s) and ``totalResults``."""
    root = read_xml(SOURCE, location, xml)
    if root.tag != f"{ATOM}feed":
        raise SourceError(SOURCE, location, f"not an Atom feed (root element {root.tag!r})")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        if "/api/errors" in (_text(entry, f"{ATOM}id") or ""):
            message = " ".join((_text(entry, f"{ATOM}summary") or "unknown error").split())
            raise SourceError(SOURCE, location, f"arXiv error: {message}")
    total_text = (_text(root, f"{OPENSEARCH}totalResults") or "").strip()
    total = int(total_text) if total_text.isdigit() else None
    items: list[Item] = []
    for n, entry in enumerate(entries, 1):
        label = (_text(entry, f"{ATOM}id") or "").strip().rsplit("/abs/", 1)[-1] or None
        items.append(build(SOURCE, f"{location} (entry {n})", lambda e=entry: _entry_record(e), record=label))
    return items, total


def fetch(
    client: PoliteClient,
    *,
    base_url: str,
    search_query: str | None = None,
    id_list: list[str] | None = None,
    page_size: int = 100,
    cursor: dict | None = None,
    max_results: int | None = None,
) -> Iterator[Page]:
    """Yield result pages newest first; resume with a page's ``next_cursor``.

    ``max_results`` caps the position in the result list (not the count fetched in this run), so a
    resumed walk stops where the first one would have. With only ``id_list`` the results keep arXiv's
    order (the asked order) and carry no listing day: a paper asked for by id (a reader's submission of a
    paper from 2017) is not new on its submission day; a ``search_query`` is sorted by ``submittedDate``
    descending.
    """
    if not search_query and not id_list:
        raise ValueError("give search_query or id_list")
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    start = int((cursor or {}).get("start", 0))
    while max_results is None or start < max_results:
        size = page_size if max_results is None else min(page_size, max_results - start)
        params: dict[str, str | int] = {}
        if search_query:
            params.update(search_query=search_query, sortBy="submittedDate", sortOrder="descending")
        if id_list:
            params["id_list"] = ",".join(id_list)
        params.update(start=start, max_results=size)
        for _ in range(EMPTY_PAGE_RETRIES + 1):
            location, items, total = _get_page(client, base_url, params)
            if items or total is None or start >= total:
                break
        if not search_query:
            for item in items:
                if isinstance(item, PaperRecord):
                    item.announced_guess = None
        end = start + len(items)
        finished = not items or (total is not None and end >= total) or (max_results is not None and end >= max_results)
        yield Page(location, items, None if finished else {"start": end}, total)
        if finished:
            return
        start = end


def _get_page(client: PoliteClient, base_url: str, params: dict) -> tuple[str, list[Item], int | None]:
    resp = client.get(base_url, params, ok=frozenset({200, 400}))
    location = str(resp.url)
    try:
        items, total = parse_feed(resp.content, location=location)
    except SourceError as exc:
        if resp.status_code == 400 and not exc.message.startswith("arXiv error"):
            raise SourceError(SOURCE, location, f"HTTP 400 ({exc.message})") from None
        raise
    if resp.status_code == 400:  # an error feed raised above; a 400 without one is still an error
        raise SourceError(SOURCE, location, "HTTP 400 without an arXiv error message")
    return location, items, total
