"""Instructions a cold search page costs, counted by valgrind's callgrind: repeatable on a loaded machine.

    .venv/bin/python bench/search_instructions.py [--work /work/bench-data/crawl] [--pages 100] [--before COMMIT]

CPU time per page moves by 20 % between runs on a shared VM; an instruction count moves by less than
0.1 %, so two builds can be compared to a fraction of a percent (it counts user-space instructions only:
not the kernel's share, not cache misses, not waits). Uses ``bench/crawl.py``'s set-up (``--work``; for
search pages ``--no-similar`` is enough) and its search URLs (pages 1-5 of two-word queries, in order).

Each build runs in its own process under ``valgrind --tool=callgrind`` with counting off while it starts,
loads the indexes and the query model and serves 10 warm-up pages; then it counts ``--pages`` pages and
stops counting. The app is called in-process (no HTTP server) with handlers run on the event loop's
thread and the query embedded inline (threads would only reorder the same work), and the indexes'
catch-up with the database is held off (``search_refresh_seconds``), as in a crawl, where it runs once
in hundreds of pages. Prints instructions per page and the share of the largest native parts
(inclusive): the template (``str.join`` of Jinja's output), SQLite, onnxruntime (the query embedding),
tantivy, usearch and Python's JSON decoder. ``--before``: the same for a ``git worktree`` of COMMIT,
run first, and the ratio. Python under valgrind runs ~50x slower: 100 pages take 2-4 minutes a build.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the largest native parts of a page, each the largest inclusive count of a line that matches (the outermost
# call into that library): (label, regular expression over callgrind_annotate's line)
PARTS = [
    ("template (Jinja's output joined)", r"unicodeobject\.c:PyUnicode_Join \["),
    ("SQLite (statements run, rows read)", r"_sqlite3\.cpython|libsqlite3"),
    ("onnxruntime (the query embedding)", r"onnxruntime_pybind11_state"),
    ("tantivy (BM25, query analysis)", r"tantivy\.abi3"),
    ("usearch (HNSW)", r"usearch|numkong"),
    ("JSON decoding (SQLite's packed rows)", r"_json\.cpython"),
]
CHILD = r"""
import asyncio, os, sys, time
from pathlib import Path
sys.path.insert(0, {src!r}); sys.path.insert(0, {bench!r})
from concurrent.futures import Future
import anyio.to_thread
import crawl
from paperfeed import index
from paperfeed.app import create_app
from paperfeed.settings import load_settings
import paperfeed.rank.search as rank_search

async def inline(func, *args, **kw):  # a handler on the loop's thread: the same work, in one order
    return func(*args)
anyio.to_thread.run_sync = inline
def nearest(eng, encoder, text, k, *, floor=-1.0):
    f = Future()
    f.set_result([pid for pid, sim in eng.vectors.search(rank_search.query_vector(encoder, text), k) if sim >= floor])
    return f
rank_search.nearest = nearest
settings = load_settings()
app = create_app(settings)
urls = crawl.pick_urls(Path({work!r}), 10_000)["search"]
gate = Path({gate!r})

async def get(url):
    path, _, query = url.partition("?")
    scope = {{"type": "http", "asgi": {{"version": "3.0"}}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 5555),
             "server": ("127.0.0.1", 80), "state": {{}}}}
    sent = []
    async def receive():
        return {{"type": "http.request", "body": b"", "more_body": False}}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    return sent[0]["status"]

async def main():
    async with app.router.lifespan_context(app):
        index.warm(settings, app.state.store)
        for url in urls[-10:]:
            await get(url)
        (gate / "ready").write_text("")
        while not (gate / "go").exists():
            time.sleep(0.2)
        bad = sum([(await get(url)) != 200 for url in urls[:{pages}]])
        (gate / "done").write_text(str(bad))
        while not (gate / "stop").exists():
            time.sleep(0.2)

asyncio.run(main())
"""


def count(src: Path, args, tmp: Path, label: str) -> dict:
    """Run the pages of ``src`` under callgrind; instructions per page and the parts' shares."""
    gate = tmp / f"gate-{label}"
    gate.mkdir()
    out = tmp / f"callgrind-{label}.out"
    code = CHILD.format(src=str(src), bench=str(ROOT / "bench"), work=str(args.work), gate=str(gate), pages=args.pages)
    env = os.environ | {"PAPERFEED_DATA_DIR": str(args.work / "data"), "PAPERFEED_RATE_LIMIT_PER_MINUTE": "0",
                        "PAPERFEED_SEARCH_REFRESH_SECONDS": "1000000", "PAPERFEED_LOG_LEVEL": "INFO",
                        "PYTHONHASHSEED": "0"}  # fmt: skip
    env.pop("PAPERFEED_DATABASE_URL", None)
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
           sys.executable, "-c", code]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)

    def wait_for(name: str) -> None:
        while not (gate / name).exists():
            if proc.poll() is not None:
                raise SystemExit(f"{label}: the process under valgrind stopped (exit {proc.returncode})")
            time.sleep(0.5)

    wait_for("ready")
    subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
    (gate / "go").write_text("")
    wait_for("done")
    subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True, capture_output=True)
    (gate / "stop").write_text("")
    proc.wait()
    if int((gate / "done").read_text() or 0):
        raise SystemExit(f"{label}: some pages were not 200")
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(out)], capture_output=True, text=True).stdout
    total = int(re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text).group(1).replace(",", ""))
    parts = {}
    for name, pattern in PARTS:
        lines = re.finditer(rf"^\s*([\d,]+) \(\s*[\d.]+%\)\s+.*(?:{pattern})", text, re.M)
        parts[name] = max((int(m.group(1).replace(",", "")) for m in lines), default=0)
    return {"per_page": total / args.pages, "parts": {k: v / total for k, v in parts.items()}}


def show(label: str, got: dict) -> None:
    print(f"{label}: {got['per_page'] / 1e6:.2f} M instructions a page", flush=True)
    for name, share in got["parts"].items():
        print(f"    {name}: {100 * share:.1f} % ({share * got['per_page'] / 1e6:.2f} M)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/work/bench-data/crawl"))
    ap.add_argument("--pages", type=int, default=100, help="search pages counted (the crawl's first)")
    ap.add_argument("--before", help="a commit to count too, first, from a git worktree")
    args = ap.parse_args()
    for tool in ("valgrind", "callgrind_control", "callgrind_annotate"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: apt-get install valgrind")
    if not (args.work / "data" / "paperfeed.db").exists():
        raise SystemExit(f"{args.work}: no crawl set-up; run: .venv/bin/python bench/crawl.py --work {args.work} "
                         "--random-vectors --no-similar --prepare-only")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pf-instr-") as name:
        tmp = Path(name)
        before = None
        if args.before:
            tree = tmp / "before"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.before], check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            try:
                before = count(tree / "src", args, tmp, "before")
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)])
            show(f"before ({args.before})", before)
        now = count(ROOT / "src", args, tmp, "this tree")
        show("this tree", now)
        if before:
            print(f"ratio: {now['per_page'] / before['per_page']:.4f}")


if __name__ == "__main__":
    main()
