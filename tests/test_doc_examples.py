"""The examples a newcomer tries on the demo (`make demo`) name papers, periods and users that it has.

The demo covers 2024-01 .. 2025-03, has no arXiv categories and no users.

Only the commands and URLs that read papers are checked (`paperfeed similar|search|map`, `/map?`,
`/papers/{date,week,month}/`, the similar-papers API): fetch examples go to arXiv and may name any date.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "src" / "paperfeed" / "data" / "demo.jsonl.gz"
TRIED = re.compile(
    r"paperfeed[ .](similar|search|map|recommend show)\b|/map\?|/papers/(date|week|month)/\d|/similar\?|highlight-user"
)
ARXIV_ID = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\w])")
DAY = re.compile(r"(?<![\w-])(\d{4}-\d{2}-\d{2})(?![\w-])")
WEEK = re.compile(r"(?<![\w-])(\d{4})-W(\d{2})(?![\w-])")
MONTH = re.compile(r"(?<![\w-])(\d{4}-\d{2})(?![\w-])")
USER = re.compile(r"(?:recommend show|--highlight-user) +([A-Za-z_][\w.-]*)")


@pytest.fixture(scope="module")
def demo() -> tuple[set[str], set[date]]:
    ids, days = set(), set()
    with gzip.open(DEMO, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            ids.add(row["id"])
            days.update(date.fromisoformat(x["day"]) for x in row["featured"])
    return ids, days


def _tried_lines() -> list[tuple[str, str]]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [
        (f"{p.name}:{n}", line)
        for p in files
        if p.name != "benchmarks.md"
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if TRIED.search(line)
    ]


def test_examples_name_papers_and_periods_of_the_demo(demo) -> None:
    ids, days = demo
    months = {d.strftime("%Y-%m") for d in days}
    weeks = {d.isocalendar()[:2] for d in days}
    wrong = []
    for where, line in _tried_lines():
        line = re.sub(r"10\.48550/arXiv\.", "", line)  # a DOI names its arXiv id
        wrong += [f"{where}: paper {i}" for i in ARXIV_ID.findall(line) if i not in ids]
        wrong += [f"{where}: day {d}" for d in DAY.findall(line) if date.fromisoformat(d) not in days]
        wrong += [f"{where}: week {y}-W{w}" for y, w in WEEK.findall(line) if (int(y), int(w)) not in weeks]
        wrong += [f"{where}: month {m}" for m in MONTH.findall(DAY.sub("", line)) if m not in months]
        if re.search(r"paperfeed[ .]search", line) and re.search(r"cat:\w|category=\"", line):
            wrong.append(f"{where}: a category (the demo's papers have none)")
        # the demo has no users: a user name is a placeholder that says so (NAME)
        wrong += [f"{where}: user {u}" for u in USER.findall(line) if not u.isupper()]
    assert not wrong, "examples the demo cannot show:\n  " + "\n  ".join(wrong)


def test_the_check_reads_the_examples() -> None:
    """The lines checked above include the README's map and similar commands (the check is not vacuous)."""
    lines = " ".join(line for _, line in _tried_lines())
    assert "paperfeed map --month" in lines and "paperfeed similar" in lines and "/map?month=" in lines
