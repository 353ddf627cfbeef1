"""Bidi controls out of texts stored before the store dropped them: Unicode's embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069) reorder what readers see of a title, an author's name or a comment
("Trojan Source"). Since 98fa4e1 the store drops them from what it stores; this rewrites what was stored
before, as the store would have stored it: papers' texts, their earlier versions, their authors' names and
their imported keywords (a JSON list) with spaces folded as import folds them; comments, report notes and
collections' descriptions with the controls only removed; collections' names folded as a new name is,
renamed "NAME (2)", "(3)" ... where that would clash with another collection of the same reader. A paper
rewritten here (its texts, authors or keywords) gets a new ``modified_at`` (the search index follows it),
and one whose title or abstract changed has its derived rows put out of date as an import's changed text
does (``store.upsert``): vectors marked stale, summary and keyphrases removed, all made again by the next
``paperfeed index``. Two authors of a paper whose names become the same stay two rows.

Rows are found by the database (SQLite ``GLOB``, PostgreSQL ``~``) and only those are read and written: a
scan per column, no more. The change is not undone by a downgrade (nothing a reader typed is lost but the
invisible controls).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 02:00:00
"""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_CLASS = "[\u202a-\u202e\u2066-\u2069]"
_CONTROLS = re.compile(_CLASS)
# table: (key columns, {column: fold spaces as records.checked / collections do})
TEXTS = {
    "papers": (("id",), {"title": True, "abstract": True, "comment": True, "journal_ref": True}),
    "paper_versions": (("paper_id", "version"), {"title": True, "abstract": True, "comment": True}),
    "paper_authors": (("paper_id", "position"), {"name": True, "name_key": True}),
    "featured": (("paper_id", "day"), {"submitted_by": True}),
    "comments": (("id",), {"body": False}),
    "reports": (("id",), {"note": False, "reported_text": False}),
    "collections": (("id",), {"description": False}),
}


def _clean(text: str | None, fold: bool) -> str | None:
    if text is None:
        return None
    text = _CONTROLS.sub("", text)
    return " ".join(text.split()) if fold else text


def _has_controls(bind, column: sa.ColumnClause):
    if bind.dialect.name == "postgresql":
        return column.op("~")(_CLASS)
    return column.op("GLOB")(f"*{_CLASS}*")


def _rewrite(bind, name: str, keys: tuple[str, ...], columns: dict[str, bool], now: datetime) -> None:
    table = sa.table(name, *map(sa.column, (*keys, *columns)))
    for column, fold in columns.items():
        found = sa.select(*(table.c[k] for k in keys), table.c[column]).where(_has_controls(bind, table.c[column]))
        for row in bind.execute(found).all():
            where = sa.and_(*(table.c[k] == row[i] for i, k in enumerate(keys)))
            bind.execute(table.update().where(where).values({column: _clean(row[-1], fold)}))
            if name in ("papers", "paper_authors"):  # the search index reads titles, abstracts and authors
                _out_of_date(bind, row[0], now, derived=column in ("title", "abstract"))


def _rewrite_keywords(bind, now: datetime) -> None:
    """Papers' imported keywords (HF's ``ai_keywords``, a JSON list, shown as tags): each folded, empty
    ones dropped. JSON may hold a control as the character or as its ``\\uXXXX`` escape (SQLite's text)."""
    table = sa.table("papers", sa.column("id"), sa.column("keywords", sa.JSON))
    raw = sa.cast(table.c.keywords, sa.Text)
    escaped = r"\\u20(2[a-e]|6[6-9])"
    if bind.dialect.name == "postgresql":
        found = raw.op("~*")(f"{_CLASS}|{escaped}")
    else:
        low = sa.func.lower(raw)
        found = sa.or_(low.op("GLOB")(f"*{_CLASS}*"), low.op("GLOB")("*\\u202[a-e]*"), low.op("GLOB")("*\\u206[6-9]*"))
    for paper_id, keywords in bind.execute(sa.select(table.c.id, table.c.keywords).where(found)).all():
        cleaned = [_clean(k, True) if isinstance(k, str) else k for k in keywords or []]
        kept = list(dict.fromkeys(k for k in cleaned if k))
        if kept != keywords:
            bind.execute(table.update().where(table.c.id == paper_id).values(keywords=kept))
            _out_of_date(bind, paper_id, now, derived=False)


def _out_of_date(bind, paper_id: str, now: datetime, *, derived: bool) -> None:
    papers = sa.table("papers", sa.column("id"), sa.column("modified_at", sa.DateTime(timezone=True)))
    bind.execute(papers.update().where(papers.c.id == paper_id).values(modified_at=now))
    if derived:
        vectors = sa.table("paper_vectors", sa.column("paper_id"), sa.column("text_hash"))
        bind.execute(vectors.update().where(vectors.c.paper_id == paper_id).values(text_hash=""))
        for name in ("paper_summaries", "paper_keywords"):
            table = sa.table(name, sa.column("paper_id"))
            bind.execute(table.delete().where(table.c.paper_id == paper_id))


def _rename_collections(bind) -> None:
    """Collections' names folded; one that would clash with another of its reader's gets " (2)", " (3)"..."""
    table = sa.table("collections", *map(sa.column, ("id", "user_id", "name")))
    for cid, user_id, name in bind.execute(
        sa.select(table.c.id, table.c.user_id, table.c.name)
        .where(_has_controls(bind, table.c.name))
        .order_by(table.c.id)
    ).all():
        taken = set(
            bind.execute(sa.select(table.c.name).where(table.c.user_id == user_id, table.c.id != cid)).scalars()
        )
        base = _clean(name, True)[:100] or "Collection"
        new, n = base, 1
        while new in taken:
            n += 1
            new = f"{base[: 100 - len(f' ({n})')]} ({n})"
        bind.execute(table.update().where(table.c.id == cid).values(name=new))


def upgrade() -> None:
    bind, now = op.get_bind(), datetime.now(UTC)
    for name, (keys, columns) in TEXTS.items():
        _rewrite(bind, name, keys, columns, now)
    _rewrite_keywords(bind, now)
    _rename_collections(bind)


def downgrade() -> None:
    pass  # the controls are not put back
