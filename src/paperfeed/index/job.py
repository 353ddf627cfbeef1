"""``paperfeed index [--rebuild]``: bring every search index up to date with the store.

Runs in the background (cron, the scheduler, or by hand), never inside an import:

1. lexical: index the papers changed since the watermark (``--rebuild``: all of them), drop deleted ones;
2. embed: every visible paper without a vector for the model (or whose text changed) is embedded and
   stored in ``paper_vectors``, one committed batch at a time, so an interrupted job resumes where it
   stopped; on a GPU when torch sees one. ``--rebuild`` keeps the stored vectors (they are the durable
   copy); ``--reembed`` computes them all again;
3. vectors: add the new vectors to the HNSW graph (``--rebuild``: rebuild it from the database) and save;
4. keywords: every embedded paper without keyphrases gets 3-8 (``index/keywords.py``, scored against its
   vector; a paper whose text changed lost its keywords with its old vector), committed per batch.

One job at a time per index folder (a lock file); a second one exits with a clear message.
"""

from __future__ import annotations

import fcntl
import functools
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ..errors import PaperfeedError
from ..settings import Settings
from ..store import Store
from ..store import keywords as store_keywords
from ..store import vectors as store_vectors
from . import engine, forget, index_root
from .embed import MODEL_NAME
from .text import embed_text, text_hash

Progress = Callable[[str, int, int | None], None]  # (stage, advance, total or None)


@dataclass
class IndexReport:
    lexical: int = 0
    removed: int = 0
    embedded: int = 0
    vectors: int = 0
    keywords: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    device: str = ""

    @property
    def embed_rate(self) -> float:
        s = self.seconds.get("embed", 0.0)
        return self.embedded / s if s else 0.0


@contextmanager
def job_lock(settings: Settings):
    root = index_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "job.lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PaperfeedError(f"another `paperfeed index` is running on {root}") from None
        yield


def run(
    store: Store,
    settings: Settings,
    *,
    rebuild: bool = False,
    reembed: bool = False,
    embed: bool = True,
    keywords: bool = True,
    progress: Progress | None = None,
    encoder=None,
) -> IndexReport:
    """The steps above; ``embed=False`` keeps to the lexical index and the graph, ``keywords=False`` skips
    keyphrases (the search benchmarks, which do not read them)."""
    report = IndexReport()
    tick = progress or (lambda stage, n, total: None)

    @functools.cache
    def doc_encoder():
        """The document encoder, loaded on first use and shared by the embedding and keyword steps."""
        if encoder is not None:
            return encoder
        from .embed import DocEncoder

        return DocEncoder(precision=settings.embed_precision)

    with job_lock(settings):
        if rebuild:
            forget(settings)
        eng = engine(settings)

        t = time.perf_counter()
        with store.read() as conn:
            total = store_vectors.count_papers(conn)
        tick("lexical", 0, total)
        if rebuild:
            report.lexical = eng.lexical.rebuild(store, progress=lambda n: tick("lexical", n, None))
        else:
            report.lexical = max(0, eng.lexical.sync(store, progress=lambda n: tick("lexical", n, None)))
            report.removed = eng.lexical.reconcile(store)
        report.seconds["lexical"] = time.perf_counter() - t

        if embed:
            t = time.perf_counter()
            report.embedded, report.device = _embed(store, settings, rebuild=reembed, tick=tick, encoder=doc_encoder)
            report.seconds["embed"] = time.perf_counter() - t

        t = time.perf_counter()
        tick("vectors", 0, None)
        if rebuild or eng.vectors.changed_on_disk() and not eng.vectors.load():
            report.vectors = eng.vectors.rebuild(store, progress=lambda n: tick("vectors", n, None))
        else:
            report.vectors = eng.vectors.sync(store, progress=lambda n: tick("vectors", n, None))
            eng.vectors.save()
        report.seconds["vectors"] = time.perf_counter() - t

        if embed and keywords:
            t = time.perf_counter()
            report.keywords = _keywords(store, settings, tick=tick, encoder=doc_encoder)
            report.seconds["keywords"] = time.perf_counter() - t
    return report


def _embed(store: Store, settings: Settings, *, rebuild: bool, tick: Progress, encoder: Callable) -> tuple[int, str]:
    with store.read() as conn:
        todo_total = store_vectors.count_papers(conn) if rebuild else store_vectors.count_to_embed(conn, MODEL_NAME)
    tick("embed", 0, todo_total)
    done = 0
    device = ""
    batch = max(settings.embed_batch_size * 8, 256)  # papers per committed batch
    after: str | None = ""
    while after is not None:
        with store.read() as conn:
            page, after = store_vectors.next_to_embed(conn, MODEL_NAME, text_hash, after=after, rebuild=rebuild)
        for i in range(0, len(page), batch):
            chunk = page[i : i + batch]
            device = getattr(encoder(), "description", MODEL_NAME)
            texts = [embed_text(p.title, p.abstract) for p in chunk]
            vecs = encoder().encode(texts, batch_size=settings.embed_batch_size)
            rows = [
                (p.id, text_hash(p.title, p.abstract), np.asarray(v, dtype="<f4").tobytes())
                for p, v in zip(chunk, vecs, strict=True)
            ]
            with store.transaction() as wconn:
                store_vectors.save_vectors(wconn, MODEL_NAME, rows)
                store_keywords.forget(wconn, [r[0] for r in rows])  # scored against the old vector
            done += len(chunk)
            tick("embed", len(chunk), None)
    return done, device


def _keywords(store: Store, settings: Settings, *, tick: Progress, encoder: Callable) -> int:
    """Extract keyphrases for embedded papers that have none, one committed page at a time (resumable)."""
    from .keywords import KeywordExtractor

    with store.read() as conn:
        tick("keywords", 0, store_keywords.count_to_extract(conn, MODEL_NAME))
    extractor = None
    done, after = 0, ""
    while True:
        with store.read() as conn:
            page = store_keywords.next_to_extract(conn, MODEL_NAME, after=after, page=256)
        if not page:
            return done
        if extractor is None:
            extractor = KeywordExtractor(encoder())
        found = extractor.extract_many([(p.title, p.abstract, np.frombuffer(p.vector, dtype="<f4")) for p in page])
        with store.transaction() as wconn:
            store_keywords.save_keywords(wconn, [(p.id, kws) for p, kws in zip(page, found, strict=True)])
        done += len(page)
        after = page[-1].id
        tick("keywords", len(page), None)
