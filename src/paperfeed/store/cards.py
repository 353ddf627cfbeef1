"""What a paper's card shows (search results, lists of papers): read in one statement.

A card (``web/templates/_card.html``) shows a paper's title, its first authors, its summary or the start of
its abstract, its best keyphrases, its first categories, its code and project links, its upvotes and
comments, and who submitted it. ``papers.get_papers`` reads the whole ``PaperView`` a paper page shows (every
column, every author; six statements, Python objects for all of it): two fifths of a search page's view
(docs/benchmarks.md, "Run 12"). ``cards`` reads what a card shows, each paper's lists as arrays of its row,
for any number of papers in one statement with the ids bound as one value (as ``vectors.visible``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import ARRAY, Connection, ScalarSelect, Select, and_, any_, bindparam, func, select

from ..ids import web_url
from ..records import is_withdrawn
from .community import VISIBLE_COMMENT, upvotes_total
from .models import comments, featured, paper_authors, paper_categories, paper_keywords, paper_summaries, papers

AUTHORS = 5  # a card names all of four authors, else three and "et al." (web.render.authors_short)
CATEGORIES = 3  # the primary one first
KEYPHRASES = 6  # best first


class Submitted(NamedTuple):
    """A day the paper was on the daily list because someone submitted it (a card says who)."""

    day: date
    submitted_by: str


@dataclass(slots=True)
class Card:
    """The fields of a ``PaperView`` a card reads, the lists cut to what it shows."""

    id: str
    title: str
    abstract: str
    comment: str | None
    authors: list[str]  # the first AUTHORS, in order
    categories: list[str]  # the first CATEGORIES, the primary one first, then by name
    code_url: str | None
    project_url: str | None
    upvotes: int  # imported (HF) upvotes + this community's
    num_comments: int
    summary: str | None
    keyphrases: list[str]  # the best KEYPHRASES
    featured: list[Submitted]  # by day

    @property
    def withdrawn(self) -> bool:
        return is_withdrawn(self.comment, self.abstract)


def _lists() -> dict[str, Select]:
    """Each card list as a one-column (featured: two-column) select, correlated to its ``papers`` row."""
    a, c, k, f = paper_authors, paper_categories, paper_keywords, featured
    p = papers.c
    # (SQLite finds no column of the outer row in a derived table's ORDER BY: the primary one by its own row)
    own = papers.alias("own")
    primary = select(own.c.primary_category).where(own.c.id == c.c.paper_id).scalar_subquery()
    return {
        "authors": select(a.c.name).where(a.c.paper_id == p.id, a.c.position < AUTHORS).order_by(a.c.position),
        "categories": select(c.c.category)
        .where(c.c.paper_id == p.id)
        .order_by((c.c.category == primary).desc(), c.c.category)
        .limit(CATEGORIES),
        "keyphrases": select(k.c.keyword)
        .where(k.c.paper_id == p.id)
        .order_by(k.c.score.desc(), k.c.keyword)
        .limit(KEYPHRASES),
        "featured": select(f.c.day, f.c.submitted_by)
        .where(f.c.paper_id == p.id, f.c.submitted_by.is_not(None))
        .order_by(f.c.day),
    }


def _columns() -> list:
    p = papers.c
    return [
        p.id,
        p.title,
        p.abstract,
        p.comment,
        p.code_url,
        p.project_url,
        upvotes_total(),
        select(func.count()).where(comments.c.paper_id == p.id, VISIBLE_COMMENT).scalar_subquery(),
        select(paper_summaries.c.summary)
        .where(paper_summaries.c.paper_id == p.id, paper_summaries.c.summary != "")
        .scalar_subquery(),
    ]


def _sqlite_list(q: Select) -> ScalarSelect:
    """``q``'s rows as one JSON array (of arrays where it has two columns), in its order: SQLite keeps an
    ordered subquery's order into the aggregate."""
    sub = q.correlate(papers).subquery()
    row = sub.c[0] if len(sub.c) == 1 else func.json_array(*sub.c)
    return func.json(select(func.json_group_array(row)).select_from(sub).scalar_subquery())


def _statements() -> dict[str, Select]:
    lists = _lists()
    cond = papers.c.hidden.is_(False)
    sqlite = select(func.json_group_array(func.json_array(*_columns(), *map(_sqlite_list, lists.values()))))
    ids = ARRAY(papers.c.id.type)
    postgresql = select(
        *_columns(),
        *(func.array(q.scalar_subquery()) for name, q in lists.items() if name != "featured"),
        func.array(lists["featured"].with_only_columns(featured.c.day).scalar_subquery()),
        func.array(lists["featured"].with_only_columns(featured.c.submitted_by).scalar_subquery()),
    )
    return {
        "sqlite": sqlite.where(
            cond, papers.c.id.in_(select(func.json_each(bindparam("ids")).table_valued("value").c.value))
        ),
        "postgresql": postgresql.where(and_(cond, papers.c.id == any_(bindparam("ids", type_=ids)))),
    }


_CARDS = _statements()  # built once: every search page reads it


def cards(conn: Connection, ids: Sequence[str]) -> list[Card]:
    """The cards of the visible papers among ``ids``, in that order (hidden and unknown ids are skipped)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    if conn.dialect.name == "sqlite":  # all rows as one JSON array: one step of the engine (db._Packed)
        rows = json.loads(conn.execute(_CARDS["sqlite"], {"ids": json.dumps(wanted)}).scalar_one())
        days = lambda row: [Submitted(date.fromisoformat(d), by) for d, by in row[-1]]  # noqa: E731
    else:
        rows = conn.execute(_CARDS["postgresql"], {"ids": wanted}).all()
        days = lambda row: [Submitted(d, by) for d, by in zip(row[-2], row[-1], strict=True)]  # noqa: E731
    by_id = {}
    for row in rows:
        pid, title, abstract, comment, code, project, upvotes, n, summary, authors, cats, phrases = row[:12]
        by_id[pid] = Card(
            pid, title, abstract, comment, authors, cats, web_url(code), web_url(project), upvotes, n, summary,
            phrases, days(row),
        )  # fmt: skip
    return [by_id[i] for i in ids if i in by_id]
