"""comments.deleted_at: an author deletes their own comment. One with replies stays as a "[deleted]"
placeholder that keeps the thread (its text is wiped); one without is shown nowhere.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("deleted_at")
