"""Engines and migrations: SQLite (WAL, one file in the data dir) or PostgreSQL, same code."""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    BindParameter,
    ColumnElement,
    Connection,
    Engine,
    Float,
    LargeBinary,
    Numeric,
    Row,
    Select,
    bindparam,
    create_engine,
    event,
    func,
    make_url,
    select,
    text,
)
from sqlalchemy.exc import OperationalError

from ..errors import PaperfeedError

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
    against 0.02 ms), so the queries of every page are built at import time. On SQLite the rows come
    packed (``_Packed``): named tuples, read by position or by name like SQLAlchemy's rows."""
    packed = _packed(stmt) if conn.dialect.name == "sqlite" else None
    for part in chunked(values, size):
        if packed is None:
            yield from conn.execute(stmt, {name: part})
        else:
            yield from packed.rows(conn.execute(packed.stmt, {name: part}).scalar_one(), conn.dialect)


class _Packed:
    """A statement whose rows SQLite returns as one JSON array: one step of the database engine instead
    of one per row.

    Python's sqlite3 lets other threads run during every step (it releases the GIL) and must take the GIL
    back after it. A page reading a few hundred rows while the other handler threads wait for the GIL hands
    it over hundreds of times. ``bench/store_reads.py``, 30 papers a ``get_papers`` call in four threads at
    once: 6.3-8.1 ms of CPU a call row by row, 3.0-3.8 packed (alone: 1.5-1.6 against 1.6-1.8 ms); search
    pages of one serving process 0.63-0.78x the CPU (docs/benchmarks.md, "Run 8").
    """

    def __init__(self, stmt: Select):
        sub = stmt.subquery()  # its ORDER BY holds: SQLite does not flatten an ordered subquery into an aggregate
        cols = list(stmt.selected_columns)
        # JSON columns travel as JSON (json()), parsed with the rest in one json.loads
        values = [func.json(c) if isinstance(col.type, JSON) else c for c, col in zip(sub.c, cols, strict=True)]
        self.stmt = select(func.json_group_array(func.json_array(*values)))
        self.types = [(i, col.type) for i, col in enumerate(cols) if not isinstance(col.type, JSON)]
        self.row = namedtuple("Row", stmt.selected_columns.keys(), rename=True)
        self._processors: list | None = None

    def rows(self, packed: str, dialect) -> Iterator[tuple]:
        """The rows of one packed result, each value as SQLAlchemy's row would hold it."""
        if self._processors is None:
            impl = [(i, t.dialect_impl(dialect).result_processor(dialect, None)) for i, t in self.types]
            self._processors = [(i, p) for i, p in impl if p is not None]
        rows = json.loads(packed)
        for r in rows:
            for i, p in self._processors:
                r[i] = p(r[i])
        return map(self.row._make, rows)


@lru_cache(maxsize=512)  # statements are built once (at import); one built per call must not pile up
def _packed(stmt: Select) -> _Packed | None:
    """The packed form of ``stmt``, or None where a column would not survive JSON unchanged: floats
    (SQLite writes 15 significant digits) and bytes."""
    lossy = any(isinstance(c.type, (Float, Numeric, LargeBinary)) for c in stmt.selected_columns)
    return None if lossy else _Packed(stmt)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            folder = Path(u.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise PaperfeedError(f"cannot create the data folder {folder.resolve()}: {exc.strerror}") from None
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


def unwritable(engine: Engine, exc: OperationalError) -> None:
    """Raise a clear error for a SQLite file this user cannot open or write, else return: even reading needs
    write access to the folder (WAL mode keeps ``paperfeed.db-wal`` and ``-shm`` beside the file)."""
    message = str(exc.orig)
    if engine.dialect.name != "sqlite" or not ("unable to open" in message or "readonly" in message):
        return
    path = Path(engine.url.database or "").resolve()
    raise PaperfeedError(
        f"cannot open {path} ({message}): paperfeed needs a database file it can write, in a folder it can write "
        "(SQLite keeps paperfeed.db-wal and -shm beside it, even to read). Run as the user that owns "
        f"{path.parent}, or point --data-dir elsewhere"
    ) from None


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
