"""The store: the only code that talks to the database (SQLite by default, PostgreSQL in production).

``Store.open(url)`` creates or migrates the schema and hands out transactions; the modules beside this
one hold the queries:

- ``db``: engines, migrations, the chunked ``IN`` helpers; ``models``: the tables, by area (``migrations/``)
- ``upsert``: idempotent imports of records; ``papers``: reading papers; ``lists``: the ids (and counts) of
  the pages' lists; ``days``: the days those lists have papers on (the newest, the previous and next);
  ``cards``: what a paper's card shows (every page of cards), in one statement
- ``merge``: a paper stored without an arXiv id taken into its arXiv record (votes, comments, aliases)
- ``community``: votes (the one upvote total), comments, submissions, moderation; ``collections``
- ``modlog``: the moderation log (who hid, banned or picked what, when and why); ``reports``: readers'
  reports of papers and comments, and the moderators' queue of them
- ``users``: accounts, API tokens, the login limit's events; ``passwords``: argon2id hashing
- ``accounts``: an account's whole footprint: its owner's export, and deleting it (a tombstone stays)
- ``follows``, ``signals``: what "for you" learns from, and its trained models
- ``keywords``: keyphrases; ``vectors``: what the search indexes read and write; ``maps``: topic maps' reads
- ``summaries``: each paper's one-sentence summary (made by the index job)
- ``sentences``: each paper's labelled sentence vectors (faceted similar papers)
- ``similar_lists``: each paper's stored whole-paper similar papers (ranked by the index job)
- ``subscriptions``: email subscribers and alerts; ``digests``: what composing digests reads and writes of
  them in bulk (sent history); ``outbox``: messages waiting for the SMTP server
- ``library``: matching a reference-manager export to papers; ``fetch_state``: harvest resume points
- ``backup``: a consistent backup file of the database while it serves, and its restore; ``backup_file``:
  the file (manifest, members, checksums); ``backup_sqlite``: SQLite's half, with its online backup API;
  ``backup_pg``: PostgreSQL's half, with pg_dump and pg_restore
- ``jobs``: each scheduled job once per slot across machines (locks, ``job_runs``)
- ``events``: telling every process that something changed (PostgreSQL LISTEN/NOTIFY)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from .db import make_engine, migrate, unwritable


class Store:
    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, **engine_kwargs) -> Store:
        engine = make_engine(url, **engine_kwargs)
        try:
            if upgrade:
                migrate(engine)
            elif engine.dialect.name == "sqlite":
                engine.connect().close()  # the same clear error now, not at the first read
        except OperationalError as exc:
            unwritable(engine, exc)
            raise
        return cls(engine)

    @property
    def url(self) -> str:
        """The database URL, password included (for a separate connection such as ``events.Listener``)."""
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed on success, rolled back on any error."""
        with self.engine.connect() as conn:
            conn.execution_options(paperfeed_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def analyze(self) -> None:
        """Refresh the query planner's statistics (after a bulk load: a server with autovacuum off, or not
        yet run, would otherwise plan the next searches' checks from empty statistics)."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
            else:
                conn.execute(text("ANALYZE"))
                conn.commit()

    def close(self) -> None:
        self.engine.dispose()
