"""`paperfeed index` end to end: a corpus of N papers, then a day's M new ones, side by side with a commit.

    .venv/bin/python bench/index_speed.py [--papers 2000] [--new 1000] [--before HEAD | --before none]
        [--work /tmp/pf-index-speed] [--corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz]

Every 7th paper of the corpus (a mix of months and categories) makes the first N; the M after them are the
"new day". For each build (``--before``: the commit checked out with ``git worktree`` into the work folder;
then this tree) it runs the product's own commands in a fresh data dir, as a newcomer would:
``paperfeed import`` of the N papers, ``paperfeed index --json`` (timed: every stage, vectors, keyphrases,
sentences, summaries, similar lists, the newest topic maps), then ``paperfeed import`` of the M new ones and
``paperfeed index --json`` again (the incremental run). Settings come from the environment as for the product
(``PAPERFEED_EMBED_MAX_TOKENS`` ...). Prints one JSON line per run and a table: wall seconds, papers/s end to
end, the stages' seconds as the job reports them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
STEP = 7  # every 7th paper of the corpus


def write_sets(corpus: Path, work: Path, n: int, m: int) -> tuple[Path, Path]:
    """The first ``n`` and the next ``m`` of every ``STEP``-th paper, as two JSONL files."""
    base, new = work / f"base-{n}.jsonl", work / f"new-{n}-{m}.jsonl"
    if base.exists() and new.exists():
        return base, new
    rows: list[str] = []
    with gzip.open(corpus, "rt") as f:
        for i, line in enumerate(f):
            if i % STEP == 0:
                rows.append(line if line.endswith("\n") else line + "\n")
                if len(rows) >= n + m:
                    break
    if len(rows) < n + m:
        raise SystemExit(f"{corpus} has only {len(rows):,} papers at every {STEP}th: ask for fewer")
    base.write_text("".join(rows[:n]))
    new.write_text("".join(rows[n:]))
    return base, new


def cli(src: Path, data: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [str(ROOT / ".venv" / "bin" / "python"), "-m", "paperfeed", "--data-dir", str(data), *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)


def index_run(label: str, src: Path, data: Path, papers: int, step: str) -> dict:
    t = time.perf_counter()
    out = cli(src, data, "index", "--json")
    wall = time.perf_counter() - t
    report = json.loads(out.stdout.strip().splitlines()[-1])
    row = {"build": label, "step": step, "papers": papers, "wall_s": round(wall, 1),
           "papers_per_s": round(papers / wall, 1), "device": report.get("device", ""),
           "stages_s": report.get("seconds", {}), "load_avg": round(os.getloadavg()[0], 1)}  # fmt: skip
    print(json.dumps(row), flush=True)
    return row


def run_build(label: str, src: Path, data: Path, base: Path, new: Path, n: int, m: int) -> list[dict]:
    shutil.rmtree(data, ignore_errors=True)
    cli(src, data, "import", str(base))
    rows = [index_run(label, src, data, n, "corpus")]
    cli(src, data, "import", str(new))
    rows.append(index_run(label, src, data, m, "new day"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--papers", type=int, default=2_000)
    ap.add_argument("--new", type=int, default=1_000)
    ap.add_argument("--before", default="HEAD", help="the commit to compare with ('none': this tree only)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/pf-index-speed"))
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    base, new = write_sets(args.corpus, args.work, args.papers, args.new)
    rows: list[dict] = []
    if args.before != "none":
        tree = args.work / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--force", "--detach", str(tree), args.before],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        try:
            rows += run_build(f"before ({args.before})", tree / "src", args.work / "data-before", base, new,
                              args.papers, args.new)  # fmt: skip
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    rows += run_build("this tree", ROOT / "src", args.work / "data", base, new, args.papers, args.new)
    print(f"\n{os.cpu_count()} cores; every {STEP}th paper of {args.corpus.name}\n")
    print("| build | run | papers | wall s | papers/s | stages (s) | load avg |")
    print("|---|---|---:|---:|---:|---|---:|")
    for r in rows:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages_s"].items() if v >= 0.05)
        print(f"| {r['build']} | {r['step']} | {r['papers']:,} | {r['wall_s']} | {r['papers_per_s']} | {stages} "
              f"| {r['load_avg']} |")  # fmt: skip


if __name__ == "__main__":
    main()
