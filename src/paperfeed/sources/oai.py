"""arXiv OAI-PMH bulk harvest (``ListRecords`` paged by ``resumptionToken``; ``GetRecord`` too).

Two metadata formats are read: ``oai_dc`` (Dublin Core: "Last, First" creators, the abstract and a
"Comment:" in ``dc:description``, first/last ``dc:date``) and arXiv's own ``arXiv`` format (ids,
keyname/forenames authors, space-separated categories with the primary first). Neither carries a
version number, nor the day arXiv announced the paper: records are listed on their first version's day
until one is known (``arxiv_api.listing_day``). Deleted records are skipped; ``noRecordsMatch`` is an
empty, finished harvest and any other OAI error is a ``SourceError`` with its code and message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element

from ..errors import SourceError
from ..ids import parse_arxiv_id
from ..records import PaperRecord
from .arxiv_api import listing_day, read_xml
from .base import Item, Page, build, parse_datetime
from .http import PoliteClient

SOURCE = "arxiv-oai"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"


@dataclass
class _Response:
    items: list[Item]
    token: str | None
    total: int | None


def _text(el: Element, path: str) -> str | None:
    found = el.find(path)
    return found.text if found is not None else None


def _dc_name(creator: str) -> str:
    last, sep, first = creator.partition(",")
    return f"{first.strip()} {last.strip()}" if sep and first.strip() else creator.strip()


def _dc_record(dc: Element, header_id: str) -> PaperRecord:
    abstract, comment = "", None
    for d in dc.findall(f"{DC}description"):
        text = (d.text or "").strip()
        if text.startswith("Comment:"):
            comment = text.removeprefix("Comment:").strip()
        elif not abstract:
            abstract = text
    arxiv_id, doi, journal_ref = header_id, None, None
    for ident in (i.text or "" for i in dc.findall(f"{DC}identifier")):
        ident = ident.strip()
        if ident.lower().startswith("doi:"):
            doi = doi or ident[4:].strip()
        elif "arxiv.org/abs/" in ident:
            arxiv_id = ident
        elif ident and not ident.startswith(("http://", "https://")):
            journal_ref = journal_ref or ident
    dates = [d.text for d in dc.findall(f"{DC}date") if d.text]
    published = parse_datetime(dates[0]) if dates else None
    return PaperRecord(
        title=_text(dc, f"{DC}title"),
        abstract=abstract,
        arxiv_id=_arxiv_id(arxiv_id),
        authors=[_dc_name(c.text or "") for c in dc.findall(f"{DC}creator")],
        comment=comment,
        journal_ref=journal_ref,
        doi=doi,
        published=published,
        updated=parse_datetime(dates[-1]) if dates else None,
        announced_guess=listing_day(published),
    )


def _arxiv_name(author: Element) -> str:
    parts = [_text(author, f"{ARXIV}{p}") for p in ("forenames", "keyname", "suffix")]
    return " ".join(p.strip() for p in parts if p and p.strip())


def _arxiv_record(meta: Element, header_id: str) -> PaperRecord:
    categories = (_text(meta, f"{ARXIV}categories") or "").split()
    doi = (_text(meta, f"{ARXIV}doi") or "").split()
    published = parse_datetime(_text(meta, f"{ARXIV}created"))
    return PaperRecord(
        title=_text(meta, f"{ARXIV}title"),
        abstract=_text(meta, f"{ARXIV}abstract") or "",
        arxiv_id=_arxiv_id(_text(meta, f"{ARXIV}id") or header_id),
        # arXiv lists a lone ":" or similar punctuation as an author now and then; keep real names only
        authors=[n for n in map(_arxiv_name, meta.iter(f"{ARXIV}author")) if any(c.isalnum() for c in n)],
        primary_category=categories[0] if categories else None,
        categories=categories,
        comment=_text(meta, f"{ARXIV}comments"),
        journal_ref=_text(meta, f"{ARXIV}journal-ref"),
        doi=doi[0] if doi else None,
        published=published,
        updated=parse_datetime(_text(meta, f"{ARXIV}updated") or _text(meta, f"{ARXIV}created")),
        announced_guess=listing_day(published),
    )


def _arxiv_id(text: str) -> str:
    parsed = parse_arxiv_id(text.strip())
    if parsed is None:
        raise ValueError(f"not an arXiv id: {text.strip()[:80]!r}")
    return parsed[0]


def _record(record: Element) -> PaperRecord:
    header_id = (_text(record, f"{OAI}header/{OAI}identifier") or "").strip()
    metadata = record.find(f"{OAI}metadata")
    if metadata is None or len(metadata) == 0:
        raise ValueError("record has no metadata")
    meta = metadata[0]
    if meta.tag == f"{OAI_DC}dc":
        return _dc_record(meta, header_id)
    if meta.tag == f"{ARXIV}arXiv":
        return _arxiv_record(meta, header_id)
    raise ValueError(f"unsupported metadata format {meta.tag!r} (use oai_dc or arXiv)")


def _parse(xml: bytes, location: str) -> _Response:
    root = read_xml(SOURCE, location, xml)
    if root.tag != f"{OAI}OAI-PMH":
        raise SourceError(SOURCE, location, f"not an OAI-PMH response (root element {root.tag!r})")
    errors = root.findall(f"{OAI}error")
    if errors:
        codes = [e.get("code") or "unknown" for e in errors]
        if codes == ["noRecordsMatch"]:
            return _Response([], None, 0)
        messages = [" ".join((e.text or "").split()) for e in errors]
        text = "; ".join(f"{c}: {m}" if m else c for c, m in zip(codes, messages, strict=True))
        raise SourceError(SOURCE, location, f"OAI-PMH error {text}")
    container = root.find(f"{OAI}ListRecords")
    if container is None:
        container = root.find(f"{OAI}GetRecord")
    if container is None:
        raise SourceError(SOURCE, location, "neither ListRecords nor GetRecord in the response")
    items: list[Item] = []
    for n, rec in enumerate(container.findall(f"{OAI}record"), 1):
        header = rec.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            continue
        label = (_text(rec, f"{OAI}header/{OAI}identifier") or "").strip() or None
        items.append(build(SOURCE, f"{location} (record {n})", lambda r=rec: _record(r), record=label))
    token_el = container.find(f"{OAI}resumptionToken")
    token = size = None
    if token_el is not None:
        token = (token_el.text or "").strip() or None  # an empty token element: the list is complete
        size = token_el.get("completeListSize", "").strip()
    return _Response(items, token, int(size) if size and size.isdigit() else None)


def parse_list_records(xml: bytes, *, location: str) -> tuple[list[Item], str | None]:
    """Parse a ``ListRecords`` (or ``GetRecord``) response: items and the next token (None: finished)."""
    parsed = _parse(xml, location)
    return parsed.items, parsed.token


def parse_get_record(xml: bytes, *, location: str) -> Item:
    """Parse a ``GetRecord`` response into its one item (``idDoesNotExist`` raises ``SourceError``)."""
    items = _parse(xml, location).items
    if not items:
        raise SourceError(SOURCE, location, "no (live) record in the response")
    return items[0]


def harvest(
    client: PoliteClient,
    *,
    base_url: str,
    set_spec: str | None = None,
    date_from: date | None = None,
    date_until: date | None = None,
    metadata_prefix: str = "arXiv",
    cursor: dict | None = None,
) -> Iterator[Page]:
    """Yield ``ListRecords`` pages; ``next_cursor`` is ``{"resumptionToken": ...}`` or None at the end.

    The first request names the format, set and dates; later ones carry only the token, as OAI-PMH
    requires. A cursor from an earlier run resumes at its token (arXiv's tokens expire after a while:
    an expired one is a ``badResumptionToken`` ``SourceError``; start the harvest again).
    """
    token = (cursor or {}).get("resumptionToken")
    if token:
        params: dict[str, str] = {"verb": "ListRecords", "resumptionToken": token}
    else:
        params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
        if set_spec:
            params["set"] = set_spec
        if date_from:
            params["from"] = date_from.isoformat()
        if date_until:
            params["until"] = date_until.isoformat()
    seen: set[str] = set()
    while True:
        resp = client.get(base_url, params)
        location = str(resp.url)
        parsed = _parse(resp.content, location)
        if parsed.token in seen:
            raise SourceError(SOURCE, location, f"resumption token {parsed.token!r} repeated: the harvest loops")
        next_cursor = {"resumptionToken": parsed.token} if parsed.token else None
        yield Page(location, parsed.items, next_cursor, parsed.total)
        if parsed.token is None:
            return
        seen.add(parsed.token)
        params = {"verb": "ListRecords", "resumptionToken": parsed.token}
