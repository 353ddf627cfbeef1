"""The search box's syntax, parsed into clauses no search engine can misread.

    diffusion transformers         any of the words (papers with more of them rank higher)
    "chain of thought"             the exact phrase
    -survey   -"large language"    without the word / phrase
    ti:diffusion   ti:"video generation"    in the title
    abs:contrastive                in the abstract
    au:hinton   au:"geoffrey hinton"        by an author
    cat:cs.CL                      in a category

Nothing a user types reaches a query parser: words become term and phrase queries built from the
index's own analyzer, so FTS operators (``NEAR(``, ``*``, ``OR``), SQL and odd quoting are just text.
Unbalanced quotes close at the end of the query. A query longer than ``MAX_QUERY_CHARS`` or with nothing
left to search for raises ``QueryError`` (the web answers 400).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import PaperfeedError

MAX_QUERY_CHARS = 1_000
MAX_CLAUSES = 64

FIELDS = {
    "ti": "title",
    "title": "title",
    "abs": "abstract",
    "abstract": "abstract",
    "au": "authors",
    "author": "authors",
    "cat": "category",
    "category": "category",
}


class QueryError(PaperfeedError):
    """A search query that cannot be run; the message says why, in words for the person who typed it."""

    exit_code = 2


@dataclass(frozen=True)
class Clause:
    text: str
    field: str | None = None  # None: any text field; "title", "abstract", "authors"
    phrase: bool = False
    negate: bool = False


@dataclass
class ParsedQuery:
    raw: str
    clauses: list[Clause] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    not_categories: list[str] = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negate]

    @property
    def negative(self) -> list[Clause]:
        return [c for c in self.clauses if c.negate]

    @property
    def semantic_text(self) -> str:
        """What the embedding model sees: the positive words and phrases in order, not authors."""
        return " ".join(c.text for c in self.positive if c.field != "authors").strip()

    @property
    def is_empty(self) -> bool:
        return not self.positive and not self.categories


_TOKEN = re.compile(
    r"""(?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))|(?P<quote>")""",
)


def parse(q: str | None) -> ParsedQuery:
    q = (q or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(q):,} characters; at most {MAX_QUERY_CHARS:,})")
    out = ParsedQuery(raw=q)
    for m in _TOKEN.finditer(q):
        if m.group("quote"):
            continue
        neg = bool(m.group("neg"))
        fname = (m.group("field") or "").lower()
        target = FIELDS.get(fname)
        phrase = m.group("phrase")
        word = m.group("word")
        if m.group("field") and target is None:  # "http://x" or "NEAR:" : not a field, keep the text
            word = f"{m.group('field')}:{word if word is not None else phrase or ''}"
            phrase = None
        text = (phrase if phrase is not None else word or "").strip()
        if not text:
            continue
        if target == "category":
            (out.not_categories if neg else out.categories).append(text.lower())
            continue
        is_phrase = phrase is not None and len(text.split()) > 1
        out.clauses.append(Clause(text=text, field=target, phrase=is_phrase, negate=neg))
    if len(out.clauses) + len(out.categories) + len(out.not_categories) > MAX_CLAUSES:
        raise QueryError(f"too many words and filters in the query (at most {MAX_CLAUSES})")
    return out
