"""paper_authors.name_key (``ids.author_key``: case and accents folded, indexed) replaces the index on
lower(name): "/authors/Jurgen Schmidhuber" found nothing for papers by "Jürgen Schmidhuber", and "Aleksander
Madry" and "Aleksander Mądry" were two pages of one person (SQLite's lower() folds ASCII only and neither
database drops accents). Existing rows are keyed here, in batches.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:10:00
"""

import sqlalchemy as sa
from alembic import op

from paperfeed.ids import author_key

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.add_column("paper_authors", sa.Column("name_key", sa.String(length=1000), nullable=False, server_default=""))
    bind = op.get_bind()
    authors = sa.table("paper_authors", sa.column("name"), sa.column("name_key"))
    names = bind.execute(sa.select(authors.c.name).distinct()).scalars().all()
    keyed = [{"n": n, "k": author_key(n)} for n in names]
    stmt = authors.update().where(authors.c.name == sa.bindparam("n")).values(name_key=sa.bindparam("k"))
    for start in range(0, len(keyed), BATCH):
        bind.execute(stmt, keyed[start : start + BATCH])
    op.create_index("ix_paper_authors_name_key", "paper_authors", ["name_key"])
    op.drop_index("ix_paper_authors_lower_name", table_name="paper_authors")


def downgrade() -> None:
    op.create_index("ix_paper_authors_lower_name", "paper_authors", [sa.text("lower(name)")])
    op.drop_index("ix_paper_authors_name_key", table_name="paper_authors")
    with op.batch_alter_table("paper_authors") as batch:
        batch.drop_column("name_key")
