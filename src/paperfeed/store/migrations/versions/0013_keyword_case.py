"""an index on lower(paper_keywords.keyword): keyword pages and filters match without case ("/keywords/kv
cache" was a 404 beside "KV cache"), and must not scan every keyword row to do it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_paper_keywords_lower_keyword", "paper_keywords", [sa.text("lower(keyword)")])


def downgrade() -> None:
    op.drop_index("ix_paper_keywords_lower_keyword", table_name="paper_keywords")
