"""For-you cost at scale: train and rank for 10,000 users over the 74,728-paper arXiv corpus.

    .venv/bin/python bench/recs_timing.py [--corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz]
        [--vectors /work/bench-data/arxiv75k-vectors.npy --ids /work/bench-data/arxiv75k-ids.txt]
        [--work DIR] [--users 10000] [--workers 2]

Set-up (not timed; kept in --work, so a second run skips it): import the corpus into SQLite; store a
vector for every paper in ``paper_vectors``: the real MiniLM vectors of --vectors/--ids when given (an
``.npy`` matrix, one id per line), else seeded random unit vectors (the timing is the same: the work does
not depend on the values); then 10,000 accounts with topic-coherent signals: each user picks one arXiv
category and upvotes 5-40 papers of it listed before the last week (Pareto-distributed counts), 30% also
downvote 1-5, 20% save 3-10 papers to a collection, 30% follow an author and 20% a category.

Timed, on the corpus's last day (2026-07-01): ``train_users(force=True)`` (every model from scratch: signals
for all users, one logistic regression each on ``--workers`` threads, models written to ``user_models``),
then ``rank_users`` for all 10,000 users at once (candidates of the last 7 days: scores, follow boosts,
exclusion of seen papers, MMR diversity, reasons naming the nearest upvoted paper). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from paperfeed.index.embed import DIM, MODEL_NAME  # noqa: E402
from paperfeed.ingest import import_items  # noqa: E402
from paperfeed.rank.recommend import rank_users, train_users  # noqa: E402
from paperfeed.settings import Settings  # noqa: E402
from paperfeed.sources import files  # noqa: E402
from paperfeed.store import Store  # noqa: E402
from paperfeed.store import vectors as store_vectors  # noqa: E402
from paperfeed.store.models import (  # noqa: E402
    collection_items,
    collections,
    follows,
    paper_authors,
    paper_categories,
    paper_vectors,
    papers,
    users,
    votes,
)

NOW = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def setup(store: Store, corpus: Path, vec_path: Path | None, ids_path: Path | None, n_users: int) -> dict:
    info: dict = {}
    with store.read() as conn:
        n_papers = conn.execute(select(func.count()).select_from(papers)).scalar_one()
        n_vectors = conn.execute(select(func.count()).select_from(paper_vectors)).scalar_one()
        n_accounts = conn.execute(select(func.count()).select_from(users)).scalar_one()
    if n_papers == 0:
        t = time.perf_counter()
        import_items(store, files.read(corpus))
        info["import_s"] = round(time.perf_counter() - t, 1)
    if n_vectors == 0:
        info["vectors"] = store_bench_vectors(store, vec_path, ids_path)
    if n_accounts == 0:
        _users(store, n_users, random.Random(0))
    with store.read() as conn:
        info["papers"] = conn.execute(select(func.count()).select_from(papers)).scalar_one()
        info["vectors_stored"] = conn.execute(select(func.count()).select_from(paper_vectors)).scalar_one()
        info["users"] = conn.execute(select(func.count()).select_from(users)).scalar_one()
        info["votes"] = conn.execute(select(func.count()).select_from(votes)).scalar_one()
        info["saved"] = conn.execute(select(func.count()).select_from(collection_items)).scalar_one()
        info["follows"] = conn.execute(select(func.count()).select_from(follows)).scalar_one()
    return info


def store_bench_vectors(store: Store, vec_path: Path | None, ids_path: Path | None) -> str:
    """A vector for every paper: the real ones of ``vec_path``/``ids_path`` when they exist, else random."""
    with store.read() as conn:
        all_ids = sorted(conn.execute(select(papers.c.id)).scalars())
    if vec_path and ids_path and vec_path.exists() and ids_path.exists():
        ids = ids_path.read_text().split()
        mat = np.load(vec_path).astype(np.float32)
        mat /= np.linalg.norm(mat, axis=1, keepdims=True) + 1e-12
        what = f"real MiniLM vectors from {vec_path.name}"
    else:
        ids = all_ids
        mat = np.random.default_rng(0).standard_normal((len(all_ids), DIM)).astype(np.float32)
        mat /= np.linalg.norm(mat, axis=1, keepdims=True)
        what = "random unit vectors (no real vectors given)"
    vecs = dict(zip(ids, mat, strict=True))
    rows = [(pid, "bench", np.asarray(vecs[pid], dtype="<f4").tobytes()) for pid in all_ids if pid in vecs]
    for i in range(0, len(rows), 5_000):
        with store.transaction() as conn:
            store_vectors.save_vectors(conn, MODEL_NAME, rows[i : i + 5_000], now=NOW)
    return what


def _users(store: Store, n: int, rng: random.Random) -> None:
    cutoff = (NOW - timedelta(days=7)).date()
    with store.read() as conn:
        by_cat: dict[str, list[str]] = {}
        q = (
            select(paper_categories.c.category, papers.c.id)
            .join(papers, papers.c.id == paper_categories.c.paper_id)
            .where(papers.c.announced_on < cutoff)
        )
        for cat, pid in conn.execute(q):
            by_cat.setdefault(cat, []).append(pid)
        authors = list(
            conn.execute(
                select(paper_authors.c.name).group_by(paper_authors.c.name).order_by(func.count().desc()).limit(2000)
            ).scalars()
        )
    cats = sorted((c for c, ids in by_cat.items() if len(ids) >= 200), key=lambda c: -len(by_cat[c]))
    weights = [len(by_cat[c]) for c in cats]
    now = NOW - timedelta(days=1)
    user_rows, vote_rows, coll_rows, item_rows, follow_rows = [], [], [], [], []
    for uid in range(1, n + 1):
        user_rows.append({"id": uid, "username": f"user{uid}", "password_hash": "x", "is_admin": False,
                          "banned": False, "session_epoch": 0, "created_at": now})  # fmt: skip
        cat = rng.choices(cats, weights)[0]
        n_up = min(40, 4 + int(rng.paretovariate(1.5) * 2))
        picked = rng.sample(by_cat[cat], n_up + 5)
        for k, pid in enumerate(picked[:n_up]):
            vote_rows.append({"user_id": uid, "paper_id": pid, "value": 1, "created_at": now - timedelta(hours=k)})
        if rng.random() < 0.3:
            for pid in rng.sample(by_cat[rng.choice(cats)], rng.randint(1, 5)):
                if pid not in picked:
                    vote_rows.append({"user_id": uid, "paper_id": pid, "value": -1, "created_at": now})
        if rng.random() < 0.2:
            coll_rows.append({"id": uid, "user_id": uid, "name": "Library", "description": "", "is_public": False,
                              "created_at": now})  # fmt: skip
            for pid in rng.sample(by_cat[cat], rng.randint(3, 10)):
                item_rows.append({"collection_id": uid, "paper_id": pid, "added_at": now})
        if rng.random() < 0.3:
            follow_rows.append({"user_id": uid, "kind": "author", "value": rng.choice(authors), "created_at": now})
        if rng.random() < 0.2:
            follow_rows.append({"user_id": uid, "kind": "category", "value": cat, "created_at": now})
    seen: set = set()
    vote_rows = [
        v
        for v in vote_rows
        if (v["user_id"], v["paper_id"]) not in seen and not seen.add((v["user_id"], v["paper_id"]))
    ]
    seen = set()
    item_rows = [r for r in item_rows if (r["collection_id"], r["paper_id"]) not in seen
                 and not seen.add((r["collection_id"], r["paper_id"]))]  # fmt: skip
    with store.transaction() as conn:
        conn.execute(users.insert(), user_rows)
        for i in range(0, len(vote_rows), 20_000):
            conn.execute(votes.insert(), vote_rows[i : i + 20_000])
        if coll_rows:
            conn.execute(collections.insert(), coll_rows)
            conn.execute(collection_items.insert(), item_rows)
        if follow_rows:
            conn.execute(follows.insert(), follow_rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz")
    ap.add_argument("--vectors", type=Path, default=Path("/work/bench-data/arxiv75k-vectors.npy"))
    ap.add_argument("--ids", type=Path, default=Path("/work/bench-data/arxiv75k-ids.txt"))
    ap.add_argument("--work", type=Path, help="keep the database here (default: a temporary folder)")
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.work is None:
        tmp = tempfile.TemporaryDirectory(prefix="pf-recs-")
        args.work = Path(tmp.name)
    args.work.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=args.work, database_url=f"sqlite:///{args.work / 'bench.db'}")
    store = Store.open(settings.db_url)
    info = setup(store, args.corpus, args.vectors, args.ids, args.users)
    with store.read() as conn:
        ids = sorted(conn.execute(select(users.c.id)).scalars())
    t = time.perf_counter()
    trained = train_users(store, settings, ids, force=True, workers=args.workers, now=NOW)
    train_s = time.perf_counter() - t
    t = time.perf_counter()
    ranked = rank_users(store, settings, ids, limit=30, now=NOW)
    rank_s = time.perf_counter() - t
    sizes = [len(r.items) for r in ranked.values()]
    explained = sum(1 for r in ranked.values() for _, _, why in r.items if why) / max(1, sum(sizes))
    print(json.dumps({
        **info, "trained": trained.trained, "train_s": round(train_s, 1),
        "train_phases_s": {k: round(v, 1) for k, v in trained.timings.items()}, "rank_s": round(rank_s, 1),
        "total_s": round(train_s + rank_s, 1), "per_user_ms": round(1000 * (train_s + rank_s) / len(ids), 2),
        "picks_per_user": round(float(np.mean(sizes)), 1), "picks_with_reasons": round(explained, 3),
        "candidates_window": f"{next(iter(ranked.values())).since}..{next(iter(ranked.values())).until}",
        "workers": args.workers,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
