"""paper_aliases: the ids papers had before they merged into another (``store.merge``). A paper first seen on
Hugging Face without an arXiv id (``pf-`` + title hash) merges into its arXiv record when that arrives; its old
id stays here, so that importing the Hugging Face list again adds to the arXiv paper instead of bringing the
copy back.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_aliases",
        sa.Column("alias", sa.String(length=64), nullable=False),
        sa.Column("paper_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_paper_aliases_paper_id_papers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_paper_aliases")),
    )
    op.create_index(op.f("ix_paper_aliases_paper_id"), "paper_aliases", ["paper_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_paper_aliases_paper_id"), table_name="paper_aliases")
    op.drop_table("paper_aliases")
