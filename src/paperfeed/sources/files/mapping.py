"""One mapping from a dict of paper fields to a ``PaperRecord``, for JSON, JSON Lines and CSV rows.

It accepts the field names of

- the arXiv metadata dump (Kaggle ``arxiv-metadata-oai-snapshot.json``): ``id``, ``authors`` as one string
  ("A, B and C") plus ``authors_parsed`` ([[last, first, suffix]]), ``comments``, ``journal-ref``, ``doi``,
  ``categories`` space-separated, ``abstract``, ``versions`` ([{version, created}]), ``update_date``;
- arXiv listing dumps: ``summary``, ``authors`` list, ``categories`` list, ``comment``, ``pdf``, ``abs``,
  ``first_listed`` (the announcement day);
- Hugging Face daily-papers dumps: ``upvotes`` and ``listed_dates`` (each a featured day);
- paperfeed's own export (the ``PaperRecord`` field names, ``featured`` as [{day, submitted_by, upvotes}]);
- Hugging Face API-like keys: ``summary``, ``publishedAt``, ``githubRepo``, ``projectPage``,
  ``ai_keywords``, ``authors`` as [{name}], ``submittedOnDailyAt``/``submittedOnDailyBy``.

An ``id`` that is not an arXiv id means a paper from elsewhere (its stable id comes from the title).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

import orjson

from ...clock import utc
from ...ids import parse_arxiv_id
from ...latex import latex_to_text
from ...records import Featured, PaperRecord
from ..base import parse_datetime

_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
_PARENS = re.compile(r"\([^()]*\)")
_COMMA_AND = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_LIST_SEP = re.compile(r"[\s;,]+")
_KEYWORD_SEP = re.compile(r"\s*[;,]\s*")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


def text(value: object, what: str) -> str | None:
    """A text field: None, a string, or a number written as text; anything else is an error."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{what} must be text, not {type(value).__name__}")


def to_int(value: object, what: str = "upvote count") -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"bad {what} {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(f"bad {what} {str(value)[:40]!r}")


def to_datetime(value: object, what: str = "date") -> datetime | None:
    """ISO 8601, RFC 2822 ("Mon, 2 Apr 2007 19:18:42 GMT"), a year or year-month, or a date/datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return datetime(value, 1, 1, tzinfo=UTC)
    if not isinstance(value, str):
        raise ValueError(f"bad {what} {value!r}")
    s = value.strip()
    m = _YEAR_MONTH.match(s)
    if m:
        try:
            return datetime(int(m.group(1)), int(m.group(2) or 1), 1, tzinfo=UTC)
        except ValueError:
            raise ValueError(f"bad {what} {s[:40]!r}") from None
    try:
        return parse_datetime(s)
    except ValueError:
        pass
    try:
        return utc(parsedate_to_datetime(s))
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: "2 Apr 99999999999999999999"
        raise ValueError(f"bad {what} {s[:40]!r}") from None


def to_date(value: object, what: str = "date") -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    dt = to_datetime(value, what)
    return dt.date() if dt else None


def _clean_name(name: str) -> str:
    if "\\" in name or "{" in name:
        name = latex_to_text(name)
    return " ".join(name.split())


def _flip(name: str) -> str:
    """ "Last, First" -> "First Last"; "Last, Jr, First" -> "First Last Jr"; others unchanged."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return name


def split_authors(value: object) -> list[str]:
    """Author names from a list (of names, of {name} objects, of [last, first, suffix]) or one string.

    A string is split on ";" (each part may be "Last, First"), or on " and " when every part is
    "Last, First" (BibTeX style), else on commas and " and " ("A, B and C", affiliations in parentheses
    dropped). A string that is a JSON list is read as one.
    """
    if value is None or value == "":
        return []
    if isinstance(value, list):
        if all(type(a) is str for a in value):
            joined = "\x00".join(value)
            if "\\" not in joined and "{" not in joined and "others" not in value:
                return [a for a in value if a]
        names = []
        for a in value:
            if isinstance(a, dict):
                a = a.get("name") or a.get("fullname")
            elif isinstance(a, list):
                if not all(isinstance(p, str) for p in a):
                    raise ValueError("authors_parsed entries must be lists of text")
                last, first, suffix = (a + ["", "", ""])[:3]
                a = " ".join(p for p in (first, last, suffix) if p)
            if a is None:
                continue
            if not isinstance(a, str):
                raise ValueError(f"author name must be text, not {type(a).__name__}")
            name = _clean_name(a)
            if name and name.lower() != "others":
                names.append(name)
        return names
    if not isinstance(value, str):
        raise ValueError(f"authors must be a list or text, not {type(value).__name__}")
    s = value.strip()
    if s.startswith("["):
        try:
            parsed = orjson.loads(s)
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return split_authors(parsed)
    s = " ".join(s.split())
    if ";" in s:
        parts = [_flip(p) for p in s.split(";")]
    else:
        by_and = re.split(r"\s+and\s+", s)
        if len(by_and) > 1 and all(p.count(",") == 1 for p in by_and):
            parts = [_flip(p) for p in by_and]
        else:
            while _PARENS.search(s):
                s = _PARENS.sub("", s)
            parts = _COMMA_AND.split(s)
    names = [_clean_name(p) for p in parts]
    return [n for n in names if n and n.lower() not in ("others", "et al.", "et al")]


def split_list(value: object, what: str, sep: re.Pattern[str] = _LIST_SEP) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [p for p in sep.split(value.strip()) if p]
    if isinstance(value, list) and all(isinstance(p, str) for p in value):
        return value
    raise ValueError(f"{what} must be a list of text")


_ARXIV_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?$")


def split_categories(value: object) -> list[str]:
    """arXiv categories from a list or a space/";"/","-separated string.

    Listing dumps put ACM and MSC classes ("I.2.7", "68T50") and free text among the categories: only
    what looks like an arXiv category (``cs.CL``, ``hep-th``, ``cond-mat.mes-hall``) is kept.
    """
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = _LIST_SEP.split(value.strip())
    elif isinstance(value, list) and all(type(p) is str for p in value):
        parts = value
        if not all(map(_is_category, parts)):
            parts = [q.strip() for p in parts for q in p.split(",")]
    else:
        raise ValueError("categories must be a list of text")
    return [p for p in parts if _is_category(p)]


_CATEGORY_SEEN: dict[str, bool] = {}


def _is_category(value: str) -> bool:
    known = _CATEGORY_SEEN.get(value)
    if known is None:
        known = bool(_ARXIV_CATEGORY.match(value))
        if len(_CATEGORY_SEEN) < 10_000:
            _CATEGORY_SEEN[value] = known
    return known


def _featured(obj: dict, upvotes: int | None) -> list[Featured]:
    out: list[Featured] = []
    feat = obj.get("featured")
    if feat is not None:
        if not isinstance(feat, list):
            raise ValueError("featured must be a list")
        for f in feat:
            if isinstance(f, dict):
                day = to_date(f.get("day"), "featured day")
                if day is None:
                    raise ValueError("featured entry without a day")
                by = text(f.get("submitted_by"), "submitter")
                out.append(Featured(day, by, to_int(f.get("upvotes")), text(f.get("source"), "featured source")))
            else:
                day = to_date(f, "featured day")
                if day is not None:
                    out.append(Featured(day))
    listed = obj.get("listed_dates")
    if listed is not None:
        for d in split_list(listed, "listed_dates"):
            out.append(Featured(_day(d, "listed date"), None, upvotes))
    daily = obj.get("submittedOnDailyAt")
    if daily:
        by = obj.get("submittedOnDailyBy")
        if isinstance(by, dict):
            by = by.get("user") or by.get("name")
        out.append(Featured(to_date(daily, "submittedOnDailyAt"), text(by, "submitter"), upvotes))
    return out


def _arxiv_from(value: object) -> str | None:
    """An arXiv id found in a URL or DOI, else None."""
    if not isinstance(value, str) or not value:
        return None
    m = _ARXIV_DOI.match(value.strip())
    s = m.group(1) if m else value
    parsed = parse_arxiv_id(s)
    return s.strip() if parsed else None


def record_key(obj: dict) -> str | None:
    """The id naming a record in error messages, where the data has one."""
    v = obj.get("arxiv_id") or obj.get("id")
    return str(v)[:80] if v is not None and v != "" else None


_PLAIN_NEW_ID = re.compile(r"^\d{4}\.\d{4,5}(?:v\d+)?$")


def _field(get, key: str, alt: str | None, what: str) -> str | None:
    v = get(key)
    if (v is None or v == "") and alt is not None:
        v = get(alt)
    if v is None or type(v) is str:
        return v or None
    return text(v, what)


def _day(value: object, what: str) -> date | None:
    if type(value) is str and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return to_date(value, what)


def record_from_dict(obj: dict) -> PaperRecord:
    """Map a dict of paper fields (see the module doc) to a record; raises ``ValueError`` when malformed."""
    get = obj.get
    # arXiv id: an explicit arxiv_id wins (None there means "not on arXiv"); else an id that parses as one
    if "arxiv_id" in obj:
        arxiv_id = _field(get, "arxiv_id", None, "arxiv_id")
    else:
        raw = _field(get, "id", None, "id")
        arxiv_id = raw if raw and (_PLAIN_NEW_ID.match(raw) or parse_arxiv_id(raw)) else None
        if arxiv_id is None:
            arxiv_id = _arxiv_from(get("url")) or _arxiv_from(get("abs_url")) or _arxiv_from(get("doi"))
    version = None
    v = get("version")
    if v is not None:
        version = to_int(v.lstrip("vV") if isinstance(v, str) else v, "version")
    published = get("published") or get("publishedAt") or get("date")
    published = to_datetime(published, "published date") if published else None
    updated = get("updated")
    updated = to_datetime(updated, "updated date") if updated else None
    versions = get("versions")
    if versions:  # arXiv metadata dump: [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...]
        if not isinstance(versions, list) or not all(isinstance(x, dict) for x in versions):
            raise ValueError("versions must be a list of objects")
        published = published or to_datetime(versions[0].get("created"), "version date")
        updated = updated or to_datetime(versions[-1].get("created"), "version date")
        last = versions[-1].get("version")
        if version is None and isinstance(last, str) and last.lstrip("vV").isdigit():
            version = int(last.lstrip("vV"))
    if updated is None and get("update_date"):
        updated = to_datetime(get("update_date"), "update_date")
    parsed = get("authors_parsed")
    authors = split_authors(parsed if isinstance(parsed, list) and parsed else get("authors"))
    # paperfeed's own export gives the total ("upvotes": imported + its community's) and the imported
    # snapshot apart: only the snapshot is this source's (the community's votes are not votes here)
    upvotes = get("imported_upvotes") if "imported_upvotes" in obj else get("upvotes")
    if upvotes is not None and type(upvotes) is not int:
        upvotes = to_int(upvotes)
    abs_url = _field(get, "abs_url", "abs", "abs URL")
    url = get("url")
    if url:
        url = text(url, "url")
        if abs_url is None and not (arxiv_id and _arxiv_from(url)):
            abs_url = url  # the paper's landing page when it is not on arXiv
    keywords = get("keywords") or get("ai_keywords")
    announced = get("announced") or get("first_listed")
    has_featured = "featured" in obj or "listed_dates" in obj or "submittedOnDailyAt" in obj
    return PaperRecord(
        title=_field(get, "title", None, "title") or "",
        abstract=_field(get, "abstract", "summary", "abstract") or "",
        arxiv_id=arxiv_id,
        version=version,
        authors=authors,
        primary_category=_field(get, "primary_category", "primaryClass", "primary category"),
        categories=split_categories(get("categories")),
        comment=_field(get, "comment", "comments", "comment"),
        journal_ref=_field(get, "journal_ref", "journal-ref", "journal ref"),
        doi=_field(get, "doi", None, "DOI"),
        published=published,
        updated=updated,
        announced=_day(announced, "announced date") if announced else None,
        abs_url=abs_url,
        pdf_url=_field(get, "pdf_url", "pdf", "PDF URL"),
        code_url=_field(get, "code_url", "githubRepo", "code URL"),
        project_url=_field(get, "project_url", "projectPage", "project URL"),
        upvotes=upvotes,
        keywords=split_list(keywords, "keywords", _KEYWORD_SEP) if keywords else [],
        featured=_featured(obj, upvotes) if has_featured else [],
    )
