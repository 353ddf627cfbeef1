"""Alembic environment: paperfeed passes its engine in ``config.attributes['engine']``.

SQLite: some schema changes rebuild a table (create new, copy, drop old). With foreign keys on, dropping
the old ``papers`` table would cascade-delete every author, category and featured row, so foreign keys
are switched off for the migration (outside any transaction, as SQLite requires) and checked after it.
"""

from alembic import context

from paperfeed.store.models import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.driver_connection if sqlite else None
    if sqlite:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if sqlite:
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} rows with broken foreign keys: {broken[:3]}")
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys=ON")
