"""``paperfeed index | search | similar`` as a user runs them (their entry point in the test's process, SQLite)."""

from __future__ import annotations

import json
import re
import subprocess

from tests.helpers.cli import pf_here
from tests.helpers.search import FILES


def pf(data_dir, *args: str, columns: int = 200, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command on the data dir's own SQLite database, on a terminal ``columns`` wide."""
    return pf_here(None, *args, env={"PAPERFEED_DATA_DIR": str(data_dir), "COLUMNS": str(columns)} | (env or {}))


def test_import_indexes_words_and_search_finds_them(tmp_path):
    r = pf(tmp_path, "import", str(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz"))
    assert r.returncode == 0 and "search index: 22 papers added" in r.stdout
    r = pf(tmp_path, "search", "2503.11905", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["hits"][0]["id"] == "2503.11905" and out["hits"][0]["why"] == "exact id"
    assert out["lexical_only"] and out["not_embedded"] == 22
    assert out["total"] == len(out["hits"]) and not out["total_is_estimate"]  # 22 papers: all ranked, counted
    r = pf(tmp_path, "search", "facial expression recognition", "--category", "cs.CV")
    assert r.returncode == 0 and "Facial Expression" in r.stdout
    assert re.search(r"\b[\d,]+ results? for", r.stdout) and not re.search(r"about [\d,]+ results? for", r.stdout)
    r = pf(tmp_path, "search", "facial expression recognition")  # 22 papers: the ranking ran out and counted
    assert r.returncode == 0 and re.search(r"\b[\d,]+ results? for", r.stdout) and "about" not in r.stdout
    r = pf(tmp_path, "search", "recognition model learning", env={"PAPERFEED_SEARCH_CANDIDATES": "10"})
    assert r.returncode == 0 and re.search(r"about [\d,]+ results? for", r.stdout)  # the commonest word's count
    r = pf(tmp_path, "search", "*")
    assert r.returncode == 2 and "nothing to search for" in r.stderr and "Traceback" not in r.stderr
    r = pf(tmp_path, "similar", "2503.11905", "-n", "3")  # before `paperfeed index`: says what it stands on
    assert r.returncode == 0 and "not embedded yet: by shared words only" in r.stdout
    r = pf(tmp_path, "index", "--no-embed", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["embedded"] == 0
    r = pf(tmp_path, "similar", "2503.11905", "--json")
    hits = json.loads(r.stdout)["hits"]
    assert r.returncode == 0 and hits and "2503.11905" not in {h["id"] for h in hits}
    r = pf(tmp_path, "similar", "9999.99999")
    assert r.returncode == 1 and "no paper" in r.stderr


def test_similar_by_facet_and_a_bad_facet(tmp_path):
    r = pf(tmp_path, "import", str(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz"))
    assert r.returncode == 0
    r = pf(tmp_path, "similar", "2503.11905", "--facet", "method", "--json")
    out = json.loads(r.stdout)  # nothing embedded yet: the whole-paper order, by shared words
    assert r.returncode == 0 and out["facet"] == "method" and out["hits"]
    assert "2503.11905" not in {h["id"] for h in out["hits"]}
    r = pf(tmp_path, "similar", "2503.11905", "--facet", "methods")
    assert r.returncode == 2 and "unknown facet 'methods': use background, method or result" in r.stderr
    assert "Traceback" not in r.stderr


def test_an_80_column_terminal_shows_whole_titles(tmp_path):
    """The reasons column ("similar method + similar topic + shared terms") once took the whole width of
    an 80-column terminal and left the titles none: every title word is shown, and no line is wider."""
    assert pf(tmp_path, "import", str(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz")).returncode == 0
    titles = {h["id"]: h["title"] for h in json.loads(pf(tmp_path, "similar", "2503.11905", "--json").stdout)["hits"]}
    for args in (("similar", "2503.11905", "--facet", "method"), ("search", "facial expression recognition")):
        r = pf(tmp_path, *args, columns=80)
        assert r.returncode == 0 and max(map(len, r.stdout.splitlines())) <= 80
        shown = set(re.findall(r"[\w-]+", r.stdout))
        if args[0] == "similar":
            for title in titles.values():
                assert set(re.findall(r"[\w-]+", title)) <= shown, title
        assert "Facial" in shown or args[0] == "similar"


def test_index_bars_end_full_and_say_how_fast(tmp_path, monkeypatch):
    """On a terminal every step's bar ends full at what it did, with papers/s, even a step done in one batch;
    none is left spinning at 0/N (the words step counted every paper but reads only what changed)."""
    import io

    from rich.console import Console
    from typer.testing import CliRunner

    import paperfeed.cli.search as cli_search
    from paperfeed.cli import app

    assert pf(tmp_path, "import", str(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz")).returncode == 0
    screen = io.StringIO()
    monkeypatch.setattr(cli_search, "err_console", Console(file=screen, force_terminal=True, width=110))
    r = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "index"], env={"PAPERFEED_DATABASE_URL": ""})
    assert r.exit_code == 0, r.output
    last = {}
    for line in re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen.getvalue()).replace("\r", "\n").splitlines():
        if m := re.match(r"\W*(\w+)\s+━+\s+(\d+)/(\S+)\s+(\S+) papers/s", line):
            last[m[1]] = (m[2], m[3], m[4])
    assert last["embed"] == ("22", "22", last["embed"][2]) and last["embed"][2] != "-"
    assert last["lexical"][:2] == ("0", "0") and last["keywords"][:2] == ("22", "22")
    assert all(done == total for done, total, _ in last.values()), last  # no bar left at 0/N or N/?
    assert "words index up to date, 22 embedded" in r.output


def test_a_query_that_starts_with_an_exclusion_is_the_query(tmp_path):
    """`paperfeed search '-cat:eess.IV image restoration'` was "Missing argument 'query'": the parser read -c
    (--category) with the value "at:eess.IV image restoration". A mistyped option is still an error, which
    says how to write such a query."""
    assert pf(tmp_path, "import", str(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz")).returncode == 0

    def ids(*args: str) -> set[str]:
        r = pf(tmp_path, "search", *args)
        assert r.returncode == 0, (args, r.stderr)
        return {h["id"] for h in json.loads(r.stdout)["hits"]}

    eess = {"2503.11787", "2503.11893", "2506.02197"}  # the excerpt's eess.IV papers
    assert eess & ids("image restoration resolution", "--json")
    shown = ids("-cat:eess.IV image restoration resolution", "--json")
    assert shown and not shown & eess
    assert "2503.11906" in ids("deep learning", "--json")  # "A Survey on SAR ship classification ..."
    for args in (("--json", "-n", "20", "-survey deep learning"), ("--json", "--", "-survey deep learning")):
        shown = ids(*args)
        assert shown and "2503.11906" not in shown, args
    for args, says in ((["-survey"], "No such option: -s"), (["-cat:cs.CV"], "Missing argument 'query'")):
        r = pf(tmp_path, "search", *args)
        assert r.returncode == 2 and says in r.stderr and "goes after --: paperfeed search" in r.stderr, args
    r = pf(tmp_path, "search", "--jsn", "deep")  # a long option's typo: no word about queries
    assert r.returncode == 2 and "No such option: --jsn" in r.stderr and "goes after" not in r.stderr
