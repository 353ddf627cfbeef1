"""users.deleted_at: an owner deletes their account; its row stays as a tombstone (id, username,
created_at) that keeps the name reserved and the "[deleted]" placeholders of its comments in their threads
(store.accounts). comments.edited_at: when its author last edited the comment (NULL: never).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("edited_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deleted_at")
