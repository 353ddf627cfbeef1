"""This machine's search indexes following the database: ``follow(store, settings)``.

Vectors are embedded once, by whichever machine runs the index job (``paperfeed index``, or the
scheduler's ingest job on one machine: scheduler.py), and stored in the database; the lexical index and
the HNSW graph are files on each machine. The scheduler of every ``paperfeed serve`` calls ``follow``
every ``index_follow_seconds``: the lexical index takes in the papers changed since its watermark, the
graph the vectors stored since its own (the graph is locked a page at a time, so searches go on), and the
graph is saved when it changed, for the machine's other serving processes to load. Nothing is embedded.
Papers deleted from the database leave the lexical index when it holds more documents than the database
has visible papers. A machine that runs the index job itself skips the turn (the job's lock).

A new machine starts from a snapshot of another's indexes (``snapshot.py``) and follows from there;
without one, its first turns build everything, while searches answer from what is built so far.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..errors import PaperfeedError
from ..settings import Settings
from ..store import Store
from ..store import papers as store_papers
from . import engine

log = logging.getLogger(__name__)


@dataclass
class Followed:
    lexical: int = 0  # papers (re)indexed
    removed: int = 0  # documents of deleted papers dropped
    vectors: int = 0  # vectors added to the graph
    skipped: bool = False  # the index job holds this machine's indexes


def follow(store: Store, settings: Settings) -> Followed:
    """Bring this machine's indexes up to date with the database (see the module's docstring)."""
    from .job import job_lock

    done = Followed()
    try:
        with job_lock(settings):
            eng = engine(settings)
            done.lexical = max(0, eng.lexical.sync(store))
            with store.read() as conn:
                visible = store_papers.count_visible(conn)
            if eng.lexical.num_docs > visible:
                done.removed = eng.lexical.reconcile(store)
            if eng.vectors.changed_on_disk():
                eng.vectors.load()
            done.vectors = eng.vectors.sync(store)
            if done.vectors:
                eng.vectors.save()
    except PaperfeedError:  # `paperfeed index` runs here: it brings the indexes up to date itself
        done.skipped = True
    if done.lexical or done.removed or done.vectors:
        log.info("indexes: %s papers, %s vectors added, %s removed", done.lexical, done.vectors, done.removed)
    return done
