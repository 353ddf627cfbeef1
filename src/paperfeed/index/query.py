"""The search box's query language: its syntax, and its translation into queries on the lexical index.

    diffusion transformers         any of the words (papers with more of them rank higher)
    "chain of thought"             the exact phrase (required; so is a quoted "word" or "text-to-image")
    -survey   -"large language"    without the word / phrase
    ti:diffusion   ti:"video generation"    in the title
    abs:contrastive                in the abstract
    au:hinton   au:"geoffrey hinton"        by an author
    cat:cs.CL                      in a category

``parse`` turns what was typed into clauses; ``QueryBuilder`` turns clauses into tantivy term and phrase
queries built with the index's own analyzers (``index.text``), so nothing a user types reaches a query
parser: FTS operators (``NEAR(``, ``*``, ``OR``), SQL and odd quoting are just text. Unbalanced quotes
close at the end of the query. A query longer than ``MAX_QUERY_CHARS`` or with nothing left to search for
raises ``QueryError`` (the web answers 400).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..errors import PaperfeedError
from .lexical import day_number
from .text import EN_ANALYZER, NAME_ANALYZER, analyze

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
    phrase: bool = False  # quoted: required, as a term ("transformer") or a phrase of its words
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
        # quoted text is required, one word ("transformer") or a hyphenated term ("text-to-image") as well
        out.clauses.append(Clause(text=text, field=target, phrase=phrase is not None, negate=neg))
    if len(out.clauses) + len(out.categories) + len(out.not_categories) > MAX_CLAUSES:
        raise QueryError(f"too many words and filters in the query (at most {MAX_CLAUSES})")
    return out


# --- tantivy queries, built with the index's analyzers ------------------------------------------------


def has_terms(parsed: ParsedQuery) -> bool:
    """Whether the query looks for something: a category, or a word or phrase that leaves a term after the
    index's analysis (in some field it searches). Exclusions, empty quotes and symbols alone (``-survey``,
    ``""``, ``∇``) do not: with filters (a date range), such a query matches every paper that passes them,
    which the search page lists on purpose and a standing alert must not."""
    if parsed.categories:
        return True
    for c in parsed.positive:
        for f in [c.field] if c.field else TEXT_FIELDS:
            analyzer = NAME_ANALYZER if f == "authors" else EN_ANALYZER
            if any(analyze(raw, analyzer) for raw in _WORD.findall(c.text)):
                return True
    return False


FIELD_BOOST = {"title": 3.0, "authors": 2.0, "abstract": 1.0}  # BM25 weights: title > authors > abstract
TEXT_FIELDS = ("title", "authors", "abstract")
_WORD = re.compile(r"[^\W_]+")


class QueryBuilder:
    """Turns parsed clauses into tantivy queries with the index's own analyzers."""

    def __init__(self, lexical):
        import tantivy

        self.t = tantivy
        self.Q = tantivy.Query
        self.O = tantivy.Occur
        self.schema = lexical.schema

    def field_query(self, field: str, text: str, *, slop: int = 0):
        """Term or phrase query of ``text`` in one field, or None when nothing is left after analysis."""
        analyzer = NAME_ANALYZER if field == "authors" else EN_ANALYZER
        terms: list[tuple[int, str]] = []
        for pos, raw in enumerate(_WORD.findall(text)):
            terms.extend((pos, t) for t in analyze(raw, analyzer))
        if not terms:
            return None
        if len(terms) == 1:
            return self.Q.term_query(self.schema, field, terms[0][1])
        base = terms[0][0]
        return self.Q.phrase_query(self.schema, field, [(p - base, t) for p, t in terms], slop)

    def clause_query(self, c: Clause, *, boost: bool = True):
        fields = [c.field] if c.field else list(TEXT_FIELDS)
        subs = []
        for f in fields:
            q = self.field_query(f, c.text)
            if q is not None:
                subs.append(self.Q.boost_query(q, FIELD_BOOST[f]) if boost else q)
        if not subs:
            return None
        if len(subs) == 1:
            return subs[0]
        return self.Q.boolean_query([(self.O.Should, s) for s in subs])

    def filters(
        self,
        parsed: ParsedQuery,
        *,
        category: str | None,
        date_from: date | None,
        date_to: date | None,
        author: str | None,
        has_code: bool,
    ) -> tuple[list, list]:
        """``(must, must_not)`` clauses every result obeys: filters, fielded/phrase clauses, exclusions."""
        Q = self.Q
        must, must_not = [], []  # hidden papers are not in the index: nothing to filter for them
        for c in parsed.positive:
            if c.field or c.phrase:
                q = self.clause_query(c)
                if q is not None:
                    must.append(q)
        for c in parsed.negative:
            q = self.clause_query(c, boost=False)
            if q is not None:
                must_not.append(q)
        cats = list(parsed.categories) + ([category.strip().lower()] if category and category.strip() else [])
        for cat in cats:
            must.append(Q.term_query(self.schema, "cat", cat))
        for cat in parsed.not_categories:
            must_not.append(Q.term_query(self.schema, "cat", cat))
        if author and author.strip():
            q = self.field_query("authors", author)
            if q is None:
                raise QueryError(f"author filter has no name in it: {author!r}")
            must.append(q)
        if has_code:
            must.append(Q.term_query(self.schema, "code", 1))
        if date_from or date_to:
            if date_from and date_to and date_from > date_to:
                raise QueryError(f"date range is empty: {date_from} is after {date_to}")
            must.append(
                Q.range_query(
                    self.schema,
                    "day",
                    self.t.FieldType.Integer,
                    day_number(date_from) if date_from else None,
                    day_number(date_to) if date_to else None,
                )
            )
        return must, must_not

    @staticmethod
    def _free(parsed: ParsedQuery) -> list[Clause]:
        """The free words: no field, not quoted."""
        return [c for c in parsed.positive if not c.field and not c.phrase]

    def _queries(self, clauses: list[Clause]) -> list:
        return [q for q in map(self.clause_query, clauses) if q is not None]

    def words(self, parsed: ParsedQuery) -> list:
        """The free words, one query each: required when sorting by date or upvotes."""
        return self._queries(self._free(parsed))

    def terms(self, parsed: ParsedQuery, *, parts: bool = False) -> list[tuple[str, str]]:
        """``(field, term)`` in every text field for the free words of one token, or with ``parts=True``
        for the tokens of the free words that have several ("text-to-image": "text", "imag")."""
        out = []
        for c in self._free(parsed):
            if (len(_WORD.findall(c.text)) > 1) != parts:
                continue
            for f in TEXT_FIELDS:
                analyzer = NAME_ANALYZER if f == "authors" else EN_ANALYZER
                out.extend((f, t) for raw in _WORD.findall(c.text) for t in analyze(raw, analyzer))
        return out

    def phrases(self, parsed: ParsedQuery) -> list:
        """The free words of several tokens ("text-to-image") as phrases in every field, boosted."""
        return self._queries([c for c in self._free(parsed) if len(_WORD.findall(c.text)) > 1])

    def disjunction(self, terms: list[tuple[str, str]]) -> list:
        """Boosted term queries of ``terms`` (BM25, title > authors > abstract), to be OR-ed."""
        Q = self.Q
        return [Q.boost_query(Q.term_query(self.schema, f, t), FIELD_BOOST[f]) for f, t in terms]

    def combine(self, must: list, should: list, must_not: list):
        """Every ``must``, none of ``must_not``, at least one ``should``; all papers when all are empty."""
        occ, Q = self.O, self.Q
        if not must and not must_not:  # a bare disjunction: pruned by block-max WAND
            return Q.boolean_query([(occ.Should, q) for q in should]) if should else Q.all_query()
        clauses = [(occ.Must, q) for q in must] + [(occ.MustNot, q) for q in must_not]
        if should:
            clauses.append((occ.Must, Q.boolean_query([(occ.Should, q) for q in should])))
        elif not must:  # exclusions alone match nothing in tantivy: every paper, less the excluded ones
            clauses.append((occ.Must, Q.all_query()))
        return Q.boolean_query(clauses)
