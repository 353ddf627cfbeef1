"""Fine-tune the bundled MiniLM for paper-to-paper similarity on signals the papers carry (issue 15).

    .venv/bin/python scripts/train_similarity.py --corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz \
        --out /tmp/paper-minilm [--minutes 60] [--max-tokens 128] [--batch 32] [--seed 0]

Weakly supervised pairs from an arXiv listing (JSON lines with ``title``, ``summary`` or ``abstract``,
``authors``, ``categories``):

- ``author``: two papers that share an author (one with 2-50 papers in the corpus), the text the index job
  embeds (``index.text.embed_text``) on both sides;
- ``title``: a paper's title against its own abstract (what keeps search by title working);
- each pair gets a hard negative: a paper of the same primary category that shares no author with either
  (``--no-hard-negatives``: the batch's other positives only).

The loss is the usual in-batch contrastive one (InfoNCE, scale 20, as sentence-transformers'
MultipleNegativesRankingLoss): each anchor must pick its positive among the batch's positives and hard
negatives. The word, position and type embeddings stay frozen (only the six transformer layers learn), so
the output's vocabulary vectors are the bundled model's. Training stops after ``--pairs`` pairs or
``--minutes`` minutes, whichever comes first (the learning rate warms up and decays along whichever is
nearer its end, so a slow machine still finishes its decay; ``--minutes 0`` trains on exactly ``--pairs``),
and writes a sentence-transformers folder (the bundled folder's tokenizer and pooling files, the new
weights, ``training.json``) that the setting ``embed_model`` can point to. It trains on a GPU when torch
sees one (``--device``), else on the CPU (``--threads``). Seeded: the same corpus, seed and pair count
give the same pairs in the same order. Nothing here reads CSFCube: it is kept for the final comparison
(bench/similar_models.py, bench/eval_similar.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from paperfeed.index.embed import model_dir  # noqa: E402
from paperfeed.index.text import embed_text  # noqa: E402

MIN_AUTHOR_PAPERS, MAX_AUTHOR_PAPERS = 2, 50


def load_corpus(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    papers = []
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                d = json.loads(line)
            except ValueError as e:
                raise ValueError(f"{path}, line {n}: not JSON ({e})") from None
            if not isinstance(d, dict):
                raise ValueError(f"{path}, line {n}: not a JSON object")
            title, abstract = d.get("title"), d.get("summary") or d.get("abstract")
            if not isinstance(title, str) or not isinstance(abstract, str) or not title.strip():
                continue
            authors = d.get("authors") or []
            if isinstance(authors, str):
                authors = authors.split(",")
            authors = [a.strip() for a in authors if isinstance(a, str)]
            papers.append({
                "title": " ".join(title.split()), "abstract": " ".join(abstract.split()),
                "authors": {a.lower() for a in authors if a},
                "category": str((d.get("categories") or ["?"])[0]),
            })  # fmt: skip
    return papers


def make_pairs(papers: list[dict], n: int, seed: int, title_share: float = 0.25) -> list[tuple[str, str, str, str]]:
    """``n`` (kind, anchor, positive, hard negative) texts, shuffled with ``seed``."""
    rng = random.Random(seed)
    by_author: dict[str, list[int]] = defaultdict(list)
    by_category: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(papers):
        for a in p["authors"]:
            by_author[a].append(i)
        by_category[p["category"]].append(i)
    useful = {a: ids for a, ids in by_author.items() if MIN_AUTHOR_PAPERS <= len(ids) <= MAX_AUTHOR_PAPERS}
    linked = [i for i, p in enumerate(papers) if any(a in useful for a in p["authors"])]
    if not linked or len(papers) < 3:
        raise ValueError(f"{len(papers)} papers with a title and an abstract, no two of them share an author: "
                         "nothing to learn from (the corpus needs an 'authors' list per paper)")  # fmt: skip
    text = [embed_text(p["title"], p["abstract"]) for p in papers]

    def negative(*ids: int) -> int:
        """A paper of the same primary category (else any) that shares no author with ``ids``."""
        ties = set().union(*(papers[i]["authors"] for i in ids))

        def free(j: int) -> bool:
            return j not in ids and not papers[j]["authors"] & ties

        for pool in (by_category[papers[ids[0]]["category"]], range(len(papers))):
            for _ in range(20):
                j = rng.choice(pool)
                if free(j):
                    return j
        untied = [j for j in range(len(papers)) if free(j)]  # a tiny corpus
        return rng.choice(untied or [j for j in range(len(papers)) if j not in ids])

    out = []
    n_title = round(n * title_share)
    for _ in range(n - n_title):
        i = rng.choice(linked)
        a = rng.choice(sorted(a for a in papers[i]["authors"] if a in useful))
        j = rng.choice([k for k in useful[a] if k != i])
        out.append(("author", text[i], text[j], text[negative(i, j)]))
    for _ in range(n_title):
        i = rng.randrange(len(papers))
        out.append(("title", papers[i]["title"], papers[i]["abstract"], papers[negative(i)]["abstract"]))
    rng.shuffle(out)
    return out


def train(args) -> dict:
    papers = load_corpus(Path(args.corpus))
    pairs = make_pairs(papers, args.pairs, args.seed, args.title_share)
    base = Path(args.base) if args.base else model_dir()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is read from the base folder
    import numpy as np
    import torch
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from transformers import AutoModel, AutoTokenizer

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    tok = AutoTokenizer.from_pretrained(str(base))
    model = AutoModel.from_pretrained(str(base)).to(device)
    for p in model.embeddings.parameters():
        p.requires_grad = False
    params = [p for p in model.parameters() if p.requires_grad]
    steps = math.ceil(len(pairs) / args.batch)
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    budget = args.minutes * 60 if args.minutes > 0 else math.inf

    def progress() -> float:
        """How far training is: by pairs, or by time when the time budget runs out first."""
        return max(done / len(pairs), (time.monotonic() - started) / budget)

    def schedule(_step: int) -> float:  # warm up over the first 10 %, then decay linearly to 0 at the end
        p = progress()
        return min((p + 1 / steps) / 0.1, max(0.0, (1 - p) / 0.9))

    started, done, losses = time.monotonic(), 0, []
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)

    def embed(texts: list[str]):
        enc = tok(texts, padding=True, truncation=True, max_length=args.max_tokens, return_tensors="pt").to(device)
        out = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
        v = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(v, dim=-1)

    model.train()
    columns = [TextColumn("training"), BarColumn(), TextColumn("{task.fields[pairs]:,} pairs"),
               TextColumn("loss {task.fields[loss]:.3f}"), TimeElapsedColumn(), TimeRemainingColumn()]  # fmt: skip
    with Progress(*columns) as bar:
        task = bar.add_task("train", total=1000, pairs=0, loss=float("nan"))
        for s in range(steps):
            if progress() >= 1:
                break
            batch = pairs[s * args.batch : (s + 1) * args.batch]
            anchors = embed([b[1] for b in batch])
            cands = embed([b[2] for b in batch] + ([b[3] for b in batch] if args.hard_negatives else []))
            scores = anchors @ cands.T * args.scale
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch), device=device))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            done += len(batch)
            losses.append(loss.item())
            bar.update(task, completed=min(1000, int(progress() * 1000)), pairs=done, loss=np.mean(losses[-20:]))
            if not bar.console.is_terminal and s % 50 == 0:  # a log file gets a line now and then instead
                print(f"{done:,} pairs, loss {np.mean(losses[-20:]):.3f}, {time.monotonic() - started:.0f} s, "
                      f"{progress():.1%} of the budget", file=sys.stderr, flush=True)  # fmt: skip
    out = Path(args.out)
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(base, tmp, ignore=shutil.ignore_patterns("model.safetensors", "README.md", ".gitattributes"))
    model.save_pretrained(str(tmp), safe_serialization=True)
    report = {
        "pairs": done, "planned": len(pairs), "steps": math.ceil(done / args.batch),
        "seconds": round(time.monotonic() - started),
        "loss_first": round(float(np.mean(losses[:20] or [0])), 4),
        "loss_last": round(float(np.mean(losses[-20:] or [0])), 4),
        "kinds": {k: sum(1 for p in pairs[:done] if p[0] == k) for k in ("author", "title")},
        **{k: getattr(args, k)
           for k in ("seed", "max_tokens", "batch", "lr", "scale", "title_share", "hard_negatives")},
        "corpus": Path(args.corpus).name, "papers": len(papers), "device": device,
        "torch_threads": torch.get_num_threads(),
    }  # fmt: skip
    (tmp / "training.json").write_text(json.dumps(report, indent=1))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)  # a killed run leaves no half-written model where the setting points
    return report


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, help="JSON lines (.gz or plain) of papers")
    ap.add_argument("--out", required=True, help="folder to write the trained model to (replaced)")
    ap.add_argument("--base", default="", help="sentence-transformers folder to start from (default: bundled)")
    ap.add_argument("--pairs", type=int, default=40_000)
    ap.add_argument("--minutes", type=float, default=60.0, help="time budget (0: none; see above)")
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--title-share", type=float, default=0.25)
    ap.add_argument("--no-hard-negatives", dest="hard_negatives", action="store_false",
                    help="only the batch's other positives as negatives (a third fewer texts a step)")  # fmt: skip
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    ap.add_argument("--device", default="", help="cpu, cuda, cuda:1 ... (default: a GPU when torch sees one)")
    args = ap.parse_args(argv)
    if not Path(args.corpus).is_file():
        ap.error(f"{args.corpus}: no such file")
    try:
        report = train(args)
    except (ValueError, OSError, UnicodeDecodeError) as e:  # a malformed corpus: say what, write nothing
        ap.error(str(e))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
