"""an index on paper_vectors(model, created_at, paper_id): a serving process catching up with new vectors
(every ``search_refresh_seconds``) read the whole table, every vector's page, to find none: 56-74 ms at
75k papers (bench/store_reads.py), and it grows with the table

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:55:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_paper_vectors_model_created", "paper_vectors", ["model", "created_at", "paper_id"])


def downgrade() -> None:
    op.drop_index("ix_paper_vectors_model_created", table_name="paper_vectors")
