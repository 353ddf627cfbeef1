"""Digest composition speed: 10,000 subscribers with mixed settings over the 74,728-paper arXiv corpus.

    .venv/bin/python bench/digest.py [--corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz] [--work DIR]
                                     [--subscribers 10000] [--db sqlite|postgresql]

Set-up (not timed; kept in --work, so a second run skips it): import the corpus, build the lexical search
index (no embeddings: alerts are searched lexically), add 300 accounts with 4,000 upvotes on papers of
the corpus's last week (the corpus has no votes, and trending ranks upvoted papers only), and the
subscribers, seeded, mixed: 70% daily / 30% weekly, 85% trending, 15% personal (linked to an account
with upvotes), 10% send-even-if-empty, 40% with 1-3 alerts (keywords 40%, search queries 15%, authors
25%, categories 20%) drawn from pools, so some alerts are shared and some unique.

With ``--vectors``/``--ids`` (set-up, once) every paper also gets a vector, so the personal digests are
ranked by the recommender (models trained during the run: none is stored before it).

Timed: ``compose_all`` for the corpus's last day (2026-07-01, 07:00 UTC) with both frequencies due, as on
a weekly day: trending once, each distinct alert searched once, bulk history, render, and the writes
(outbox rows + sent papers, one transaction per 500 digests). The outbox and history are emptied first,
so every run composes the same digests. Prints one JSON line; docs/benchmarks.md records it.
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

from sqlalchemy import delete, func, select, update

from paperfeed.ingest import import_items
from paperfeed.mail.compose import compose_all
from paperfeed.settings import Settings
from paperfeed.sources import files
from paperfeed.store import Store
from paperfeed.store.models import (
    alerts,
    outbox,
    paper_authors,
    paper_categories,
    papers,
    sent_papers,
    subscribers,
    user_models,
)
from paperfeed.store.models import users as users_table
from paperfeed.store.models import votes as votes_table

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
KEYWORDS = """diffusion transformer; large language model; reinforcement learning from human feedback; vision language
model; retrieval augmented generation; mixture of experts; graph neural network; federated learning; speculative
decoding; chain of thought; gaussian splatting; neural radiance field; knowledge distillation; contrastive learning;
in-context learning; instruction tuning; preference optimization; reward model; sparse autoencoder; mechanistic
interpretability; jailbreak; hallucination; tokenizer; state space model; mamba; low-rank adaptation; quantization;
pruning; video generation; text-to-image; image editing; 3d reconstruction; point cloud; autonomous driving;
embodied agent; robot manipulation; multi-agent; tool use; code generation; theorem proving; math reasoning;
benchmark; synthetic data; data curation; scaling law; long context; kv cache; attention sink; optimizer;
continual learning; domain adaptation; anomaly detection; time series forecasting; medical imaging; protein;
molecule generation; speech recognition; text-to-speech; machine translation; recommendation; fairness; privacy;
differential privacy; adversarial robustness; watermark; uncertainty estimation; calibration; active learning;
self-supervised learning; world model; planning; segmentation; object detection; depth estimation; optical flow;
pose estimation; remote sensing; weather forecasting; causal inference; bayesian optimization""".replace("\n", " ")
QUERIES = [
    '"diffusion model" -survey', "cat:cs.CL reasoning", "cat:cs.CV segmentation", "agent benchmark -survey",
    '"reward model" alignment', "cat:cs.LG optimizer", '"vision transformer" efficient', "cat:cs.RO manipulation",
    "language model evaluation -medical", '"graph neural network" cat:cs.LG', "quantization llm",
    '"reinforcement learning" robot', "hallucination detection", "cat:cs.AI planning", "tokenizer multilingual",
    '"video generation" consistency', "cat:cs.CV 3d", "speech language model", "code llm repair", "protein design",
]  # fmt: skip


def setup(store: Store, settings: Settings, corpus: Path, n_subs: int, rng: random.Random) -> dict:
    info: dict = {}
    with store.read() as conn:
        n_papers = conn.execute(select(func.count()).select_from(papers)).scalar_one()
    if n_papers == 0:
        t = time.perf_counter()
        res = import_items(store, files.read(corpus))
        info["import_s"] = round(time.perf_counter() - t, 1)
        info["imported"] = res.read
        from paperfeed.index.job import run

        t = time.perf_counter()
        run(store, settings, embed=False)
        info["lexical_index_s"] = round(time.perf_counter() - t, 1)
    with store.read() as conn:
        info["corpus_papers"] = conn.execute(select(func.count()).select_from(papers)).scalar_one()
        has_users = conn.execute(select(func.count()).select_from(users_table)).scalar_one()
        has_subs = conn.execute(select(func.count()).select_from(subscribers)).scalar_one()
        last_week = list(
            conn.execute(
                select(papers.c.id)
                .where(papers.c.announced_on >= (NOW - timedelta(days=7)).date())
                .order_by(papers.c.id)
            ).scalars()
        )
    if not has_users:
        now = datetime.now(UTC)
        hot = rng.sample(last_week, 400)
        with store.transaction() as conn:
            conn.execute(users_table.insert(), [
                {"username": f"user{i}", "email": f"user{i}@example.org", "password_hash": "x", "is_admin": False,
                 "banned": False, "session_epoch": 0, "created_at": now} for i in range(300)
            ])  # fmt: skip
            uids = list(conn.execute(select(users_table.c.id)).scalars())
            seen, rows = set(), []
            while len(rows) < 4000:
                uid, pid = rng.choice(uids), hot[min(int(rng.paretovariate(1.2)) - 1, len(hot) - 1)]
                if (uid, pid) not in seen:
                    seen.add((uid, pid))
                    rows.append({"user_id": uid, "paper_id": pid, "value": 1,
                                 "created_at": now - timedelta(minutes=len(rows))})  # fmt: skip
            conn.execute(votes_table.insert(), rows)
    if not has_subs:
        with store.read() as conn:
            authors = list(
                conn.execute(
                    select(paper_authors.c.name).group_by(paper_authors.c.name)
                    .order_by(func.count().desc()).limit(300)
                ).scalars()
            )  # fmt: skip
            cats = list(
                conn.execute(
                    select(paper_categories.c.category).group_by(paper_categories.c.category)
                    .order_by(func.count().desc()).limit(40)
                ).scalars()
            )  # fmt: skip
            uids = list(conn.execute(select(votes_table.c.user_id).distinct()).scalars())
        keywords = [k.strip() for k in KEYWORDS.split(";")]
        now = datetime.now(UTC)
        sub_rows, alert_rows = [], []
        for i in range(n_subs):
            personal = rng.random() < 0.15
            sub_rows.append({
                "id": i + 1, "email": f"reader{i}@example.org", "email_key": f"reader{i}@example.org",
                "user_id": rng.choice(uids) if personal else None, "status": "active",
                "frequency": "daily" if rng.random() < 0.7 else "weekly", "trending": rng.random() < 0.85,
                "personal": personal, "send_empty": rng.random() < 0.1, "token_version": 1, "bounce_count": 0,
                "created_at": now, "confirmed_at": now,
            })  # fmt: skip
            if rng.random() < 0.4:
                for _ in range(rng.randint(1, 3)):
                    r = rng.random()
                    kind, value = (
                        ("keyword", rng.choice(keywords)) if r < 0.4 else
                        ("query", rng.choice(QUERIES)) if r < 0.55 else
                        ("author", rng.choice(authors)) if r < 0.8 else
                        ("category", rng.choice(cats))
                    )  # fmt: skip
                    alert_rows.append({"subscriber_id": i + 1, "kind": kind, "value": value,
                                       "frequency": "daily" if rng.random() < 0.6 else "weekly",
                                       "created_at": now})  # fmt: skip
        seen_alert, unique_alerts = set(), []
        for a in alert_rows:
            if (a["subscriber_id"], a["kind"], a["value"]) not in seen_alert:
                seen_alert.add((a["subscriber_id"], a["kind"], a["value"]))
                unique_alerts.append(a)
        with store.transaction() as conn:
            conn.execute(subscribers.insert(), sub_rows)
            conn.execute(alerts.insert(), unique_alerts)
    with store.read() as conn:
        info["subscribers"] = conn.execute(select(func.count()).select_from(subscribers)).scalar_one()
        info["alerts"] = conn.execute(select(func.count()).select_from(alerts)).scalar_one()
        info["distinct_alerts"] = conn.execute(
            select(func.count()).select_from(select(alerts.c.kind, alerts.c.value).distinct().subquery())
        ).scalar_one()
    return info


def reset(store: Store) -> None:
    with store.transaction() as conn:
        conn.execute(delete(sent_papers))
        conn.execute(delete(outbox))
        conn.execute(delete(user_models))  # personal digests train their models in the timed run
        conn.execute(update(subscribers).values(last_digest_at=None))
        conn.execute(update(alerts).values(last_digest_at=None))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz")
    ap.add_argument("--work", type=Path, help="keep the database and index here (default: a temporary folder)")
    ap.add_argument("--subscribers", type=int, default=10_000)
    ap.add_argument("--db", default="sqlite", help="sqlite, or a postgresql+psycopg:// URL")
    ap.add_argument("--profile", action="store_true", help="print the top of a cProfile of the timed run")
    ap.add_argument("--vectors", type=Path, help="store these paper vectors (.npy, with --ids) so personal digests "
                    "use the recommender's models (bench/recs_timing.py)")  # fmt: skip
    ap.add_argument("--ids", type=Path, help="the paper id of each row of --vectors, one per line")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    tmp = None
    if args.work is None:
        tmp = tempfile.TemporaryDirectory()
        args.work = Path(tmp.name)
    args.work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{args.work / 'bench.db'}" if args.db == "sqlite" else args.db
    settings = Settings(data_dir=args.work, database_url=url, base_url="https://papers.example.org")
    store = Store.open(url)
    info = setup(store, settings, args.corpus, args.subscribers, random.Random(20260701))
    if args.vectors:
        from recs_timing import store_bench_vectors

        from paperfeed.store.models import paper_vectors

        with store.read() as conn:
            if not conn.execute(select(func.count()).select_from(paper_vectors)).scalar_one():
                info["vectors"] = store_bench_vectors(store, args.vectors, args.ids)
    reset(store)
    # a warm process, as in the scheduler: the search index is open before the run
    from paperfeed.rank.search import search

    search(store, settings, "warm up", limit=1)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    t = time.perf_counter()
    report = compose_all(store, settings, now=NOW, frequencies=("daily", "weekly"))
    seconds = time.perf_counter() - t
    if args.profile:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    with store.read() as conn:
        queued = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
        sent = conn.execute(select(func.count()).select_from(sent_papers)).scalar_one()
    store.close()
    print(json.dumps({
        "db": store.dialect, **info, "compose_s": round(seconds, 2), "queued": report.queued, "outbox_rows": queued,
        "sent_paper_rows": sent, "due": report.due, "skipped_empty": report.empty, "papers": report.papers,
        "alert_searches": report.alert_queries, "phases_s": {k: round(v, 2) for k, v in report.timings.items()},
    }), flush=True)  # fmt: skip
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
