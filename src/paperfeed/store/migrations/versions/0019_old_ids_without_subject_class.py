"""Old-style arXiv ids without their subject class: ``math.GT/0309136`` is arXiv's ``math/0309136`` (the
class is not part of the id), but a file import stored it as ``math.gt/0309136``, so the paper split in two
when the same paper came with its real id. Such papers are renamed here with everything that hangs on them
(authors, versions, featured days, votes, comments, collection items, reports; vectors, summaries and
similar papers are made again by ``paperfeed index``). Where a paper of the real id is already stored, the
two are merged into it, as ``store.merge.merge_into`` merges a ``pf-`` paper into its arXiv record: votes,
comments, collection items, featured days, reports and digest history move over (a reader's vote or
collection item on both is kept once, the real id's), imported upvotes and links fill its gaps, and the
other row's authors, versions and derived rows go. The merge is written out in SQL here rather than
imported: a migration must do what it did when it was written, whatever the app's code becomes (and
``merge_into`` writes ``paper_aliases``, a table of a later revision; none is needed, as every spelling
with a subject class parses to the real id).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 21:00:00
"""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# made again by the index job for the new id (the vector index follows new vectors, not renamed ones)
DERIVED = {"paper_vectors", "paper_sentences", "paper_summaries", "paper_keywords", "similar_lists"}
# rows a reader keeps once per paper: table -> the column naming whose row it is
KEYED = {"votes": "user_id", "collection_items": "collection_id", "sent_papers": "subscriber_id"}
_WITH_CLASS = re.compile(r"([a-z][a-z\-]*)\.[a-z]{2}/(\d{7})")
_WHEN = sa.DateTime(timezone=True)
_PAPERS = sa.table(
    "papers",
    *map(sa.column, ("id", "code_url", "project_url", "hf_upvotes")),
    sa.column("published_at", _WHEN),
    sa.column("announced_on", sa.Date),
    sa.column("hidden", sa.Boolean),
    sa.column("keywords", sa.JSON),
    sa.column("sources", sa.JSON),
    sa.column("created_at", _WHEN),
    sa.column("modified_at", _WHEN),
)


def _belongs(bind) -> list[tuple[str, str]]:
    """(table, column) of every row that belongs to a paper."""
    inspector = sa.inspect(bind)
    return [
        (table, fk["constrained_columns"][0])
        for table in inspector.get_table_names()
        for fk in inspector.get_foreign_keys(table)
        if fk["referred_table"] == "papers"
    ] + [("sent_papers", "paper_id")]  # no foreign key: a digest's history outlives its papers


def _rename(bind, belongs, old: str, new: str, now: datetime) -> None:
    columns = [c["name"] for c in sa.inspect(bind).get_columns("papers")]
    copy = sa.text(
        f"INSERT INTO papers ({', '.join(columns)}) "  # noqa: S608 (column names from the schema)
        f"SELECT {', '.join(':new' if c == 'id' else ':now' if c == 'modified_at' else c for c in columns)} "
        "FROM papers WHERE id = :old"
    ).bindparams(sa.bindparam("now", type_=_WHEN))
    ids = {"old": old, "new": new}
    bind.execute(copy, ids | {"now": now})  # modified_at moves: the search indexes take the new id
    for table, column in belongs:
        change = "DELETE FROM {t}" if table in DERIVED else "UPDATE {t} SET {c} = :new"
        bind.execute(sa.text(f"{change} WHERE {{c}} = :old".format(t=table, c=column)), ids)


def _merge_row(bind, old: str, new: str, now: datetime) -> None:
    """The real id's row takes what the other has and it lacks (``store.merge._merge_row``)."""
    p = _PAPERS.c
    o, n = (bind.execute(sa.select(_PAPERS).where(p.id == pid)).one() for pid in (old, new))
    ch: dict = {"modified_at": now, "created_at": min(o.created_at, n.created_at)}
    for col in ("code_url", "project_url", "published_at", "announced_on"):
        if getattr(n, col) is None and getattr(o, col) is not None:
            ch[col] = getattr(o, col)
    if o.hf_upvotes is not None and (n.hf_upvotes is None or o.hf_upvotes > n.hf_upvotes):
        ch["hf_upvotes"] = o.hf_upvotes
    if o.keywords and not n.keywords:
        ch["keywords"] = list(o.keywords)
    ch["sources"] = sorted(set(n.sources or []) | set(o.sources or []))
    ch["hidden"] = bool(n.hidden or o.hidden)  # a moderator's decision about either stands
    bind.execute(sa.update(_PAPERS).where(p.id == new).values(**ch))


def _merge_featured(bind, ids: dict) -> None:
    rows = sa.text("SELECT day, submitted_by, upvotes FROM featured WHERE paper_id = :pid")
    have = {r.day: r for r in bind.execute(rows, {"pid": ids["new"]})}
    for r in bind.execute(rows, {"pid": ids["old"]}).all():
        mine, day = have.get(r.day), ids | {"day": r.day}
        if mine is None:
            bind.execute(sa.text("UPDATE featured SET paper_id = :new WHERE paper_id = :old AND day = :day"), day)
            continue
        if r.submitted_by and not mine.submitted_by:
            bind.execute(sa.text("UPDATE featured SET submitted_by = :by WHERE paper_id = :new AND day = :day"),
                         day | {"by": r.submitted_by})  # fmt: skip
        if r.upvotes is not None and (mine.upvotes is None or r.upvotes > mine.upvotes):
            bind.execute(sa.text("UPDATE featured SET upvotes = :n WHERE paper_id = :new AND day = :day"),
                         day | {"n": r.upvotes})  # fmt: skip


def _merge(bind, belongs, old: str, new: str, now: datetime) -> None:
    """Merge stored paper ``old`` into stored paper ``new`` (the module docstring); ``old`` is gone after."""
    ids = {"old": old, "new": new}
    _merge_row(bind, old, new, now)
    _merge_featured(bind, ids)
    for table, key in KEYED.items():
        bind.execute(sa.text(
            f"UPDATE {table} SET paper_id = :new WHERE paper_id = :old AND NOT EXISTS "  # noqa: S608 (names above)
            f"(SELECT 1 FROM {table} AS o WHERE o.paper_id = :new AND o.{key} = {table}.{key})"
        ), ids)  # fmt: skip
    bind.execute(sa.text("UPDATE comments SET paper_id = :new WHERE paper_id = :old"), ids)
    bind.execute(sa.text(  # a reader with an open report of both keeps one
        "DELETE FROM reports WHERE kind = 'paper' AND target = :old AND resolved_at IS NULL AND EXISTS "
        "(SELECT 1 FROM reports AS o WHERE o.kind = 'paper' AND o.target = :new AND o.user_id = reports.user_id "
        "AND o.resolved_at IS NULL)"
    ), ids)  # fmt: skip
    bind.execute(sa.text("UPDATE reports SET paper_id = :new WHERE paper_id = :old"), ids)
    for table, column in belongs:  # what is left of it: duplicates, its authors, versions and derived rows
        bind.execute(sa.text(f"DELETE FROM {table} WHERE {column} = :old"), ids)  # noqa: S608 (schema names)


def upgrade() -> None:
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT id FROM papers WHERE id LIKE '%.%/%'")).scalars().all()
    renames = {old: f"{m.group(1)}/{m.group(2)}" for old in found if (m := _WITH_CLASS.fullmatch(old))}
    if not renames:
        return
    taken = set(
        bind.execute(
            sa.text("SELECT id FROM papers WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": list(renames.values())},
        ).scalars()
    )
    belongs = _belongs(bind)
    now = datetime.now(UTC)
    for old, new in sorted(renames.items()):
        if new in taken:  # two spellings with a class (math.ag/, math.gt/ of one paper) merge in turn
            _merge(bind, belongs, old, new, now)
        else:
            _rename(bind, belongs, old, new, now)
            taken.add(new)
        ids = {"old": old, "new": new}
        bind.execute(sa.text("UPDATE reports SET target = :new WHERE kind = 'paper' AND target = :old"), ids)
        bind.execute(sa.text("UPDATE moderation_log SET target = :new WHERE target = :old"), ids)
        bind.execute(sa.text("DELETE FROM papers WHERE id = :old"), ids)


def downgrade() -> None:
    pass  # the subject class is gone for good: arXiv's id never had it
