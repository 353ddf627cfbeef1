"""stored similar papers: similar_lists (each paper's whole-paper similar list, ranked by the index job); an
index on lower(paper_authors.name) for author pages

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "similar_lists",
        sa.Column("paper_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("text_hash", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("stale", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_similar_lists_paper_id_papers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_similar_lists")),
    )
    op.create_index("ix_paper_authors_lower_name", "paper_authors", [sa.text("lower(name)")])


def downgrade() -> None:
    op.drop_index("ix_paper_authors_lower_name", table_name="paper_authors")
    op.drop_table("similar_lists")
