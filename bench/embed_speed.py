"""Document embedding speed of the index job's encoder, by token budget and precision, side by side.

    .venv/bin/python bench/embed_speed.py [--papers 512] [--tokens 256 128] [--precision bf16 fp32]

Takes every 37th paper of the arXiv 2025-2026 corpus (title + abstract as the job embeds them), warms the
model up, then times ``DocEncoder.encode`` (the job's call, batches of 32) for each token budget and
precision in one process, on the same texts. Prints one JSON line per run: papers/s, the mean tokens a
paper kept, and the cosine of its vectors to those of the first run ([min, mean]).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=512)
    ap.add_argument("--tokens", type=int, nargs="+", default=[256, 128])
    ap.add_argument("--precision", nargs="+", default=["bf16", "fp32"], choices=["bf16", "fp32"])
    args = ap.parse_args()

    from paperfeed.index.embed import DocEncoder
    from paperfeed.index.text import embed_text

    texts = []
    with gzip.open(CORPUS, "rt") as f:
        for i, line in enumerate(f):
            if i % 37 == 0:
                r = json.loads(line)
                texts.append(embed_text(r["title"], r.get("summary") or ""))
                if len(texts) >= args.papers:
                    break
    enc = DocEncoder()
    enc.encode(texts[:64])  # warm-up
    first = None
    for tokens in args.tokens:
        enc.model.max_seq_length = tokens
        kept = np.mean([min(len(enc.model.tokenizer(t)["input_ids"]), tokens) for t in texts])
        for precision in args.precision:
            enc.precision = precision
            t = time.perf_counter()
            vecs = enc.encode(texts)
            secs = time.perf_counter() - t
            first = vecs if first is None else first
            cos = (vecs * first).sum(1)
            row = {"tokens": tokens, "precision": precision, "papers": len(texts), "seconds": round(secs, 1),
                   "papers_per_s": round(len(texts) / secs, 1), "mean_tokens": round(float(kept), 1),
                   "cos_to_first": [round(float(cos.min()), 4), round(float(cos.mean()), 4)]}  # fmt: skip
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
