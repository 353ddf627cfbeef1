"""Engines and migrations: SQLite (WAL, one file in the data dir) or PostgreSQL, same code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    bindparam,
    create_engine,
    event,
    make_url,
    text,
)

MIGRATIONS = Path(__file__).parent / "migrations"
IN_CHUNK = 5_000  # values per ``IN (...)``: well under SQLite's and PostgreSQL's caps on bound parameters

T = TypeVar("T")


def chunked(items: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter), in order."""
    it = iter(items)
    while part := list(islice(it, size)):
        yield part


def select_in(
    conn: Connection, query: Select, column: ColumnElement, values: Iterable, *, size: int = IN_CHUNK
) -> Iterator[Row]:
    """The rows of ``query`` whose ``column`` is one of ``values``: one statement per ``size`` values, so
    that any number of values stays within what one statement may bind."""
    for part in chunked(values, size):
        yield from conn.execute(query.where(column.in_(part)))


def ids_param(name: str = "ids") -> BindParameter:
    """The ``IN`` list of a statement built once (``col.in_(ids_param())``), run with ``execute_in``."""
    return bindparam(name, expanding=True)


def execute_in(conn: Connection, stmt: Select, values: Iterable, *, name: str = "ids", size: int = IN_CHUNK):
    """The rows of ``stmt`` (built once, its ``IN`` list an ``ids_param(name)``) for any number of values,
    one statement per ``size``. Building a statement costs more than SQLite takes to run a small one (0.04
    against 0.02 ms), so the queries of every page are built at import time."""
    for part in chunked(values, size):
        yield from conn.execute(stmt, {name: part})


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None  # SQLAlchemy issues BEGIN itself (below): savepoints work
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # noqa: ANN001
            # writers take the write lock up front, so concurrent writers queue (busy_timeout) instead
            # of failing when a deferred read transaction tries to upgrade
            write = conn.get_execution_options().get("paperfeed_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def schema_revision(conn: Connection) -> str | None:
    """The migration the database is at (quietly: no Alembic context, for frequent health checks)."""
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def ping(conn: Connection) -> None:
    """Raises unless the database answers."""
    conn.execute(text("SELECT 1"))


@cache
def head_revision() -> str:
    """The newest migration this code ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()  # type: ignore[return-value]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
