"""Old-style arXiv ids without their subject class: ``math.GT/0309136`` is arXiv's ``math/0309136`` (the
class is not part of the id), but a file import stored it as ``math.gt/0309136``, so the paper split in two
when the same paper came with its real id. Such papers are renamed here with everything that hangs on them
(authors, versions, featured days, votes, comments, collection items, reports; vectors, summaries and
similar papers are made again by ``paperfeed index``), unless a paper of the real id is already stored:
then both stay, and a warning names them (merging two papers' votes and comments is left to an operator).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 21:00:00
"""

import logging
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
# made again by the index job for the new id (the vector index follows new vectors, not renamed ones)
DERIVED = {"paper_vectors", "paper_sentences", "paper_summaries", "paper_keywords", "similar_lists"}
_WITH_CLASS = re.compile(r"([a-z][a-z\-]*)\.[a-z]{2}/(\d{7})")


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
    inspector = sa.inspect(bind)
    columns = [c["name"] for c in inspector.get_columns("papers")]
    belongs = [  # (table, column) of every row that belongs to a paper
        (table, fk["constrained_columns"][0])
        for table in inspector.get_table_names()
        for fk in inspector.get_foreign_keys(table)
        if fk["referred_table"] == "papers"
    ] + [("sent_papers", "paper_id")]  # no foreign key: a digest's history outlives its papers
    copy = sa.text(
        f"INSERT INTO papers ({', '.join(columns)}) "  # noqa: S608 (column names from the schema)
        f"SELECT {', '.join(':new' if c == 'id' else ':now' if c == 'modified_at' else c for c in columns)} "
        "FROM papers WHERE id = :old"
    )
    now = datetime.now(UTC)
    for old, new in sorted(renames.items()):
        if new in taken:
            log.warning("paper %s kept apart from %s (both are stored): merge them by hand", old, new)
            continue
        ids = {"old": old, "new": new}
        bind.execute(copy, ids | {"now": now})  # modified_at moves: the search indexes take the new id
        for table, column in belongs:
            change = "DELETE FROM {t}" if table in DERIVED else "UPDATE {t} SET {c} = :new"
            bind.execute(sa.text(f"{change} WHERE {{c}} = :old".format(t=table, c=column)), ids)
        bind.execute(sa.text("UPDATE reports SET target = :new WHERE kind = 'paper' AND target = :old"), ids)
        bind.execute(sa.text("UPDATE moderation_log SET target = :new WHERE target = :old"), ids)
        bind.execute(sa.text("DELETE FROM papers WHERE id = :old"), ids)


def downgrade() -> None:
    pass  # the subject class is gone for good: arXiv's id never had it
