"""Where a search page's CPU goes: the app called in-process, one stage taken away at a time.

    .venv/bin/python bench/page_stages.py [--work /work/bench-data/crawl] [--pages 500] [--rounds 3]

Uses ``bench/crawl.py``'s set-up (``--work``: its database and indexes of the 74,728-paper corpus) and
its search URLs (``/search?q=...&p=N``, pages 1-5 of two-word queries). Each variant runs in a fresh
process (cold caches, as a crawl finds them) and calls the ASGI app directly, one request at a time,
with no HTTP server: the process's CPU time divided by the pages. Variants, each taking one more stage
away (the view's imports replaced in that process only):

- ``full``: the page as served;
- ``no render``: the template replaced by a constant page of the same size;
- ``no render, no papers``: also no paper read (``cards``, before Run 12 ``get_papers``, answers nothing);
- ``no render, no papers, no search``: also no search (an empty result): what is left is the framework,
  the middleware, routing and the dependencies.

The differences between neighbours are the stages' costs. The variants alternate within each round,
so load falls on all alike; the median over rounds is printed as one JSON line per variant.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {  # variant: (what it takes away, the stage its difference to the next variant measures)
    "full": ("", "rendering the template"),
    "no render": ("render", "reading the 30 papers"),
    "no render, no papers": ("render,papers", "the search (with the query's embedding)"),
    "no render, no papers, no search": ("render,papers,search", "framework, middleware, routing, dependencies"),
}
CHILD = r"""
import asyncio, json, os, sys, time
from pathlib import Path
sys.path.insert(0, {src!r}); sys.path.insert(0, {bench!r})
import crawl
from fastapi.responses import HTMLResponse
from paperfeed import index, logs
from paperfeed.app import create_app
from paperfeed.settings import load_settings
import paperfeed.web.pages as pages

off = set(filter(None, {off!r}.split(",")))
if "render" in off:
    pages.render = lambda request, template, status_code=200, **kw: HTMLResponse("x" * 40_000, status_code=status_code)
if "papers" in off:
    pages.store_papers = type("NoPapers", (), {{"get_papers": staticmethod(lambda conn, ids: [])}})
    pages.store_cards = type("NoCards", (), {{"cards": staticmethod(lambda conn, ids: [])}})  # since Run 12
if "search" in off:
    import paperfeed.rank.search as rank_search
    class Empty:
        hits, total, lexical_only, not_embedded, total_is_estimate = [], 0, False, 0, False
    rank_search.search = lambda *a, **kw: Empty()
settings = load_settings()
logs.configure(settings.log_level, settings.log_format)  # each request logged, as when serving
app = create_app(settings)
urls = crawl.pick_urls(Path({work!r}), 10_000)["search"]
warm, todo = urls[-20:], urls[{skip}:{skip} + {pages}]

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
        for url in warm:
            await get(url)
        cpu = time.process_time()
        bad = sum([(await get(url)) != 200 for url in todo])
        print(json.dumps({{"cpu_ms": 1000 * (time.process_time() - cpu) / len(todo), "non_200": bad}}))

asyncio.run(main())
"""


def run_variant(off: str, args) -> dict:
    code = CHILD.format(src=str(ROOT / "src"), bench=str(ROOT / "bench"), off=off, work=str(args.work),
                        skip=args.skip, pages=args.pages)  # fmt: skip
    env = os.environ | {"PAPERFEED_DATA_DIR": str(args.work / "data"), "PAPERFEED_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("PAPERFEED_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/work/bench-data/crawl"))
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--skip", type=int, default=0, help="start this far into the crawl's search URLs")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not (args.work / "data" / "paperfeed.db").exists():
        sys.exit(f"{args.work}: no crawl set-up; run: .venv/bin/python bench/crawl.py --work {args.work} "
                 "--random-vectors --prepare-only")  # fmt: skip
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, (off, _) in VARIANTS.items():
            got = run_variant(off, args)
            if got["non_200"]:
                sys.exit(f"{name}: {got['non_200']} answers were not 200")
            cpu[name].append(got["cpu_ms"])
    medians = {name: statistics.median(v) for name, v in cpu.items()}
    names = list(VARIANTS)
    for i, name in enumerate(names):
        stage = medians[name] - medians[names[i + 1]] if i + 1 < len(names) else medians[name]
        print(json.dumps({"variant": name, "pages": args.pages, "rounds": args.rounds,
                          "cpu_ms_per_page": round(medians[name], 2), "runs": [round(x, 2) for x in cpu[name]],
                          "stage": VARIANTS[name][1], "stage_ms": round(stage, 2)}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
