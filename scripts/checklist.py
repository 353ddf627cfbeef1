"""The checks' one-line report, shared by scripts/check_*.py: ``check`` prints a line per check, ``finish``
prints the count and exits 1 if any failed."""

from __future__ import annotations

import sys

failed: list[str] = []


def check(name: str, ok: bool, seen: object) -> None:
    """``ok  name: seen`` or ``FAIL name: seen`` (the last 400 characters of what was seen)."""
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {str(seen).strip()[-400:]}", flush=True)
    if not ok:
        failed.append(name)


def finish() -> None:
    print(f"{len(failed)} failed" if failed else "all passed")
    sys.exit(1 if failed else 0)
