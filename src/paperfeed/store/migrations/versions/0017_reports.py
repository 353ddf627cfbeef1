"""reports: a signed-in reader flags a paper or a comment for the moderators (a reason code, an optional
note). Open while ``resolved_at`` is NULL; a reader holds at most one open report per item (the partial
unique index). ``kind``/``target`` name the item ('paper' and a paper id, 'comment' and a comment id);
``paper_id`` is the paper it is on, so that the item goes with its paper. AUTOINCREMENT on SQLite, like the
other id tables, so ids follow time.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("paper_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_reports_paper_id_papers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reports_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_reports_item", "reports", ["kind", "target"], unique=False)
    op.create_index(op.f("ix_reports_paper_id"), "reports", ["paper_id"], unique=False)
    op.create_index(op.f("ix_reports_resolved_at"), "reports", ["resolved_at"], unique=False)
    op.create_index(
        "uq_reports_open",
        "reports",
        ["user_id", "kind", "target"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_reports_open", table_name="reports")
    op.drop_index(op.f("ix_reports_resolved_at"), table_name="reports")
    op.drop_index(op.f("ix_reports_paper_id"), table_name="reports")
    op.drop_index("ix_reports_item", table_name="reports")
    op.drop_table("reports")
