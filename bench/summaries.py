"""One-line summaries: quality against Hugging Face's LLM-written ``ai_summary``, and cost per paper.

    .venv/bin/python bench/summaries.py [--tune] [--speed 1000 [--no-quality]]

Quality: every paper of ../shared/fixtures and ../shared/data that carries an HF ``ai_summary`` (the 30
papers of a recorded daily list and one paper page; the data files have none). Papers in id order are
split in two: even positions are the **tune** half (the method's weights were chosen on it, ``--tune``
prints that grid), odd positions the **test** half, reported apart. Metrics against HF's summary:

- ROUGE-L F1: longest common subsequence of lower-cased alphanumeric tokens (no stemming), F1 of its
  precision and recall (``rouge_l`` below, ROUGE-L "sentence level" as in Lin 2004);
- cosine: both texts embedded by the bundled MiniLM, cosine of the normalised vectors.

Methods: ``first`` (the abstract's first sentence, the baseline), ``first+compress`` (the same sentence
through the shipped compression), ``sentence-vectors`` (the sentence whose own MiniLM vector is closest to
the paper's, + the same cue and compression: one model call per sentence), ``shipped`` (index/summaries.py:
phrase-vector centrality + cue + compression), ``shipped-uncompressed``, and ``oracle-rouge`` (the best
sentence for ROUGE-L, uncompressed: the ceiling of picking one sentence).

Cost (``--speed N``): N papers of the arXiv 2025-2026 corpus, their vectors embedded first (timed, for
scale), then pages of 256 as the index job runs them: keywords, then the page's summaries (``warm``: the
phrase vectors are in the extractor's cache), and the summaries of the same papers by a fresh extractor
(``cold``: what a paper costs when its keywords were made earlier, e.g. after a method change).
Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared"
FIXTURES = [SHARED / "fixtures", ROOT / "tests" / "data" / "fixtures"]
CORPUS = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"

_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta 1) of two texts."""
    a, b = tokens(candidate), tokens(reference)
    n = lcs(a, b) if a and b else 0
    if not n:
        return 0.0
    p, r = n / len(a), n / len(b)
    return 2 * p * r / (p + r)


def hf_papers() -> list[dict]:
    """``{id, title, abstract, gold}`` of every paper with an HF ai_summary, in id order."""
    found: dict[str, dict] = {}

    def take(p: dict) -> None:
        if isinstance(p, dict) and p.get("ai_summary") and p.get("summary") and p.get("id"):
            found.setdefault(p["id"], {"id": p["id"], "title": p["title"], "abstract": p["summary"],
                                       "gold": p["ai_summary"]})  # fmt: skip

    folder = next((f for f in FIXTURES if f.is_dir()), None)
    for path in sorted(folder.glob("hf-*.json")) if folder else []:
        data = json.loads(path.read_text())
        for item in data if isinstance(data, list) else [data]:
            take(item.get("paper", item))
    for path in sorted((SHARED / "data").glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as f:
            for line in f:
                if "ai_summary" in line:
                    take(json.loads(line))
    return [found[k] for k in sorted(found)]


def splits(papers: list[dict]) -> dict[str, list[int]]:
    return {"tune": list(range(0, len(papers), 2)), "test": list(range(1, len(papers), 2))}


class Methods:
    def __init__(self, papers: list[dict]):
        from paperfeed.index.embed import DocEncoder
        from paperfeed.index.keywords import KeywordExtractor
        from paperfeed.index.summaries import Summarizer
        from paperfeed.index.text import embed_text

        self.papers = papers
        self.enc = DocEncoder()
        self.docs = self.enc.encode([embed_text(p["title"], p["abstract"]) for p in papers])
        self.gold = self.enc.encode([p["gold"] for p in papers])
        self.summarizer = Summarizer(KeywordExtractor(self.enc))
        self._vec: dict[str, np.ndarray] = {}

    def vector(self, text: str) -> np.ndarray:
        if text not in self._vec:
            self._vec[text] = self.enc.encode([text])[0]
        return self._vec[text]

    def sents(self, i: int) -> list[str]:
        from paperfeed.index.summaries import clean, sentences

        return sentences(clean(self.papers[i]["abstract"]))

    def run(self, name: str, i: int, cue: float | None = None) -> str:
        from paperfeed.index import summaries as S

        p, sents = self.papers[i], self.sents(i)
        if name == "first":
            return sents[0]
        if name == "first+compress":
            return S.compress(sents[0])
        if name == "oracle-rouge":
            return max(sents, key=lambda s: rouge_l(s, p["gold"]))
        if name == "sentence-vectors":
            sv = self.enc.encode(sents)
            score = sv @ self.docs[i] + S.CUE_WEIGHT * np.array([bool(S.CUE.search(s)) for s in sents])
            return S.compress(sents[int(np.argmax(score))])
        if name in ("shipped", "shipped-uncompressed"):
            old = S.CUE_WEIGHT, S.compress
            try:
                if cue is not None:
                    S.CUE_WEIGHT = cue
                if name == "shipped-uncompressed":
                    S.compress = lambda s: s
                return self.summarizer.summarize(p["title"], p["abstract"], self.docs[i])
            finally:
                S.CUE_WEIGHT, S.compress = old
        raise ValueError(name)

    def score(self, name: str, idx: list[int], cue: float | None = None) -> dict:
        outs = [self.run(name, i, cue) for i in idx]
        rl = [rouge_l(o, self.papers[i]["gold"]) for o, i in zip(outs, idx, strict=True)]
        cos = [float(self.vector(o) @ self.gold[i]) for o, i in zip(outs, idx, strict=True)]
        words = [len(o.split()) for o in outs]
        return {"rouge_l": rl, "cosine": cos, "words": float(np.mean(words)), "outputs": outs}


def quality(tune: bool) -> None:
    papers = hf_papers()
    m = Methods(papers)
    parts = splits(papers)
    if tune:
        for cue in (0.0, 0.05, 0.1, 0.15, 0.2):
            s = m.score("shipped", parts["tune"], cue)
            row = {"tune_cue_weight": cue, "rouge_l": round(np.mean(s["rouge_l"]), 4)}
            print(json.dumps(row | {"cosine": round(np.mean(s["cosine"]), 4)}))
    methods = ["first", "first+compress", "sentence-vectors", "shipped-uncompressed", "shipped", "oracle-rouge"]
    for part, idx in parts.items():
        base = m.score("first", idx)
        for name in methods:
            s = m.score(name, idx)
            wins = sum(a > b for a, b in zip(s["rouge_l"], base["rouge_l"], strict=True))
            cwins = sum(a > b for a, b in zip(s["cosine"], base["cosine"], strict=True))
            print(
                json.dumps(
                    {
                        "split": part,
                        "papers": len(idx),
                        "method": name,
                        "rouge_l": round(float(np.mean(s["rouge_l"])), 4),
                        "cosine": round(float(np.mean(s["cosine"])), 4),
                        "words": round(s["words"], 1),
                        "beats_first_rouge": f"{wins}/{len(idx)}",
                        "beats_first_cosine": f"{cwins}/{len(idx)}",
                    }
                )
            )
    test = m.score("shipped", parts["test"])
    for i, out in list(zip(parts["test"], test["outputs"], strict=True))[:5]:
        print(json.dumps({"id": papers[i]["id"], "ours": out, "hf": papers[i]["gold"]}), file=sys.stderr)


def speed(n: int) -> None:
    from paperfeed.index.embed import DocEncoder
    from paperfeed.index.keywords import KeywordExtractor
    from paperfeed.index.summaries import Summarizer
    from paperfeed.index.text import embed_text

    rows = []
    with gzip.open(CORPUS, "rt") as f:
        for line in f:
            r = json.loads(line)
            rows.append((r["title"], r.get("summary") or ""))
            if len(rows) >= n:
                break
    enc = DocEncoder()
    enc.encode(["warm up"])
    t = time.perf_counter()
    docs = enc.encode([embed_text(t_, a) for t_, a in rows])
    embed_s = time.perf_counter() - t
    ex = KeywordExtractor(enc)
    kw_s = warm_s = 0.0
    made = []
    for i in range(0, len(rows), 256):
        page = [(t_, a, v) for (t_, a), v in zip(rows[i : i + 256], docs[i : i + 256], strict=True)]
        t = time.perf_counter()
        ex.extract_many(page)
        kw_s += time.perf_counter() - t
        t = time.perf_counter()
        made += Summarizer(ex).summarize_many(page)
        warm_s += time.perf_counter() - t
    cold = Summarizer(KeywordExtractor(enc))
    t = time.perf_counter()
    for i in range(0, len(rows), 256):
        cold.summarize_many([(t_, a, v) for (t_, a), v in zip(rows[i : i + 256], docs[i : i + 256], strict=True)])
    cold_s = time.perf_counter() - t
    ms = lambda s: round(1000 * s / len(rows), 2)  # noqa: E731
    print(
        json.dumps(
            {
                "measure": "cost per paper (ms)",
                "papers": len(rows),
                "embed": ms(embed_s),
                "keywords": ms(kw_s),
                "summary_warm": ms(warm_s),
                "summary_cold": ms(cold_s),
                "added_to_embed_plus_keywords": f"{100 * warm_s / (embed_s + kw_s):.1f}%",
                "empty": sum(not s for s in made),
                "mean_words": round(float(np.mean([len(s.split()) for s in made if s])), 1),
                "device": enc.description,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tune", action="store_true", help="also print the cue-weight grid on the tune half")
    ap.add_argument("--speed", type=int, default=0, help="also time summaries on N corpus papers")
    ap.add_argument("--no-quality", action="store_true", help="only the timing")
    args = ap.parse_args()
    if not args.no_quality:
        quality(args.tune)
    if args.speed:
        speed(args.speed)


if __name__ == "__main__":
    main()
