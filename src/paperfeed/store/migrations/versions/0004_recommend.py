"""recommendations and keywords: follows, user_models, paper_keywords

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 02:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", "value", name=op.f("pk_follows")),
    )
    op.create_table(
        "user_models",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("weights", sa.LargeBinary(), nullable=False),
        sa.Column("signals", sa.String(length=40), nullable=False),
        sa.Column("positives", sa.Integer(), nullable=False),
        sa.Column("negatives", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_models_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_models")),
    )
    op.create_table(
        "paper_keywords",
        sa.Column("paper_id", sa.String(length=64), nullable=False),
        sa.Column("keyword", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_paper_keywords_paper_id_papers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", "keyword", name=op.f("pk_paper_keywords")),
    )
    with op.batch_alter_table("paper_keywords", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_keywords_keyword"), ["keyword"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("paper_keywords", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_keywords_keyword"))
    op.drop_table("paper_keywords")
    op.drop_table("user_models")
    op.drop_table("follows")
