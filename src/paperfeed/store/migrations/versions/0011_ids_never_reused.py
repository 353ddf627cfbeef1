"""SQLite: ids of deletable rows are never handed out again (AUTOINCREMENT on collections, api_tokens and
alerts). Without it SQLite gives a new row the highest id in use plus one, so after a deletion the next
collection took the deleted one's id, and an old share link (/collections/4) showed somebody else's
collection. PostgreSQL's sequences never reuse ids: nothing changes there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("collections", "api_tokens", "alerts")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:  # rebuilt with the rows and ids they hold (env.py switches foreign keys off)
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
