"""``paperfeed index [--rebuild]``: bring every search index up to date with the store.

Runs in the background (cron, the scheduler, or by hand), never inside an import:

1. lexical: index the papers changed since the watermark (``--rebuild``: all of them), drop deleted ones;
2. embed: every visible paper without a vector for the model (or whose text changed) is embedded and
   stored in ``paper_vectors``, one committed batch at a time (setting ``index_batch``), so an interrupted
   job resumes where it stopped; on a GPU when torch sees one. ``--rebuild`` keeps the stored vectors (they
   are the durable copy); ``--reembed`` computes them all again;
3. vectors: add the new vectors to the HNSW graph (``--rebuild``: rebuild it from the database) and save;
4. keywords: every embedded paper without keyphrases gets 3-8 (``index/keywords.py``, scored against its
   vector; a paper whose text changed lost its keywords with its old vector), committed per batch;
5. sentences (setting ``index_sentences``): every paper whose sentences are missing or stale (text or
   labelling rules changed) gets its title and abstract sentences labelled with their facet and
   embedded (``index/sentences.py``, for faceted similar papers), committed per batch;
6. summaries: every embedded paper without a summary for its current vector gets one sentence
   (``index/summaries.py``), made on each keyword page right after its keywords, while the extractor still
   caches the page's phrase vectors (no model call), then for any paper left (committed per page);
7. similar (when the caller gives a ranker: ``paperfeed index`` and the scheduler give ``rank.similar``'s
   ``ListRanker``): every embedded paper whose stored similar list is missing or out of date is ranked and
   stored (``store/similar_lists.py``), committed per batch; a paper ranked for the first time, or whose
   vector changed, marks the lists of its nearest papers stale (it may belong in them), and the same run
   ranks those again.

One job at a time per index folder (a lock file); a second one exits with a clear message.
"""

from __future__ import annotations

import fcntl
import functools
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from ..errors import PaperfeedError
from ..settings import Settings
from ..store import Store
from ..store import keywords as store_keywords
from ..store import sentences as store_sentences
from ..store import similar_lists as store_lists
from ..store import summaries as store_summaries
from ..store import vectors as store_vectors
from . import engine, forget, index_root
from .embed import model_key
from .summaries import METHOD as SUMMARY_METHOD
from .text import embed_text, text_hash

Progress = Callable[[str, int, int | None], None]  # (stage, advance, total or None)


@dataclass
class IndexReport:
    lexical: int = 0
    removed: int = 0
    embedded: int = 0
    vectors: int = 0
    keywords: int = 0
    sentences: int = 0  # papers whose sentences were labelled and embedded
    sentence_count: int = 0  # the sentences embedded for them
    summaries: int = 0  # papers given a one-sentence summary
    similar: int = 0  # similar lists ranked and stored (new papers' and those they may belong in)
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
    sentences: bool | None = None,
    summaries: bool | None = None,
    progress: Progress | None = None,
    encoder=None,
    similar=None,
) -> IndexReport:
    """The steps above; ``embed=False`` keeps to the lexical index and the graph, ``keywords=False`` skips
    keyphrases (the search benchmarks, which do not read them), ``sentences`` (default: the setting
    ``index_sentences``) the sentence step, ``summaries`` (default: as ``keywords``) the summaries.
    ``similar``: what ranks the stored similar lists (``rank.similar.ListRanker``: rank is a layer above
    this one, so the caller hands it in); None skips the step (pages then rank a missing list themselves)."""
    report = IndexReport()
    model = model_key(settings.embed_model)
    summaries = keywords if summaries is None else summaries
    tick = progress or (lambda stage, n, total: None)

    @functools.cache
    def doc_encoder():
        """The document encoder, loaded on first use and shared by the embedding and keyword steps."""
        if encoder is not None:
            return encoder
        from .embed import DocEncoder

        return DocEncoder(
            precision=settings.embed_precision, max_tokens=settings.embed_max_tokens, model=settings.embed_model
        )

    @functools.cache
    def phrases():
        """The keyphrase extractor and its cache of phrase vectors, shared by the keyword and summary steps."""
        from .keywords import KeywordExtractor

        return KeywordExtractor(doc_encoder())

    def summarize(ids: list[str] | None = None) -> None:
        t = time.perf_counter()
        if "summaries" not in report.seconds:  # the first call shows the bar with its total
            with store.read() as conn:
                tick("summaries", 0, store_summaries.count_to_summarize(conn, model, SUMMARY_METHOD))
        report.summaries += _summaries(store, model, tick=tick, extractor=phrases, ids=ids)
        report.seconds["summaries"] = report.seconds.get("summaries", 0.0) + time.perf_counter() - t

    with job_lock(settings):
        if rebuild:
            forget(settings)
        eng = engine(settings)

        t = time.perf_counter()
        total = None  # a sync reads only what changed: how many is not known ahead
        if rebuild:
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
            then = summarize if summaries else None  # each page's summaries while its phrase vectors are cached
            report.keywords = _keywords(store, settings, tick=tick, extractor=phrases, then=then)
            report.seconds["keywords"] = time.perf_counter() - t - report.seconds.get("summaries", 0.0)

        if embed and (settings.index_sentences if sentences is None else sentences):
            t = time.perf_counter()
            report.sentences, report.sentence_count = _sentences(
                store, settings, rebuild=reembed, tick=tick, encoder=doc_encoder
            )
            report.seconds["sentences"] = time.perf_counter() - t

        if embed and summaries:
            summarize()  # papers that kept their keywords: a new method, shipped keywords, an interrupted run

        if similar is not None:
            t = time.perf_counter()
            report.similar = _similar(store, settings, tick=tick, ranker=similar)
            report.seconds["similar"] = time.perf_counter() - t
    return report


def _similar(store: Store, settings: Settings, *, tick: Progress, ranker) -> int:
    """Rank and store the similar list of every embedded paper whose list is missing or out of date, one
    committed batch at a time (resumable). A new paper's nearest papers ranked before this run get their
    lists marked stale in the same transaction; a second pass ranks those the first one had passed by."""
    model = model_key(settings.embed_model)
    started = datetime.now(UTC)
    with store.read() as conn:
        tick("similar", 0, store_lists.count_to_rank(conn, model, ranker.method))
    done = 0
    batch = settings.index_batch or 256
    for _ in range(3):  # stale marks only come from new papers, so the second pass leaves none
        after, this_pass = "", 0
        while True:
            with store.read() as conn:
                page = store_lists.next_to_rank(conn, model, ranker.method, after=after, page=batch)
            if not page:
                break
            hashes = {p.paper_id: p.text_hash for p in page}
            new = {p.paper_id for p in page if p.new}
            ranked = ranker.rank(list(hashes))
            with store.transaction() as wconn:
                store_lists.save(wconn, [(pid, hashes[pid], items) for pid, items, _ in ranked],
                                 model=model, method=ranker.method)  # fmt: skip
                near = {n for pid, _, neighbours in ranked if pid in new for n in neighbours}
                store_lists.mark_stale(wconn, near - set(hashes), before=started)
            this_pass += len(page)
            tick("similar", len(page), None)
            after = page[-1].paper_id
        done += this_pass
        if this_pass == 0:
            break
    return done


def _embed(store: Store, settings: Settings, *, rebuild: bool, tick: Progress, encoder: Callable) -> tuple[int, str]:
    model = model_key(settings.embed_model)
    with store.read() as conn:
        todo_total = store_vectors.count_papers(conn) if rebuild else store_vectors.count_to_embed(conn, model)
    tick("embed", 0, todo_total)
    done = 0
    device = ""
    batch = settings.index_batch or max(settings.embed_batch_size * 8, 256)  # papers per committed batch
    digest = functools.partial(text_hash, tokens=settings.embed_max_tokens)
    after: str | None = ""
    while after is not None:
        with store.read() as conn:
            page, after = store_vectors.next_to_embed(conn, model, digest, after=after, rebuild=rebuild)
        for i in range(0, len(page), batch):
            chunk = page[i : i + batch]
            device = getattr(encoder(), "description", model)
            texts = [embed_text(p.title, p.abstract) for p in chunk]
            vecs = encoder().encode(texts, batch_size=settings.embed_batch_size)
            rows = [
                (p.id, digest(p.title, p.abstract), np.asarray(v, dtype="<f4").tobytes())
                for p, v in zip(chunk, vecs, strict=True)
            ]
            with store.transaction() as wconn:
                store_vectors.save_vectors(wconn, model, rows)
                store_keywords.forget(wconn, [r[0] for r in rows])  # scored against the old vector
            done += len(chunk)
            tick("embed", len(chunk), None)
    return done, device


def _keywords(
    store: Store,
    settings: Settings,
    *,
    tick: Progress,
    extractor: Callable,
    then: Callable[[list[str]], None] | None = None,
) -> int:
    """Extract keyphrases for embedded papers that have none, one committed page at a time (resumable);
    ``then`` gets each page's paper ids once their keywords are stored."""
    model = model_key(settings.embed_model)
    with store.read() as conn:
        tick("keywords", 0, store_keywords.count_to_extract(conn, model))
    done, after = 0, ""
    while True:
        with store.read() as conn:
            page = store_keywords.next_to_extract(conn, model, after=after, page=settings.index_batch or 256)
        if not page:
            return done
        found = extractor().extract_many([(p.title, p.abstract, np.frombuffer(p.vector, dtype="<f4")) for p in page])
        with store.transaction() as wconn:
            store_keywords.save_keywords(wconn, [(p.id, kws) for p, kws in zip(page, found, strict=True)])
        if then is not None:
            then([p.id for p in page])
        done += len(page)
        after = page[-1].id
        tick("keywords", len(page), None)


def _sentences(
    store: Store, settings: Settings, *, rebuild: bool, tick: Progress, encoder: Callable
) -> tuple[int, int]:
    """Label and embed the sentences of papers whose stored sentences are missing or stale, one committed
    batch at a time (resumable); returns ``(papers, sentences)``."""
    model = model_key(settings.embed_model)
    from . import sentences as S

    with store.read() as conn:
        tick("sentences", 0, store_sentences.count_to_embed(conn, model))
    done = count = 0
    batch = settings.index_batch or max(settings.embed_batch_size * 4, 128)  # papers per commit (~9 sentences each)
    after: str | None = ""
    while after is not None:
        with store.read() as conn:
            page, after = store_sentences.next_to_embed(conn, model, S.sentences_hash, after=after, rebuild=rebuild)
        for i in range(0, len(page), batch):
            chunk = page[i : i + batch]
            split = [S.labelled(p.title, p.abstract) for p in chunk]
            texts = [s for sents, _ in split for s in sents]
            # as many sentences a model call as papers a call: 4x as many ran 1.4x slower on an fp32 CPU and
            # 4 % faster on a bf16 one (docs/benchmarks.md, issue 14)
            vecs = encoder().encode(texts, batch_size=settings.embed_batch_size) if texts else np.zeros((0, 0))
            rows, at = [], 0
            for p, (sents, labels) in zip(chunk, split, strict=True):
                blob = S.pack(vecs[at : at + len(sents)]) if sents else b""  # stored even empty: not redone
                rows.append((p.id, S.sentences_hash(p.title, p.abstract), S.letters(labels), blob))
                at += len(sents)
            with store.transaction() as wconn:
                store_sentences.save(wconn, model, rows)
            done += len(chunk)
            count += len(texts)
            tick("sentences", len(chunk), None)
    return done, count


def _summaries(store: Store, model: str, *, tick: Progress, extractor: Callable, ids: list[str] | None = None) -> int:
    """One-sentence summaries for embedded papers whose summary is missing or stale: those of ``ids``, or
    all of them one committed page at a time (resumable); returns how many were made."""
    from .summaries import Summarizer

    done, after = 0, ""
    while True:
        with store.read() as conn:
            page = store_summaries.next_to_summarize(conn, model, SUMMARY_METHOD, after=after, ids=ids)
        if not page:
            return done
        made = Summarizer(extractor()).summarize_many(
            [(p.title, p.abstract, np.frombuffer(p.vector, dtype="<f4")) for p in page]
        )
        with store.transaction() as wconn:
            store_summaries.save_summaries(
                wconn, [(p.id, p.text_hash, m) for p, m in zip(page, made, strict=True)], SUMMARY_METHOD
            )
        done += len(page)
        tick("summaries", len(page), None)
        if ids is not None:
            return done
        after = page[-1].id
