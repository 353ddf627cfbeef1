"""A longer fuzzing run than the one ``make test`` does: the same tests with many more examples.

    .venv/bin/python bench/fuzz.py [--importers 3000] [--api 60] [--sqlite-only]

Runs, each with ``PAPERFEED_FUZZ_EXAMPLES`` set: the importer fuzzing (``tests/sources/test_fuzz_importers.py``
and ``test_fuzz_library.py``, ``--importers`` examples per importer) and the OpenAPI fuzzing of every
route (``tests/api/test_openapi_fuzz.py``, ``--api`` examples per operation, signed out and with a token,
on SQLite and PostgreSQL unless ``--sqlite-only``). Examples are derandomized: a bigger count searches
further, the same count finds the same things. Prints pytest's report and each run's time; the exit
code is pytest's (non-zero: a failure to fix, then pin as an ``@example``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTERS = ["tests/sources/test_fuzz_importers.py", "tests/sources/test_fuzz_library.py"]
API = ["tests/api/test_openapi_fuzz.py"]


def run(paths: list[str], examples: int, env: dict[str, str]) -> int:
    started = time.monotonic()
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths]
    code = subprocess.call(cmd, cwd=ROOT, env={**env, "PAPERFEED_FUZZ_EXAMPLES": str(examples)})
    print(f"{' '.join(paths)}: {examples} examples each, {time.monotonic() - started:.0f} s, exit {code}")
    return code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--importers", type=int, default=3000, help="examples per importer test")
    ap.add_argument("--api", type=int, default=60, help="examples per API operation (0: skip)")
    ap.add_argument("--sqlite-only", action="store_true", help="skip the PostgreSQL half of the API run")
    args = ap.parse_args()
    env = dict(os.environ)
    if args.sqlite_only:
        env["PAPERFEED_TEST_PG_URL"] = ""
    codes = [run(IMPORTERS, args.importers, env)]
    if args.api:
        codes.append(run(API, args.api, env))
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
