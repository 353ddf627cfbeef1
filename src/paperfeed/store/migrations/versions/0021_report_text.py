"""reports.reported_text: a reported comment's text as it was when the reader reported it, so that the
queue shows what was reported when its author edited the comment since (NULL: a paper, a report made
before this, or a comment its author deleted since).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("reported_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("reported_text")
