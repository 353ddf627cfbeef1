"""Papers as an Atom or RSS 2.0 document (feedgen writes the XML, so every text is escaped as text).

Each entry: the paper's title, its page on this site (absolute, from ``settings.base_url``) as link and
id, authors, abstract, publication and update times, categories. RSS has no author element without an
email address, so RSS entries name their authors with Dublin Core's ``dc:creator``. An abstract is text:
Atom says so (``type="text"``); an RSS description is HTML by convention, so there it is HTML-escaped first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from html import escape

from feedgen.feed import FeedGenerator

from ..latex import math_to_text
from ..store.papers import PaperView

MEDIA_TYPES = {"atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8"}
MAX_AUTHORS = 25  # collaborations list thousands; a feed reader shows a line
# characters XML 1.0 cannot hold at all (not even escaped); lxml refuses them
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedInfo:
    title: str
    description: str
    page_url: str  # the HTML page this feed follows (absolute)
    self_url: str  # this feed (absolute)


def xml_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _when(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


NO_DATE = datetime(1970, 1, 1, tzinfo=UTC)  # an undated paper's, and an empty feed's (the same bytes each time)


def _published(p: PaperView) -> datetime:
    return _when(p.published_at or p.day or p.updated_at) or NO_DATE


def render_feed(
    fmt: str,
    info: FeedInfo,
    papers: Sequence[PaperView],
    *,
    base_url: str,
    site_name: str,
    dated: Mapping[str, date | datetime] | None = None,
) -> bytes:
    """The feed as UTF-8 XML; ``fmt`` is "atom" or "rss". An empty list is a valid empty feed. ``dated``: when
    each paper joined the list the feed follows (the day the daily list shows; when it was added to a
    collection), its entries' date: a reader that sorts or keeps new items by date sees what just joined as
    new, not as a paper published weeks ago. Other papers are dated by their publication."""
    base = base_url.rstrip("/")
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(info.self_url)
    fg.title(xml_text(info.title))
    fg.subtitle(xml_text(info.description))  # RSS: <description>
    fg.author(name=xml_text(site_name))
    fg.link(href=info.self_url, rel="self", type=MEDIA_TYPES[fmt].split(";")[0])
    fg.link(href=info.page_url, rel="alternate", type="text/html")  # last: RSS's <link> is the last one set
    fg.language("en")
    fg.generator("paperfeed")
    latest = None
    for p in papers:
        url = f"{base}/papers/{p.id}"
        published = _when(dated[p.id]) if dated and p.id in dated else _published(p)
        updated = max(_when(p.updated_at) or published, published)
        latest = max(latest or updated, updated)
        fe = fg.add_entry(order="append")
        fe.id(url)
        fe.guid(url, permalink=True)
        fe.title(xml_text(math_to_text(p.title)))
        fe.link(href=url, rel="alternate", type="text/html")
        names = [xml_text(a) for a in p.authors[:MAX_AUTHORS]]
        if len(p.authors) > MAX_AUTHORS:
            names.append(f"and {len(p.authors) - MAX_AUTHORS} more")
        if names:
            fe.author([{"name": n} for n in names])
            fe.dc.dc_creator(names)
        abstract = xml_text(p.abstract) or "(no abstract)"
        line = xml_text(p.summary or "")  # the one-line summary of the index job, first when there is one
        if fmt == "rss":  # RSS descriptions are HTML
            body = escape(abstract, quote=False)
            fe.summary(f"<p><b>In one line:</b> {escape(line, quote=False)}</p><p>{body}</p>" if line else body)
        else:
            fe.summary(f"In one line: {line}\n\n{abstract}" if line else abstract)
        fe.published(published)
        fe.updated(updated)
        for c in p.categories:
            fe.category(term=xml_text(c))
    fg.updated(latest or NO_DATE)  # not now: an empty feed read twice is the same feed, with the same ETag
    return fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
