"""Fused search rankings kept for every serving process of one machine, so that the next page of a search
(``p=2``, which a crawler's next connection may send to another worker) reads its places instead of
embedding and ranking the query again.

    kept = machine_rankings(index_root(settings))
    places = kept.get_or_claim(key)      # None: this process ranks it, then kept.put(key, places)

One SQLite file beside the machine's indexes (``rankings.db``; derived data: deleting it loses nothing).
A key names the search (query, filters, fusion settings), the state of the indexes it was ranked on (the
lexical watermark, the vectors held) and the depth, so a new or changed paper makes old rankings
unreachable; they age out after ``KEEP_SECONDS``. A process about to rank a key claims it first (a row
without places); another process asking for it meanwhile waits up to ``WAIT_SECONDS`` for the places
instead of ranking it too. Whatever goes wrong with the file (locked, full, unreadable) makes the search
rank by itself: the file only saves work, it never decides a result. The database check of each page
still runs on the places read, so a paper hidden since is never shown.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

WAIT_SECONDS = 2.0  # a claim older than this is taken over (its process died or hangs)
POLL_SECONDS = 0.003  # how often a waiting process looks for the places
KEEP_SECONDS = 600.0  # rankings older than this are dropped
MAX_ROWS = 1_000  # and at most this many are kept (a ranking of 220 places is ~9 kB)
MAX_PLACES = 1_620  # deeper rankings (page 54 on) stay in their process: rare, and up to 0.5 MB each
BUSY_SECONDS = 0.1  # a write that waits longer for the file's lock gives up (the search ranks by itself)
PRUNE_EVERY = 64  # writes between two prunings
WHY = ("exact id", "exact title", "keywords", "semantic", "keywords + semantic")

Places = tuple[list[tuple[str, float, str]], int, bool]  # (ranked, total, exact), as rank.search keeps them


class MachineRankings:
    """The rankings file of one index folder, opened once per process (a connection per thread)."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._writes = 0

    @staticmethod
    def key(parts: tuple) -> str:
        """The file's key for a search's key tuple (its ``repr`` is the same in every process)."""
        return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")  # a lost write after a crash loses a cached ranking, no more
            conn.execute("CREATE TABLE IF NOT EXISTS rankings (key TEXT PRIMARY KEY, at REAL NOT NULL, places TEXT)")
            conn.execute("CREATE INDEX IF NOT EXISTS rankings_at ON rankings (at)")
            self._local.conn = conn
        return conn

    def get_or_claim(self, key: str) -> Places | None:
        """The places kept under ``key``; or None when this process is to rank it: its claim is made (it then
        ``put``s or ``give_up``s), or another's claim was not answered in time, or the file failed."""
        try:
            return self._get_or_claim(self._conn(), key)
        except sqlite3.Error as exc:
            log.debug("rankings file %s: %s", self.path, exc)
            return None

    def _get_or_claim(self, conn: sqlite3.Connection, key: str) -> Places | None:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            row = conn.execute("SELECT at, places FROM rankings WHERE key = ?", (key,)).fetchone()
            now = time.time()
            if row is None:
                if conn.execute("INSERT OR IGNORE INTO rankings VALUES (?, ?, NULL)", (key, now)).rowcount == 1:
                    return None  # claimed: this process ranks it
                continue  # another process claimed it first
            at, places = row
            if places is not None:
                return _decode(places)
            if now - at > WAIT_SECONDS:  # a claim nobody answered: take it over
                taken = conn.execute("UPDATE rankings SET at = ? WHERE key = ? AND places IS NULL AND at = ?",
                                     (now, key, at)).rowcount  # fmt: skip
                if taken == 1:
                    return None
                continue
            if time.monotonic() > deadline:
                return None  # rank it here as well
            time.sleep(POLL_SECONDS)

    def put(self, key: str, places: Places) -> None:
        """Keep the places ranked for ``key`` (answering its claim); deep rankings are not kept here."""
        try:
            conn = self._conn()
            if len(places[0]) > MAX_PLACES:
                conn.execute("DELETE FROM rankings WHERE key = ? AND places IS NULL", (key,))
                return
            conn.execute("INSERT OR REPLACE INTO rankings VALUES (?, ?, ?)", (key, time.time(), _encode(places)))
            with self._lock:
                self._writes += 1
                prune = self._writes % PRUNE_EVERY == 0
            if prune:
                conn.execute("DELETE FROM rankings WHERE at < ?", (time.time() - KEEP_SECONDS,))
                conn.execute("DELETE FROM rankings WHERE key IN (SELECT key FROM rankings ORDER BY at DESC "
                             "LIMIT -1 OFFSET ?)", (MAX_ROWS,))  # fmt: skip
        except sqlite3.Error as exc:
            log.debug("rankings file %s: %s", self.path, exc)

    def give_up(self, key: str) -> None:
        """This process's claim of ``key`` ends without places (its ranking failed): others stop waiting."""
        try:
            self._conn().execute("DELETE FROM rankings WHERE key = ? AND places IS NULL", (key,))
        except sqlite3.Error as exc:
            log.debug("rankings file %s: %s", self.path, exc)

    def clear(self) -> None:
        """Forget every kept ranking (tests: rank afresh)."""
        try:
            self._conn().execute("DELETE FROM rankings")
        except sqlite3.Error as exc:
            log.debug("rankings file %s: %s", self.path, exc)


def _encode(places: Places) -> str:
    ranked, total, exact = places
    return json.dumps([total, exact, [[pid, score, WHY.index(why)] for pid, score, why in ranked]])


def _decode(text: str) -> Places:
    """The places as they were put: JSON keeps a float exactly (its shortest repr)."""
    total, exact, ranked = json.loads(text)
    return [(pid, score, WHY[why]) for pid, score, why in ranked], total, exact


_opened: dict[Path, MachineRankings] = {}
_opened_lock = threading.Lock()


def machine_rankings(index_folder: Path) -> MachineRankings:
    """The rankings file of an index folder (``index.index_root``), one handle per process."""
    with _opened_lock:
        kept = _opened.get(index_folder)
        if kept is None:
            kept = _opened[index_folder] = MachineRankings(index_folder / "rankings.db")
        return kept
