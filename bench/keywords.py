"""Keyphrases: quality against Hugging Face's LLM-written ``ai_keywords``, and speed in papers per second.

    .venv/bin/python bench/keywords.py [--speed 2000]

Quality: the 30 papers of a recorded HF daily-papers response (tests/data/fixtures), each with HF's
``ai_keywords``. A phrase of ours matches an HF keyword when their word sets (lower-cased, plural "s"
dropped) overlap by half or more (Jaccard >= 0.5). Reported: precision (share of our phrases matching
some HF keyword), recall@ours (share of HF keywords matched by one of ours), title hit (papers where a
phrase of ours shares a content word with the title), per method:

- ``embedding``: the shipped extractor (candidates scored by the bundled MiniLM, MMR);
- ``frequency``: the same candidates by frequency only (what a paper without a vector could get);
- ``yake``: the YAKE library (statistical, no model), top 6.

Speed: ``--speed N`` papers of the arXiv 2025-2026 corpus, vectors embedded first (not timed), then the
shipped extractor timed on a cold phrase cache (papers/s), as the index job runs it (batches of 256).
Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
FIXTURE = ROOT / "tests" / "data" / "fixtures" / "hf-daily-papers-2026-06-12.json"
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"


def words(phrase: str) -> frozenset[str]:
    return frozenset(w.lower().rstrip("s") for w in phrase.replace("-", " ").split())


def matches(a: str, b: str) -> bool:
    x, y = words(a), words(b)
    return bool(x and y) and len(x & y) / len(x | y) >= 0.5


def score(ours: list[list[str]], gold: list[list[str]], titles: list[str]) -> dict:
    from paperfeed.index.keywords import stop_words

    stops = stop_words()
    pairs = list(zip(ours, gold, strict=True))
    prec = [sum(any(matches(o, g) for g in want) for o in got) / len(got) for got, want in pairs if got]
    rec = [sum(any(matches(o, g) for o in got) for g in want) / len(want) for got, want in pairs if want]
    title_hit = [
        bool(got) and bool(set().union(*(words(o) for o in got)) & {w for w in words(t) if w not in stops})
        for got, t in zip(ours, titles, strict=True)
    ]
    return {
        "precision": round(sum(prec) / len(ours), 3),
        "recall": round(sum(rec) / len(gold), 3),
        "title_hit": round(sum(title_hit) / len(titles), 3),
        "per_paper": round(sum(len(o) for o in ours) / len(ours), 1),
    }


def quality() -> None:
    from paperfeed.index.embed import DocEncoder
    from paperfeed.index.keywords import KeywordExtractor, candidates
    from paperfeed.index.text import embed_text

    items = [x["paper"] for x in json.loads(FIXTURE.read_text())]
    titles = [p["title"] for p in items]
    gold = [p["ai_keywords"] for p in items]
    enc = DocEncoder()
    docs = enc.encode([embed_text(p["title"], p["summary"]) for p in items])
    ex = KeywordExtractor(enc)
    t = time.perf_counter()
    ours = [
        [k for k, _ in kws]
        for kws in ex.extract_many(list(zip(titles, [p["summary"] for p in items], docs, strict=True)))
    ]
    secs = time.perf_counter() - t
    print(json.dumps({"method": "embedding", "papers": len(items), **score(ours, gold, titles), "s": round(secs, 2)}))
    for t_, o in list(zip(titles, ours, strict=True))[:5]:
        print(json.dumps({"title": t_[:70], "ours": o}), file=sys.stderr)
    freq = [candidates(p["title"], p["summary"])[:7] for p in items]
    print(json.dumps({"method": "frequency", "papers": len(items), **score(freq, gold, titles)}))
    try:
        import yake
    except ImportError:
        return
    kw = yake.KeywordExtractor(lan="en", n=3, top=8)
    t = time.perf_counter()
    yk = [[k for k, _ in kw.extract_keywords(f"{p['title']}. {p['summary']}")] for p in items]
    secs = time.perf_counter() - t
    rate = round(len(items) / secs, 1)
    print(json.dumps({"method": "yake", "papers": len(items), **score(yk, gold, titles), "papers_per_s": rate}))


def speed(n: int) -> None:
    import numpy as np

    from paperfeed.index.embed import DocEncoder
    from paperfeed.index.keywords import KeywordExtractor
    from paperfeed.index.text import embed_text

    rows = []
    with gzip.open(CORPUS, "rt") as f:
        for line in f:
            r = json.loads(line)
            rows.append((r["title"], r.get("summary") or ""))
            if len(rows) >= n:
                break
    enc = DocEncoder()
    docs = enc.encode([embed_text(t, a) for t, a in rows], batch_size=64)
    ex = KeywordExtractor(enc)
    t = time.perf_counter()
    total = 0
    for i in range(0, len(rows), 256):
        chunk = [(t_, a, v) for (t_, a), v in zip(rows[i : i + 256], docs[i : i + 256], strict=True)]
        total += sum(len(k) for k in ex.extract_many(chunk))
    secs = time.perf_counter() - t
    print(
        json.dumps(
            {
                "measure": "extract",
                "papers": len(rows),
                "seconds": round(secs, 1),
                "papers_per_s": round(len(rows) / secs, 1),
                "keywords_per_paper": round(total / len(rows), 2),
                "cached_phrases": len(ex._cache),
                "device": enc.description,
                "mean_vector_norm": round(float(np.linalg.norm(docs, axis=1).mean()), 3),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speed", type=int, default=0, help="also time extraction on N corpus papers")
    args = ap.parse_args()
    quality()
    if args.speed:
        speed(args.speed)


if __name__ == "__main__":
    main()
