"""moderation_log: who hid, showed, banned, picked or made admin what, when and why. Each moderation action
(web, API or CLI) writes its row in the transaction that does it; `paperfeed admin log` and /admin/log
read them. AUTOINCREMENT on SQLite, like the other id tables, so ids follow time.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("moderation_log")
