"""arXiv's daily RSS listing (``rss.arxiv.org/rss/cs.LG+cs.AI``): one page per announcement day.

Each item's description reads ``arXiv:2609.26811v1 Announce Type: new`` then ``Abstract: ...``. New
submissions and cross-lists of new papers ("new", "cross" of a first version) get ``announced`` = the
channel's publication day, the day arXiv listed them; replacements ("replace", "replace-cross") and
cross-lists of older papers (a later version's, or one of a paper from months before) are not their first
listing and leave ``announced`` unset (the store keeps the first listing day). Weekends and holidays bring an empty
channel: no items, not an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element

from ..errors import SourceError
from ..ids import arxiv_month, parse_arxiv_id
from ..records import PaperRecord
from .arxiv_api import read_xml
from .base import Item, Page, build
from .http import PoliteClient

SOURCE = "arxiv-rss"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
FIRST_LISTING = {"new", "cross"}

_DESCRIPTION = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<abstract>.*)$",
    re.DOTALL,
)


def _day(value: str | None) -> date | None:
    """The calendar day of an RFC 822 date as written (arXiv's local day, not the UTC one)."""
    if not value or not value.strip():
        return None
    try:
        return parsedate_to_datetime(value.strip()).date()
    except (TypeError, ValueError, OverflowError):  # OverflowError: a 20-digit year or hour
        return None


def _first_listing(announce_type: str, arxiv_id: str, day: date | None) -> bool:
    """Is this item the paper's first listing? A new submission; a cross-list of a first version whose id
    is of the listing's month or the one before (2205.06398v2 cross-listed in 2026 is an old paper)."""
    if announce_type != "cross":
        return announce_type in FIRST_LISTING
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None or (parsed[1] or 1) > 1:
        return False
    month = arxiv_month(parsed[0])
    return day is None or month is None or day < month + timedelta(days=62)


def _item_record(item: Element, channel_day: date | None) -> PaperRecord:
    description = item.findtext("description") or ""
    m = _DESCRIPTION.match(description)
    if m is None:
        raise ValueError("description does not start with 'arXiv:<id> Announce Type: <type>'")
    announce_type = (item.findtext(f"{ARXIV}announce_type") or m.group("type")).strip().lower()
    day = channel_day or _day(item.findtext("pubDate"))
    creators = ",".join(c.text or "" for c in item.findall(f"{DC}creator"))
    return PaperRecord(
        title=item.findtext("title"),
        abstract=m.group("abstract"),
        arxiv_id=m.group("id"),  # with its version: checked() splits it
        authors=[a.strip() for a in creators.split(",") if a.strip()],
        categories=[c.text or "" for c in item.findall("category")],
        doi=item.findtext(f"{ARXIV}DOI"),
        journal_ref=item.findtext(f"{ARXIV}journal_reference"),
        announced=day if _first_listing(announce_type, m.group("id"), day) else None,
    )


def parse_rss(xml: bytes, *, location: str) -> list[Item]:
    """Parse one RSS listing into items (records, or ``RecordError``s naming the bad item)."""
    root = read_xml(SOURCE, location, xml)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SourceError(SOURCE, location, f"not an RSS feed (root element {root.tag!r})")
    channel_day = _day(channel.findtext("pubDate"))
    items: list[Item] = []
    for n, item in enumerate(channel.findall("item"), 1):
        m = _DESCRIPTION.match(item.findtext("description") or "")
        label = m.group("id") if m else (item.findtext("guid") or "").strip() or None
        items.append(build(SOURCE, f"{location} (item {n})", lambda i=item: _item_record(i, channel_day), label))
    return items


def fetch(client: PoliteClient, *, base_url: str, categories: list[str]) -> Iterator[Page]:
    """Yield the one page of today's listing for ``categories`` (e.g. ``["cs.LG", "cs.AI"]``)."""
    if not categories:
        raise ValueError("give at least one category")
    url = f"{base_url.rstrip('/')}/{'+'.join(c.strip() for c in categories)}"
    resp = client.get(url)
    items = parse_rss(resp.content, location=url)
    yield Page(url, items, None, len(items))
