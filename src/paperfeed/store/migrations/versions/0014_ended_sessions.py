"""ended_sessions: logging out ends the session for good. The session cookie is stateless (signed, valid
30 days), so a copy of it kept after "Log out" still signed its holder in; each login now carries a random
session id, and logging out records it here (hashed) for the cookie's remaining life.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 13:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ended_sessions",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_ended_sessions")),
    )
    op.create_index(op.f("ix_ended_sessions_ended_at"), "ended_sessions", ["ended_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ended_sessions_ended_at"), table_name="ended_sessions")
    op.drop_table("ended_sessions")
