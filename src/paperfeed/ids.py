"""Paper identifiers and the links hidden in abstracts.

arXiv ids are stored canonical: new style ``2401.01234`` or old style ``astro-ph/0601001``, never with a
version nor an old-style id's subject class (``math.GT/0309136`` is ``math/0309136``). A paper from
elsewhere gets a stable id from its normalised title (``pf-`` + 12 hex digits), so importing it twice finds
the same row.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
_VERSION = r"(?:v(?P<version>\d+))?"
_ID_RE = re.compile(rf"^(?:{_NEW}|{_OLD}){_VERSION}$", re.IGNORECASE)
_PREFIXES = re.compile(
    r"^(?:arxiv:|oai:arxiv\.org:|https?://?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|"  # or https:/ (in a path)
    r"https?://huggingface\.co/papers/|"
    r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.)",  # the arXiv DOI, e.g. 10.48550/arXiv.2401.01234
    re.IGNORECASE,
)
STABLE_PREFIX = "pf-"
# an arXiv id inside free text: "arXiv:2401.00001v2", an abs/pdf URL, the arXiv DOI (BibTeX fields, libraries)
ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\s*:\s*|arxiv\.org/(?:abs|pdf)/|10\.48550/arxiv\.)([a-z\-]+(?:\.[a-z]{2})?/\d{7}|\d{4}\.\d{4,5})(v\d+)?",
    re.IGNORECASE,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Return ``(canonical_id, version)`` for an arXiv id, URL, DOI or OAI identifier, else None."""
    s = _PREFIXES.sub("", text.strip())
    s = re.sub(r"\.pdf$", "", s).rstrip("/")
    m = _ID_RE.match(s)
    if not m:
        return None
    if m.group("new"):
        canonical = m.group("new")
    else:
        archive, number = m.group("old").split("/")
        # the subject class is not part of arXiv's id: math.GT/0309136 is math/0309136
        canonical = f"{archive.split('.')[0].lower()}/{number}"
    version = int(m.group("version")) if m.group("version") else None
    return canonical, version


def arxiv_year(paper_id: str) -> int | None:
    """The year of an arXiv id's first version (``2401.00001``: 2024, ``hep-th/9901001``: 1999), else None."""
    month = arxiv_month(paper_id)
    return month.year if month else None


def arxiv_month(paper_id: str) -> date | None:
    """The first day of the month of an arXiv id's first version (``2205.06398``: 2022-05-01), else None."""
    m = re.fullmatch(r"(?:[a-z\-]+(?:\.[a-z]{2})?/)?(\d{2})(\d{2})(?:\.\d{4,5}|\d{3})", paper_id, re.IGNORECASE)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        return None
    yy = int(m.group(1))
    return date(1900 + yy if "/" in paper_id and yy >= 91 else 2000 + yy, int(m.group(2)), 1)


def is_arxiv_id(text: str) -> bool:
    return parse_arxiv_id(text) is not None


_TITLE_DROP = re.compile(r"[{}\\$]")
_TITLE_SPACE = re.compile(r"[\W_]+")


def _without_marks(s: str) -> str:
    """``s`` with its accents (combining marks after NFKD) dropped; ASCII has nothing to decompose."""
    if s.isascii():  # skip the per-character pass
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def normalise_title(title: str) -> str:
    """Lower-case, accents and punctuation dropped, spaces collapsed: the key for matching titles."""
    s = _without_marks(title)
    return _TITLE_SPACE.sub(" ", _TITLE_DROP.sub("", s.lower())).strip()


# letters NFKD does not take apart (they are letters of their own, not a base letter and a mark)
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i", "æ": "ae", "Æ": "ae",
                       "œ": "oe", "Œ": "oe", "ð": "d", "þ": "th"})  # fmt: skip


def author_key(name: str) -> str:
    """The key an author is looked up by: case, accents and spacing folded ("Aleksander Mądry", "aleksander
    madry" and "Aleksander  Madry" are one person's page), as search's author field folds them."""
    return _without_marks(" ".join(name.split()).casefold().translate(_FOLD))


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)


def normalise_doi(text: str | None) -> str | None:
    """``https://doi.org/10.1000/ABC`` or ``doi:10.1000/abc`` -> ``10.1000/abc`` (DOIs ignore case); else None."""
    s = _DOI_PREFIX.sub("", (text or "").strip()).strip().rstrip(".,;").lower()
    return s if re.fullmatch(r"10\.\d{4,9}/\S+", s) else None


def stable_id(title: str) -> str:
    """The id of a paper that has no arXiv id: stable across imports and sources."""
    digest = hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()
    return STABLE_PREFIX + digest[:12]


_URL_RE = re.compile(r"https?://[^\s<>\"'{}|\\^`\]\[]+", re.IGNORECASE)
_CODE_HOSTS = re.compile(
    r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/"
    r"(?P<owner>[\w.\-]+)/(?P<repo>[\w.\-]+)",
    re.IGNORECASE,
)
_NOT_REPO_OWNERS = {"features", "about", "orgs", "topics", "sponsors", "marketplace"}


def _clean_url(url: str) -> str:
    url = url.rstrip(".,;:!?)'\"")
    # a closing parenthesis that belongs to the sentence, not the URL
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


_WEB_URL = re.compile(r"(?i)https?://([^/?#\s]+)")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")  # \s is str.isspace(): one search, not a loop in Python


def web_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) address with a host, else None: what a link on a page may point to
    (a ``javascript:`` or ``data:`` link from an imported record would run in readers' browsers)."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if _WEB_URL.match(value) is None or _SPACE_OR_CONTROL.search(value):
        return None
    return value


def find_urls(text: str | None) -> list[str]:
    if not text or "://" not in text:
        return []
    # arXiv abstracts are hard-wrapped: a URL broken by a newline is rejoined only at "/" boundaries
    joined = re.sub(r"(https?://\S+/)\s*\n\s*(\S)", r"\1\2", text)
    return [_clean_url(u) for u in _URL_RE.findall(joined)]


def extract_links(*texts: str | None) -> tuple[str | None, str | None]:
    """Return ``(code_url, project_url)`` found in the given texts (abstract, comment)."""
    code = project = None
    for url in (u for t in texts for u in find_urls(t)):
        m = _CODE_HOSTS.match(url)
        if m and m.group("owner").lower() not in _NOT_REPO_OWNERS:
            repo = m.group("repo")
            repo = repo[:-4] if repo.lower().endswith(".git") else repo
            if code is None:
                code = f"{url[: m.start('owner')]}{m.group('owner')}/{repo}"
        elif project is None and not re.search(r"arxiv\.org|doi\.org|creativecommons\.org", url, re.I):
            project = url
    return code, project
