"""First views of pages of cards (day lists, month lists, author pages): server CPU a page, two builds side by side.

    .venv/bin/python bench/list_pages.py --work WORK --before REV [--after REV] [--pages 300] [--rounds 3]

``WORK/data`` holds a SQLite database of the corpus, made once with
``PAPERFEED_DATA_DIR=WORK/data .venv/bin/paperfeed import ../shared/data/arxiv-cs-2025-2026.jsonl.gz
../shared/data/hf-daily-papers-2024.jsonl.gz`` (no index needed: these pages show no search). Each build
(``--before`` and ``--after``: git revisions, each checked out into a temporary ``git worktree``; ``--after``
left out: this tree) serves each kind of page in a fresh process that calls the ASGI app directly, one
request at a time, no HTTP server, each URL once (a crawler's first views: the page cache never helps):
the process's CPU time divided by the pages. Kinds, URLs drawn with a fixed seed from the database:
``/papers/date/D`` (featured and arXiv-announced days: up to 60 cards), ``/papers/month/M?p=N`` and
``/authors/{first author of a random paper}``. The builds alternate within each round (the order turning
each round), so load falls on both alike; the median over rounds is printed as one JSON line per kind, with
whether both builds answered every URL with the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
CHILD = r"""
import asyncio, hashlib, json, sys, time
from urllib.parse import unquote
sys.path.insert(0, {src!r})
from paperfeed import logs
from paperfeed.app import create_app
from paperfeed.settings import load_settings

urls = json.loads({urls!r})
settings = load_settings()
logs.configure(settings.log_level, settings.log_format)  # each request logged, as when serving
app = create_app(settings)

async def get(url):
    path, _, query = url.partition("?")
    scope = {{"type": "http", "asgi": {{"version": "3.0"}}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": unquote(path), "raw_path": path.encode(),
             "query_string": query.encode(), "root_path": "", "headers": [(b"host", b"127.0.0.1")],
             "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 80), "state": {{}}}}
    sent = []
    async def receive():
        return {{"type": "http.request", "body": b"", "more_body": False}}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

async def main():
    async with app.router.lifespan_context(app):
        for url in urls["warm"]:
            await get(url)
        digest, bad = hashlib.sha256(), 0
        cpu = time.process_time()
        for url in urls["todo"]:
            status, body = await get(url)
            bad += status != 200
            digest.update(body)
        ms = 1000 * (time.process_time() - cpu) / len(urls["todo"])
        print(json.dumps({{"cpu_ms": ms, "non_200": bad, "sha256": digest.hexdigest()}}))

asyncio.run(main())
"""


def pick_urls(db: Path, pages: int, seed: int = 13) -> dict[str, list[str]]:
    """Distinct URLs of each kind, ``pages`` of them (fewer where the database has fewer), plus 10 to warm up."""
    rnd = random.Random(seed)
    with closing(sqlite3.connect(db)) as conn:
        days = [
            d
            for (d,) in conn.execute(
                "SELECT day FROM featured UNION SELECT announced_on FROM papers WHERE announced_on IS NOT NULL"
            )
        ]
        months = conn.execute(
            "SELECT substr(day, 1, 7), count(DISTINCT paper_id) FROM featured GROUP BY 1 UNION ALL "
            "SELECT substr(announced_on, 1, 7), 0 FROM papers WHERE announced_on IS NOT NULL GROUP BY 1"
        ).fetchall()
        ids = [i for (i,) in conn.execute("SELECT id FROM papers WHERE hidden = 0 ORDER BY id")]
        first = dict(conn.execute("SELECT paper_id, name FROM paper_authors WHERE position = 0"))
    # a month's page 1..N of its featured papers (30 a page); a month with none lists nothing past page 1
    month_pages = sorted({f"/papers/month/{m}?p={p}" for m, n in months for p in range(1, max(-(-n // 30), 1) + 1)})
    authors = list(dict.fromkeys(first[i] for i in rnd.sample(ids, min(len(ids), 4 * pages)) if i in first))
    out = {}
    for kind, all_urls in (("day", [f"/papers/date/{d}" for d in sorted(days)]), ("month", month_pages),
                           ("author", [f"/authors/{quote(a)}" for a in authors])):  # fmt: skip
        rnd.shuffle(all_urls)
        out[kind] = {"warm": all_urls[:10], "todo": all_urls[10 : 10 + pages]}
    return out


@contextmanager
def checkout(rev: str | None):
    """The ``src`` folder of ``rev`` checked out into a temporary worktree (None: this tree's)."""
    if rev is None:
        yield ROOT / "src"
        return
    with tempfile.TemporaryDirectory(prefix="list-pages-") as tmp:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", tmp, rev], check=True,
                       capture_output=True)  # fmt: skip
        try:
            yield Path(tmp) / "src"
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", tmp], check=True)


def run(src: Path, urls: dict, work: Path) -> dict:
    env = os.environ | {"PAPERFEED_DATA_DIR": str(work / "data"), "PAPERFEED_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("PAPERFEED_DATABASE_URL", None)
    code = CHILD.format(src=str(src), urls=json.dumps(urls))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=src.parent)
    if out.returncode:
        sys.exit(f"{src.parent}: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--before", required=True, help="git revision of the build to compare with")
    ap.add_argument("--after", default=None, help="git revision (default: this tree)")
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kinds", nargs="+", default=["day", "month", "author"])
    args = ap.parse_args()
    db = args.work / "data" / "paperfeed.db"
    if not db.exists():
        sys.exit(f"{db}: no database; import the corpus first (see this script's docstring)")
    urls = pick_urls(db, args.pages)
    with checkout(args.before) as before, checkout(args.after) as after:
        builds = {"before": before, "after": after}
        for kind in args.kinds:
            got: dict[str, list[dict]] = {name: [] for name in builds}
            for r in range(args.rounds):
                for name in list(builds)[:: 1 if r % 2 == 0 else -1]:
                    got[name].append(run(builds[name], urls[kind], args.work))
            cpu = {name: statistics.median(x["cpu_ms"] for x in runs) for name, runs in got.items()}
            print(json.dumps({
                "kind": kind, "pages": len(urls[kind]["todo"]), "rounds": args.rounds,
                **{f"{name}_ms": round(ms, 2) for name, ms in cpu.items()},
                "ratio": round(cpu["after"] / cpu["before"], 2),
                "runs": {name: [round(x["cpu_ms"], 2) for x in runs] for name, runs in got.items()},
                "non_200": {name: sum(x["non_200"] for x in runs) for name, runs in got.items()},
                "same_bytes": len({x["sha256"] for runs in got.values() for x in runs}) == 1,
            }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
