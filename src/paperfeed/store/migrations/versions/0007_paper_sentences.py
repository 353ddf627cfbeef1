"""faceted similar papers: paper_sentences (each paper's sentences, facet labels and vectors)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_sentences",
        sa.Column("paper_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("text_hash", sa.String(length=40), nullable=False),
        sa.Column("facets", sa.String(length=64), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_paper_sentences_paper_id_papers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", "model", name=op.f("pk_paper_sentences")),
    )


def downgrade() -> None:
    op.drop_table("paper_sentences")
