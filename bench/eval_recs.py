"""For-you quality on the real HF 2024 papers: simulated users, recall@10 and nDCG@10 of held-out positives.

    .venv/bin/python bench/eval_recs.py [--data ../shared/data/hf-daily-papers-2024.jsonl.gz]
                                        [--cache /tmp/paperfeed-eval-recs] [--weeks 4] [--seed 0]

Papers: the 2,836 HF daily papers of 2024, dated by their first listed day, embedded once with the
bundled model (or ``PAPERFEED_EMBED_MODEL``'s) through the product's own code (``index.embed.DocEncoder``
over ``index.text.embed_text``); the vectors are cached in --cache.

Users (topic-coherent, as the issue asks), two kinds:
- author users: every author with at least 6 papers; the user's positives are that author's papers;
- keyword users: papers clustered by their words (TF-IDF of title + abstract, k-means, 80 clusters, not
  the embeddings, so the users are not defined by the space the model ranks in); a user is 12 random
  papers of one cluster of at least 20.

Protocol, per user: positives sorted by day; the cut is the day of the positive at 60% (at least 3
positives before it). Training: the positives before the cut. Test: the papers listed in the ``--weeks``
weeks from the cut are the candidates (all of them, about 40 a day on HF), and the user's positives
among them are the held-out relevant set (users without one are skipped). Every method ranks the same
candidates; recall@10 and nDCG@10 (binary gains, ``../shared/tools/ir_metrics.py``) are averaged over
users. Methods:
- random: a seeded shuffle (mean of 20 shuffles);
- trending: HF upvotes (a snapshot taken after the fact: an upper bound for trending);
- similar-to-last: cosine to the most recent training positive;
- shipped: ``rank.usermodel.fit`` (logistic regression, the product's recipe: 100 random negatives from
  the 90 days before the cut) then ``rank.recommend._mmr`` (diversity 0.3), as ``for_you`` ranks;
- shipped-no-mmr: the same model without the diversity step.
Prints one JSON line per user kind and one for all users; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from paperfeed.index.text import embed_text  # noqa: E402
from paperfeed.rank import usermodel  # noqa: E402
from paperfeed.rank.recommend import _mmr  # noqa: E402

K = 10
POOL_DAYS = 90


def load(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    for r in rows:
        r["day"] = date.fromisoformat(min(r["listed_dates"]))
    return sorted(rows, key=lambda r: (r["day"], r["id"]))


def vectors(rows: list[dict], cache: Path) -> np.ndarray:
    from paperfeed.index.embed import MODEL_NAME, DocEncoder, model_key
    from paperfeed.settings import Settings

    model = Settings().embed_model  # PAPERFEED_EMBED_MODEL: another model folder (docs/settings.md)
    texts = [embed_text(r["title"], r["abstract"]) for r in rows]
    key = hashlib.sha1("\x1e".join(texts).encode()).hexdigest()[:16]
    name = "" if model_key(model) == MODEL_NAME else f"-{model_key(model)}"
    path = cache / f"hf2024-{key}{name}.npy"
    if path.exists():
        return np.load(path)
    enc = DocEncoder(model=model)
    print(f"embedding {len(texts)} papers with {enc.description} (cached in {path})", file=sys.stderr)
    vecs = enc.encode(texts, batch_size=32)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def author_users(rows: list[dict], min_papers: int = 6) -> list[tuple[str, list[int]]]:
    by_author: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        for a in r["authors"]:
            by_author[a].append(i)
    return [(f"author:{a}", ids) for a, ids in sorted(by_author.items()) if len(ids) >= min_papers]


def keyword_users(rows: list[dict], rng: random.Random, k: int = 80, size: int = 12) -> list[tuple[str, list[int]]]:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(stop_words="english", min_df=3, max_df=0.3, sublinear_tf=True)
    x = tfidf.fit_transform([f"{r['title']} {r['abstract']}" for r in rows])
    labels = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(x)
    out = []
    for c in range(k):
        members = [i for i in range(len(rows)) if labels[i] == c]
        if len(members) >= 20:
            out.append((f"cluster:{c}", sorted(rng.sample(members, size))))
    return out


def ndcg(ranked: list[int], relevant: set[int], k: int = K) -> float:
    dcg = sum(1 / np.log2(i + 2) for i, p in enumerate(ranked[:k]) if p in relevant)
    ideal = sum(1 / np.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall(ranked: list[int], relevant: set[int], k: int = K) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant)


def split(rows, positives: list[int], weeks: int):
    pos = sorted(positives, key=lambda i: (rows[i]["day"], i))
    cut_at = max(3, int(len(pos) * 0.6))
    if cut_at >= len(pos):
        return None
    cut = rows[pos[cut_at]]["day"]
    train = [i for i in pos if rows[i]["day"] < cut]
    end = cut + timedelta(weeks=weeks)
    cands = [i for i, r in enumerate(rows) if cut <= r["day"] < end]
    test = {i for i in pos if cut <= rows[i]["day"] < end}
    if len(train) < 3 or not test:
        return None
    return cut, train, cands, test


def evaluate(rows, vecs, users, weeks: int, seed: int) -> dict:
    scores: dict[str, list[tuple[float, float]]] = defaultdict(list)
    days = np.array([r["day"].toordinal() for r in rows])
    upvotes = np.array([r["upvotes"] or 0 for r in rows], dtype=float)
    has = np.ones(len(rows), dtype=bool)
    n_users = 0
    for name, positives in users:
        s = split(rows, positives, weeks)
        if s is None:
            continue
        cut, train, cands, test = s
        n_users += 1
        c = np.asarray(cands)
        cv = vecs[c]

        def add(method: str, order, c=c, test=test) -> None:
            ranked = [int(c[j]) for j in order]
            scores[method].append((recall(ranked, test), ndcg(ranked, test)))

        rs = [(recall(r, test), ndcg(r, test)) for r in _shuffles(cands, seed, name)]
        scores["random"].append(tuple(np.mean(rs, axis=0)))
        add("trending", np.argsort(-upvotes[c], kind="stable"))
        last = max(train, key=lambda i: (rows[i]["day"], i))
        add("similar-to-last", np.argsort(-(cv @ vecs[last]), kind="stable"))
        in_pool = np.flatnonzero((days < cut.toordinal()) & (days >= cut.toordinal() - POOL_DAYS))
        pool_ids = [str(i) for i in in_pool]
        rand = usermodel.random_negatives(pool_ids, vecs[in_pool], {str(i) for i in train}, 100, name)
        w = usermodel.fit(usermodel.TrainingSet(vecs[train], vecs[:0], rand))
        model_scores = cv @ w[:-1]
        add("shipped-no-mmr", np.argsort(-model_scores, kind="stable"))
        add("shipped", _mmr(model_scores, cv, has[: len(c)], K, 0.3))
    out = {"users": n_users}
    for method, vals in scores.items():
        arr = np.asarray(vals)
        out[method] = {"recall@10": round(float(arr[:, 0].mean()), 4), "ndcg@10": round(float(arr[:, 1].mean()), 4)}
    return out


def _shuffles(cands: list[int], seed: int, name: str, n: int = 20):
    rng = random.Random(f"{seed}:{name}")
    for _ in range(n):
        r = list(cands)
        rng.shuffle(r)
        yield r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/hf-daily-papers-2024.jsonl.gz")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/paperfeed-eval-recs"))
    ap.add_argument("--weeks", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows = load(args.data)
    vecs = vectors(rows, args.cache)
    rng = random.Random(args.seed)
    groups = {"author": author_users(rows), "keyword": keyword_users(rows, rng)}
    groups["all"] = groups["author"] + groups["keyword"]
    for kind, users in groups.items():
        print(json.dumps({"users_kind": kind, "papers": len(rows), "weeks": args.weeks,
                          **evaluate(rows, vecs, users, args.weeks, args.seed)}))  # fmt: skip


if __name__ == "__main__":
    main()
