"""account emails are confirmed by mail: users.pending_email; users.email holds confirmed addresses only

Until this revision an account's email was stored as typed, never confirmed, and a subscription was
linked to an account by that address. Every stored address becomes pending (its owner confirms it once
from the profile page) and every subscription link made on an unconfirmed address is dropped; a
confirmed address links its subscription again (docs/email.md, "Account addresses").

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("pending_email", sa.String(length=320), nullable=True))
    op.execute("UPDATE users SET pending_email = email, email = NULL WHERE email IS NOT NULL")
    op.execute("UPDATE subscribers SET user_id = NULL WHERE user_id IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE users SET email = pending_email WHERE email IS NULL AND pending_email IS NOT NULL")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("pending_email")
