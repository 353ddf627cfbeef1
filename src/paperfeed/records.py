"""The paper record: what every source yields and the store consumes.

A record is plain data. ``checked()`` cleans it (whitespace, links, ids) and refuses what no real paper
looks like (no title, a 50 MB abstract), so a bad record never reaches the database half-formed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from .clock import utc
from .ids import extract_links, parse_arxiv_id, stable_id, web_url
from .latex import accents_to_text, outside_math

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 50_000  # arXiv caps abstracts at 1,920 characters; leave room for other sources
MAX_COMMENT_CHARS = 5_000
MAX_AUTHORS = 5_000  # large collaborations list thousands
MAX_AUTHOR_CHARS = 1_000  # scraped author lists sometimes arrive as one long 'name'
MAX_URL_CHARS = 2_000
MAX_COUNT = 2_147_483_647  # versions and upvote counts are stored as INTEGER (PostgreSQL's is 32 bits)

# Unicode's bidirectional embeddings, overrides and isolates: in a title or a comment they reorder what readers
# see ("Trojan Source"); nothing a person types needs them (the implicit marks U+200E/U+200F are kept)
_BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    """``text`` without bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069), so
    a title, comment or name shows its characters in the order they were typed. A paper's texts (``checked``),
    comments and report notes (``store.community``) and collections' names and descriptions pass through it."""
    return _BIDI_CONTROLS_RE.sub("", text)


def filled(value: str | None) -> str | None:
    """A text filter as given, without surrounding spaces; None when nothing is left (a search's
    ``author=%20`` filters nothing: it is not a search of every paper)."""
    return (value.strip() or None) if value else None


_CATEGORY_RE = re.compile(r"^[A-Za-z\-]+(\.[A-Za-z\-]+)?$")
_LIST_JOINER_RE = re.compile(r"^(?:and|&)(?:\s+|$)")  # "A, B, and C" split at commas leaves "and C"
# TeX's quotation marks, as arXiv and Hugging Face pass abstracts on: ``open cookbook'' -> “open cookbook”
# (in pairs only: a lone '' is also a second derivative, $f''(x)$)
_TEX_QUOTES_RE = re.compile(r"``([^`$]{1,300}?)''")


def tex_quotes(text: str) -> str:
    """``text`` with TeX's paired ``quotes'' written as “quotes”."""
    return _TEX_QUOTES_RE.sub("\u201c\\1\u201d", text) if "``" in text else text


_TEX_ESCAPE_RE = re.compile(r"\\([%&_#])")


def tex_escapes(text: str) -> str:
    """``text`` with TeX's escaped ``\\%``, ``\\&``, ``\\_``, ``\\#`` written as the characters they
    stand for ("68\\% faster" -> "68% faster"), outside math (``$a\\_b$`` is left as written)."""
    return outside_math(text, lambda p: _TEX_ESCAPE_RE.sub(r"\1", p)) if "\\" in text else text


# arXiv marks a withdrawal in the new version's comment ("This paper has been withdrawn by the author(s) due
# to ...", "Withdrawn: ...", just "Withdrawn.") and usually its abstract ("This paper has been withdrawn ...").
# The paper itself must be what was withdrawn: "Lemma 2 withdrawn by the author", "Withdrawn from NeurIPS"
# or "withdrawn from consideration at ICLR" are not withdrawals.
_THE_PAPER = r"(?:this|the|our) (?:paper|article|manuscript|submission|preprint|work|version|report)"
_SAYING = (
    rf"{_THE_PAPER} (?:(?:has|have) been |is (?:being |now |hereby )?|was |will be )?withdrawn\b(?! from (?!arxiv\b))"
    rf"|\b(?:authors?|submitter|arxiv(?: administrators?)?) (?:has |have )?withdr(?:aws?|awn|ew) {_THE_PAPER}"
)
_LEADING = (  # "Withdrawn", "Withdrawn: ...", "Withdrawn due to ...", not "Withdrawn from NeurIPS"
    r"^\W*(?:paper )?withdrawn(?:\W*$|\s*[:\-\u2013\u2014(]| (?:due to|because|as|by (?:the )?authors?\b|by arxiv))"
)
_WITHDRAWN_COMMENT = re.compile(rf"{_LEADING}|{_SAYING}", re.I)
_WITHDRAWN_ABSTRACT = re.compile(rf"{_LEADING}|^\W*(?:{_SAYING})", re.I)


def is_withdrawn(comment: str | None, abstract: str | None) -> bool:
    """Does a paper's latest version say its authors (or arXiv) withdrew it?"""
    return bool(comment and _WITHDRAWN_COMMENT.search(comment)) or bool(
        abstract and _WITHDRAWN_ABSTRACT.search(abstract)
    )


@dataclass(slots=True)
class Featured:
    """A day a paper was featured on the daily list (HF featuring, a submission or an admin pick)."""

    day: date
    submitted_by: str | None = None
    upvotes: int | None = None
    source: str | None = None  # where the featuring came from; defaults to the record's source


@dataclass(slots=True)
class PaperRecord:
    title: str
    abstract: str = ""
    arxiv_id: str | None = None  # canonical, without version
    version: int | None = None
    authors: list[str] = field(default_factory=list)
    primary_category: str | None = None
    categories: list[str] = field(default_factory=list)
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    announced: date | None = None  # first day in arXiv's daily listing (RSS, files)
    # no source says when arXiv announced it (query API, OAI-PMH): its first version's day, listed on while
    # no announced day is known (fills ``announced_on`` only; docs/storage.md)
    announced_guess: date | None = None
    abs_url: str | None = None
    pdf_url: str | None = None
    code_url: str | None = None
    project_url: str | None = None
    upvotes: int | None = None  # imported community upvotes (HF snapshot)
    keywords: list[str] = field(default_factory=list)
    source: str = "unknown"
    featured: list[Featured] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.arxiv_id or stable_id(self.title)


def submission_day(published: datetime | None) -> date | None:
    """The day (UTC) a paper's first version was submitted: what ``announced_guess`` holds."""
    return utc(published).date() if published is not None else None


def is_guessed_day(day: date | None, published: datetime | None) -> bool:
    """Is a paper's listing ``day`` the guess from its submission day? arXiv announces a paper on a later
    day than it was submitted (the next evening at the earliest, listed the day after), so a day taken from
    arXiv's listing never is the submission day."""
    return day is not None and day == submission_day(published)


def _text(value: object, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {type(value).__name__}")
    s = " ".join(without_bidi_controls(value).split())
    if len(s) > limit:
        raise ValueError(f"{what} is {len(s):,} characters long (limit {limit:,})")
    if "\x00" in s:
        raise ValueError(f"{what} contains a NUL character")
    return s


def _optional(value: object, what: str, limit: int) -> str | None:
    return _text(value, what, limit) or None


def checked(record: PaperRecord) -> PaperRecord:
    """Return a cleaned copy of ``record`` or raise ``ValueError`` saying what is wrong with it."""
    title = tex_escapes(tex_quotes(accents_to_text(_text(record.title, "title", MAX_TITLE_CHARS))))
    if not title:
        raise ValueError("missing title")
    abstract = (record.abstract or "").strip()
    if len(abstract) > MAX_ABSTRACT_CHARS:
        raise ValueError(f"abstract is {len(abstract):,} characters long (limit {MAX_ABSTRACT_CHARS:,})")
    abstract = tex_escapes(tex_quotes(accents_to_text(_text(abstract, "abstract", MAX_ABSTRACT_CHARS))))
    arxiv_id, version = record.arxiv_id, record.version
    if arxiv_id is not None:
        parsed = parse_arxiv_id(str(arxiv_id))
        if parsed is None:
            raise ValueError(f"not an arXiv id: {str(arxiv_id)[:80]!r}")
        arxiv_id, parsed_version = parsed
        version = version or parsed_version
    if version is not None and (not isinstance(version, int) or not 1 <= version <= MAX_COUNT):
        raise ValueError(f"bad version {version!r}")
    if not isinstance(record.authors, list):
        raise ValueError("authors must be a list")
    if len(record.authors) > MAX_AUTHORS:
        raise ValueError(f"{len(record.authors):,} authors (limit {MAX_AUTHORS:,})")
    authors: list[str] = []
    for a in record.authors:
        name = _LIST_JOINER_RE.sub("", accents_to_text(_text(a, "author name", MAX_AUTHOR_CHARS)))
        if name and name not in authors:
            authors.append(name)
    categories: list[str] = []
    for c in [record.primary_category, *record.categories]:
        c = _text(c, "category", 40) if c else ""
        if c and not _CATEGORY_RE.match(c):
            raise ValueError(f"bad category {c[:40]!r}")
        if c and c not in categories:
            categories.append(c)
    comment = _optional(record.comment, "comment", MAX_COMMENT_CHARS)
    upvotes = record.upvotes
    if upvotes is not None and (
        isinstance(upvotes, bool) or not isinstance(upvotes, int) or not 0 <= upvotes <= MAX_COUNT
    ):
        raise ValueError(f"bad upvote count {upvotes!r}")
    featured: dict[date, Featured] = {}
    for f in record.featured:
        if not isinstance(f.day, date) or isinstance(f.day, datetime):
            raise ValueError(f"bad featured day {f.day!r}")
        if f.upvotes is not None and (not isinstance(f.upvotes, int) or not 0 <= f.upvotes <= MAX_COUNT):
            raise ValueError(f"bad upvote count {f.upvotes!r}")
        featured[f.day] = Featured(f.day, _optional(f.submitted_by, "submitter", 200), f.upvotes, f.source)
    code_url, project_url = record.code_url, record.project_url
    if code_url is None or project_url is None:
        found_code, found_project = extract_links(abstract, comment)
        code_url = code_url or found_code
        project_url = project_url or found_project
    # links that are not http(s) addresses are left out (the record is kept): pages link to these
    abs_url = web_url(record.abs_url) or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None)
    pdf_url = web_url(record.pdf_url) or (f"https://arxiv.org/pdf/{arxiv_id}" if arxiv_id else None)
    return replace(
        record,
        title=title,
        abstract=abstract,
        arxiv_id=arxiv_id,
        version=version,
        authors=authors,
        primary_category=categories[0] if categories else None,
        categories=categories,
        comment=comment,
        journal_ref=_optional(record.journal_ref, "journal ref", 1_000),
        doi=_optional(record.doi, "DOI", 300),
        published=utc(record.published),
        updated=utc(record.updated),
        abs_url=_optional(abs_url, "abs URL", MAX_URL_CHARS),
        pdf_url=_optional(pdf_url, "PDF URL", MAX_URL_CHARS),
        code_url=_optional(web_url(code_url), "code URL", MAX_URL_CHARS),
        project_url=_optional(web_url(project_url), "project URL", MAX_URL_CHARS),
        keywords=[k for k in (_text(k, "keyword", 200) for k in record.keywords) if k][:50],
        featured=sorted(featured.values(), key=lambda f: f.day),
    )
