"""The Hugging Face daily-papers API: ``/api/daily_papers?date=YYYY-MM-DD`` and ``/api/papers/{id}``.

A daily item wraps the paper (``{"paper": {...}, "title", "summary", "publishedAt", "submittedBy", ...}``);
the paper carries the arXiv id, the author list, the community upvote count, the GitHub repository and
project page, the AI keywords and the day and user that put it on the daily list. Each item becomes one
``PaperRecord`` featured on that day.

``fetch_days`` walks a range of days one request per day; its cursor (``{"day": "YYYY-MM-DD"}``, the next
day to fetch) lets a long mirror resume where it stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import orjson

from ..errors import RecordError, SourceError
from ..records import Featured, PaperRecord
from .base import Item, Page, build, parse_date, parse_datetime
from .http import PoliteClient

SOURCE = "hf"
DEFAULT_BASE_URL = "https://huggingface.co/api"


def _text(value: object, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{what} must be text, not {type(value).__name__}")


def _user(value: object) -> str | None:
    """A submitter: ``{"user": "name", ...}`` (``name`` in older responses) or a plain user name."""
    if isinstance(value, dict):
        return _text(value.get("user") or value.get("name"), "submitter")
    return _text(value, "submitter")


def _authors(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"authors must be a list, not {type(value).__name__}")
    names = []
    for a in value:
        name = a.get("name") if isinstance(a, dict) else a
        if name is not None and not isinstance(name, str):
            raise ValueError(f"author name must be text, not {type(name).__name__}")
        if name:
            names.append(name)
    return names


def _keywords(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise ValueError("ai_keywords must be a list of text")
    return value


def _upvotes(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"bad upvote count {value!r}")
    return value


def record_from_paper(paper: dict, item: dict | None = None, *, day: date | None = None) -> PaperRecord:
    """Map an HF paper object (and the daily item wrapping it, if any) to a record.

    Raises ``ValueError``/``TypeError``/``KeyError`` on a malformed paper (``build`` turns them into a
    ``RecordError``).
    """
    if not isinstance(paper, dict):
        raise ValueError(f"paper must be an object, not {type(paper).__name__}")
    item = item or {}
    arxiv_id = paper.get("id")
    if arxiv_id is not None and not isinstance(arxiv_id, str):
        raise ValueError(f"paper id must be text, not {type(arxiv_id).__name__}")
    upvotes = _upvotes(paper.get("upvotes", item.get("upvotes")))
    featured_day = parse_date(paper.get("submittedOnDailyAt") or item.get("submittedOnDailyAt")) or day
    featured = []
    if featured_day is not None:
        submitter = _user(paper.get("submittedOnDailyBy") or item.get("submittedBy"))
        featured.append(Featured(featured_day, submitter, upvotes))
    return PaperRecord(
        title=_text(paper.get("title") or item.get("title"), "title") or "",
        abstract=_text(paper.get("summary") or item.get("summary"), "summary") or "",
        arxiv_id=arxiv_id or None,
        authors=_authors(paper.get("authors")),
        published=parse_datetime(paper.get("publishedAt") or item.get("publishedAt")),
        upvotes=upvotes,
        code_url=_text(paper.get("githubRepo"), "githubRepo"),
        project_url=_text(paper.get("projectPage"), "projectPage"),
        keywords=_keywords(paper.get("ai_keywords")),
        featured=featured,
    )


def _item_id(item: object) -> str | None:
    paper = item.get("paper") if isinstance(item, dict) else None
    value = paper.get("id") if isinstance(paper, dict) else None
    return str(value)[:80] if value is not None else None


def daily_item(item: object, *, location: str, day: date | None = None, source: str = SOURCE) -> Item:
    """One daily-papers item (``{"paper": {...}, ...}``) as a record or a ``RecordError`` at ``location``."""
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        kind = type(item).__name__ if not isinstance(item, dict) else "an object without 'paper'"
        return RecordError(source, location, f"expected a daily-papers item, got {kind}", _item_id(item))
    return build(source, location, lambda: record_from_paper(item["paper"], item, day=day), _item_id(item))


def daily_items(items: list, *, location: str, day: date | None = None, source: str = SOURCE) -> list[Item]:
    """Records (or ``RecordError``s naming ``{location} item {i}`` and the paper id) of a daily list."""
    return [daily_item(item, location=f"{location} item {i}", day=day, source=source) for i, item in enumerate(items)]


def _load(data: bytes, location: str) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(SOURCE, location, f"malformed JSON: {exc}") from None


def _api_error(doc: object) -> str | None:
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        return doc["error"]
    return None


def parse_daily(data: bytes, *, location: str, day: date | None = None) -> list[Item]:
    """Parse a ``/api/daily_papers`` response. ``day`` is the featured day when an item lacks one."""
    doc = _load(data, location)
    if (err := _api_error(doc)) is not None:
        raise SourceError(SOURCE, location, f"API error: {err[:300]}")
    if not isinstance(doc, list):
        raise SourceError(SOURCE, location, f"expected a JSON list of daily papers, got {type(doc).__name__}")
    return daily_items(doc, location=location, day=day)


def parse_paper(data: bytes, *, location: str) -> Item:
    """Parse a ``/api/papers/{id}`` response: one record, or a ``RecordError`` naming the paper."""
    doc = _load(data, location)
    if (err := _api_error(doc)) is not None:
        raise SourceError(SOURCE, location, f"API error: {err[:300]}")
    if not isinstance(doc, dict):
        raise SourceError(SOURCE, location, f"expected a JSON object, got {type(doc).__name__}")
    rid = str(doc["id"])[:80] if doc.get("id") is not None else None
    return build(SOURCE, location, lambda: record_from_paper(doc), rid)


def fetch_daily(client: PoliteClient, *, base_url: str, day: date) -> Page:
    """Fetch one day's list: ``GET {base_url}/daily_papers?date=YYYY-MM-DD``."""
    url = f"{base_url.rstrip('/')}/daily_papers"
    params = {"date": day.isoformat()}
    resp = client.get(url, params=params)
    location = str(resp.url)
    items = parse_daily(resp.content, location=location, day=day)
    return Page(location=location, items=items, next_cursor=None, total=len(items))


def fetch_paper(client: PoliteClient, *, base_url: str, arxiv_id: str) -> Item:
    """Fetch one paper: ``GET {base_url}/papers/{arxiv_id}``."""
    url = f"{base_url.rstrip('/')}/papers/{arxiv_id}"
    resp = client.get(url)
    return parse_paper(resp.content, location=url)


def _cursor_day(cursor: dict) -> date:
    value = cursor.get("day") if isinstance(cursor, dict) else None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SourceError(SOURCE, "cursor", f"bad resume cursor {cursor!r}") from None


def fetch_days(
    client: PoliteClient, *, base_url: str, start: date, end: date, cursor: dict | None = None
) -> Iterator[Page]:
    """Fetch each day from ``start`` to ``end`` inclusive (or from the cursor's day, to resume).

    Each page's ``next_cursor`` is ``{"day": <the next day>}``; the last day's is None.
    """
    day = _cursor_day(cursor) if cursor else start
    while day <= end:
        page = fetch_daily(client, base_url=base_url, day=day)
        nxt = day + timedelta(days=1)
        page.next_cursor = {"day": nxt.isoformat()} if nxt <= end else None
        yield page
        day = nxt
