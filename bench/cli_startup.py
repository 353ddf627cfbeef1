"""How long a ``paperfeed`` command takes before it does anything: start-up of the command line.

    .venv/bin/python bench/cli_startup.py [--before HEAD~1 | --before none] [--rounds 15]

Runs, in a fresh process each time, ``paperfeed --help``, ``paperfeed stats --help`` (what tab completion
and a mistyped command cost) and ``paperfeed stats`` on an empty SQLite database made once in a
temporary folder, alternating between the working tree and the ``--before`` commit (checked out with
``git worktree`` into a temporary folder; the same virtual environment, ``PYTHONPATH`` pointing at each
tree's ``src``). Prints one JSON line per command and build: the median and the fastest wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {"--help": ["--help"], "stats --help": ["stats", "--help"], "stats": ["stats"]}


def run(src: Path, args: list[str], data: Path) -> float:
    env = os.environ | {"PYTHONPATH": str(src), "PAPERFEED_DATA_DIR": str(data), "COLUMNS": "100"}
    env.pop("PAPERFEED_DATABASE_URL", None)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "paperfeed", *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="HEAD", help="the commit to compare with ('none': this tree only)")
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        builds = {"working tree": ROOT / "src"}
        if args.before != "none":
            tree = Path(tmp) / "before"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.before],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            builds = {args.before: tree / "src", **builds}
        data = Path(tmp) / "data"
        run(ROOT / "src", ["init"], data)  # the database the stats runs read (made by this tree's schema)
        times: dict[tuple[str, str], list[float]] = {(b, c): [] for b in builds for c in COMMANDS}
        try:
            for _ in range(args.rounds):
                for build, src in builds.items():  # alternating, so load and caches fall on both alike
                    for name, cmd in COMMANDS.items():
                        times[(build, name)].append(run(src, cmd, data))
        finally:
            if args.before != "none":
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(Path(tmp) / "before")],
                               check=False)  # fmt: skip
        for (build, name), ts in times.items():
            row = {"build": build, "command": f"paperfeed {name}", "rounds": len(ts),
                   "median_s": round(statistics.median(ts), 3), "min_s": round(min(ts), 3)}  # fmt: skip
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
