"""Faceted similar papers on CSFCube, and the facet labeller's accuracy.

    D=../shared/data/csfcube-dev
    .venv/bin/python bench/eval_facets.py --fold $D --corpus $D/corpus.jsonl.gz [--workdir /tmp/pf-facets/csfcube]
    .venv/bin/python bench/eval_facets.py --labels ../shared/data/arxiv-cs-2025-2026.jsonl.gz

Ranking (``--fold``): the corpus is loaded into a paperfeed store (SQLite in --workdir, kept between runs)
and indexed by the product's own job, sentences included (its step times and the sentences' storage are
printed). Each CSFCube query is a paper and a facet; its judged pool is ranked (1) by today's whole-paper
scoring (``rank.similar.pair_scores``, what ``similar()`` ranks with) and (2) by the faceted scoring
(``rank.facets.combine`` over ``facet_similarity``, what ``similar(..., facet=...)`` adds), with the query's
own facet. NDCG@20 and MAP (``../shared/tools/ir_metrics.py``) per facet and over all queries, one JSON
line per method and facet; ``sentences`` rows rank by the sentence match alone (reference, not shipped).
``--variants`` adds the designs measured on this fold before the shipped one was chosen (docs/search.md,
"Faceted similar papers"): all of a candidate's sentences as targets, no centring, the title among the
query's sentences.

Labelling (``--labels``): CSFCube as shipped here has no sentence labels, so the labeller is measured on
the arXiv abstracts written in labelled sections ("Background: ... Methods: ... Results: ..."): the
headings are removed, each section's sentences take the heading's facet (objective/purpose/aim count as
background, conclusions as result, as in CSFCube), and ``index.sentences.label`` labels the sentences of
the whole abstract. Abstracts alternate between two halves: half A was read while the rules were written
and adjusted, half B was not. Also printed: the position-only baseline (the rules' priors alone).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from eval_similar import build, load_fold, load_metrics

# --- labelling accuracy on structured abstracts ---------------------------------------------------------

_HEADING = re.compile(r"(?:^|(?<=[.!?]))\s*([A-Z][A-Za-z]*(?:(?: and |/| & |, ?)[A-Za-z]+){0,3})\s*:\s+")
_SECTION = {
    "background": "background objective objectives purpose aim aims introduction motivation context problem "
    "rationale goal goals importance",
    "method": "method methods methodology approach design materials setting participants procedure procedures "
    "experimental",
    "result": "result results finding findings conclusion conclusions discussion interpretation outcome outcomes "
    "significance implications",
}
_FACET_OF_WORD = {w: f for f, words in _SECTION.items() for w in words.split()}


def structured(abstract: str) -> list[tuple[str, str]] | None:
    """``[(facet, section text)]`` of an abstract written in labelled sections, or None."""
    text = re.sub(r"\s+", " ", abstract).strip()
    heads = list(_HEADING.finditer(text))
    if len(heads) < 2 or heads[0].start() > 5:
        return None
    out = []
    for m, nxt in zip(heads, [*heads[1:], None], strict=True):
        facets = {_FACET_OF_WORD[w] for w in re.findall(r"[a-z]+", m.group(1).lower()) if w in _FACET_OF_WORD}
        if len(facets) != 1:
            return None
        out.append((facets.pop(), text[m.end() : nxt.start() if nxt else len(text)].strip()))
    return out if len({f for f, _ in out}) >= 2 else None


def labels(path: Path) -> None:
    from paperfeed.index import sentences as S

    docs = []
    for line in gzip.open(path, "rt"):
        r = json.loads(line)
        if secs := structured(r.get("summary") or r.get("abstract") or ""):
            docs.append(secs)
    total, right, by_position = Counter(), Counter(), Counter()
    confusion: Counter = Counter()
    for i, secs in enumerate(docs):
        half = "A" if i % 2 == 0 else "B"
        sents, gold = [], []
        for facet, text in secs:
            for s in S.split(text):
                sents.append(s)
                gold.append(facet)
        pred = S.label(sents)
        for j, (g, p) in enumerate(zip(gold, pred, strict=True)):
            prior = S.facet_scores("", j, len(sents))
            total[half] += 1
            right[half] += g == p
            by_position[half] += g == max(S.FACETS, key=lambda f: prior[f])
            confusion[(half, g, p)] += 1
    for half in "AB":
        out = {
            "half": half,
            "abstracts": len(docs[0 if half == "A" else 1 :: 2]),
            "sentences": total[half],
            "accuracy": round(right[half] / total[half], 3),
            "position_only": round(by_position[half] / total[half], 3),
            "recall": {
                g: round(confusion[(half, g, g)] / max(1, sum(confusion[(half, g, p)] for p in S.FACETS)), 3)
                for g in S.FACETS
            },
            "confusion (gold -> predicted background/method/result)": {
                g: [confusion[(half, g, p)] for p in S.FACETS] for g in S.FACETS
            },
        }
        print(json.dumps(out))


# --- ranking on CSFCube -----------------------------------------------------------------------------------

VARIANTS = {  # measured on the dev fold, not shipped (the shipped one: centre=True, same_facet=True)
    "variant: all candidate sentences, not centred (first design)": {"centre": False, "same_facet": False},
    "variant: all candidate sentences, centred": {"centre": True, "same_facet": False},
    "variant: same-facet targets, not centred": {"centre": False, "same_facet": True},
    "variant: shipped + the title among the query's sentences": {"title": True},
    "variant: not centred + the title among the query's sentences": {
        "centre": False,
        "same_facet": False,
        "title": True,
    },
}


def variant(facets, stored, pid, facet, *, centre=True, same_facet=True, title=False) -> dict[str, float]:
    """``facets.facet_similarity`` with one of its choices changed."""
    import numpy as np

    from paperfeed.index import sentences as S

    cands = {p: v for p, v in stored.items() if p != pid}
    means = facets.facet_means(cands.values()) if centre else {}
    letters, vecs = stored[pid]
    own = facets.centred(letters, vecs, means)
    rows = [i for i, c in enumerate(letters) if c == S.LETTER[facet]]
    if not rows:
        rows = [i for i, c in enumerate(letters) if c != "t"] or list(range(len(letters)))
    if title:
        rows = sorted({*rows, *(i for i, c in enumerate(letters) if c == "t")})
    q = own[rows] if len(own) else own
    out = {}
    for p, (lt, v) in cands.items():
        target = facets.centred(lt, v, means)
        if same_facet:
            target = facets.target_rows(lt, target, facet)
        m = facets.sentence_match(q, target)
        if not np.isnan(m):
            out[p] = m
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fold", type=Path, help="folder with queries.jsonl, qrels.tsv, pools.json")
    ap.add_argument("--corpus", type=Path, help="corpus.jsonl.gz")
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "pf-facets" / "csfcube")
    ap.add_argument("--labels", type=Path, help="measure the labeller on this JSONL.gz's structured abstracts")
    ap.add_argument("--per-query", action="store_true", help="also print each query's two NDCG@20")
    ap.add_argument("--variants", action="store_true", help="also the designs measured before the shipped one")
    args = ap.parse_args()
    if args.labels:
        labels(args.labels)
        if not args.fold:
            return
    if not (args.fold and args.corpus):
        ap.error("--fold and --corpus (or --labels)")

    from paperfeed.index import engine, job
    from paperfeed.index.embed import MODEL_NAME
    from paperfeed.rank import facets
    from paperfeed.rank.similar import pair_scores, shipped_weights
    from paperfeed.store import sentences as store_sentences
    from paperfeed.store import vectors as store_vectors

    ndcg, average_precision = load_metrics(args.fold)
    args.workdir.mkdir(parents=True, exist_ok=True)
    store, settings, ids = build(args.workdir, args.corpus, embed=False)  # papers + lexical index
    t = time.perf_counter()
    report = job.run(store, settings, keywords=False, summaries=False)  # vectors and sentences, resumable
    if report.embedded or report.sentences:
        step = {k: round(v, 1) for k, v in report.seconds.items()}
        print(
            json.dumps(
                {
                    "job_seconds": round(time.perf_counter() - t, 1),
                    "steps": step,
                    "device": report.device,
                    "papers_embedded": report.embedded,
                    "papers_with_sentences": report.sentences,
                    "sentences": report.sentence_count,
                    "embed_papers_per_s": round(report.embedded / step["embed"], 1) if report.embedded else None,
                    "sentence_papers_per_s": round(report.sentences / step["sentences"], 1)
                    if report.sentences
                    else None,
                }
            ),
            file=sys.stderr,
        )
    with store.read() as conn:
        n, sentences, nbytes = store_sentences.storage(conn, MODEL_NAME)
    print(
        json.dumps(
            {
                "stored_papers": n,
                "stored_sentences": sentences,
                "sentences_per_paper": round(sentences / max(1, n), 2),
                "vector_bytes_per_paper": round(nbytes / max(1, n)),
                "document_vector_bytes_per_paper": 384 * 4,
            }
        )
    )
    back = {v: k for k, v in ids.items()}
    eng = engine(settings)
    eng.refresh(store, force=True)
    queries, pools, qrels = load_fold(args.fold)
    weights = shipped_weights(settings)

    scores: dict[str, dict[str, list[tuple[float, float]]]] = {}
    with store.read() as conn:
        for q in queries:
            qid, facet = q["query_id"], q["facet"]
            pid = ids[q["paper_id"]]
            cands = [ids[c] for c in pools[qid] if c in ids and c != q["paper_id"]]
            doc = store_vectors.get_docs(conn, [pid])[0]
            vecs = {
                k: np.frombuffer(b, dtype="<f4")
                for k, b in store_vectors.get_vectors(conn, eng.model, [pid, *cands]).items()
            }
            whole = pair_scores(eng, doc, vecs.get(pid), cands, vecs, weights)
            stored = facets.unpack_all(store_sentences.get(conn, eng.model, [pid, *cands]))
            others = {p: v for p, v in stored.items() if p != pid}
            similarity = facets.facet_similarity(stored[pid], others, facet)
            ranked = {
                "whole-paper (shipped)": whole,
                "faceted (shipped)": facets.combine(whole, similarity, facet),
                "sentences of the facet alone": sorted(
                    ((p, similarity.get(p, -1.0), "") for p in cands), key=lambda t: (-t[1], t[0])
                ),
            }
            if args.variants:
                for name, kw in VARIANTS.items():
                    ranked[name] = facets.combine(whole, variant(facets, stored, pid, facet, **kw), facet)
            grades = qrels.get(qid, {})
            for method, r in ranked.items():
                order = [back[p] for p, _, _ in r]
                scores.setdefault(method, {}).setdefault(facet, []).append(
                    (ndcg(order, grades, k=20), average_precision(order, grades))
                )
            if args.per_query:
                print(
                    json.dumps(
                        {
                            "query": qid,
                            **{m: round(scores[m][facet][-1][0], 4) for m in ranked},
                        }
                    )
                )

    for method, by_facet in scores.items():
        rows = {f: by_facet[f] for f in facets.FACETS if f in by_facet}
        rows["all"] = [x for f in rows for x in rows[f]]
        for facet, vals in rows.items():
            out = {
                "method": method,
                "facet": facet,
                "ndcg@20": round(float(np.mean([v[0] for v in vals])), 4),
                "map": round(float(np.mean([v[1] for v in vals])), 4),
                "queries": len(vals),
            }
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
