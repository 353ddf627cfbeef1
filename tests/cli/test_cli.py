"""The `paperfeed` command as a user runs it: real files, a real local HTTP server; its answers (output, exit
code, database) from its entry point in the test's process (``pf_here``), a real process where the process is
the point (``serve``, Ctrl-C, what loads at start-up)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from paperfeed.cli import app
from paperfeed.index.embed import MODEL_NAME
from paperfeed.settings import Settings
from paperfeed.store import Store
from paperfeed.store import keywords as store_keywords
from paperfeed.store import papers as P
from paperfeed.store import summaries as store_summaries
from paperfeed.store import vectors as store_vectors
from tests.helpers.cli import first_answer, pf_here
from tests.helpers.mail import free_port

DATA = Path(__file__).resolve().parent.parent / "data"
FIXTURES = DATA / "fixtures"
FILES = DATA / "files"


def stats(db_url: str) -> dict:
    store = Store.open(db_url)
    with store.read() as conn:
        counts = P.counts(conn)
    store.close()
    return counts


def test_stats_json_is_one_object(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    r = pf_here(url, "stats", "--json")
    assert r.returncode == 0 and stats(url)["papers"] == 0
    assert json.loads(r.stdout) == {**stats(url), "not_embedded": 0, "embedded": 0}


def test_stats_say_how_many_papers_wait_for_embedding(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert pf_here(url, "import", str(FILES / "papers-page-sample.txt")).returncode == 0
    got = json.loads(pf_here(url, "stats", "--json").stdout)
    assert got["papers"] == 102 and got["not_embedded"] == 102 and got["embedded"] == 0
    assert "not embedded" in pf_here(url, "stats").stdout


@pytest.mark.parametrize(
    "cmd",
    [
        [],
        ["import"],
        ["fetch"],
        ["fetch", "arxiv"],
        ["fetch", "oai"],
        ["fetch", "rss"],
        ["fetch", "hf"],
        ["stats"],
        ["demo"],
        ["serve"],
        ["init"],
        ["settings"],
    ],
)
def test_help_everywhere(cmd):
    r = CliRunner().invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "Usage" in r.output
    if cmd == ["serve"]:
        assert "papers" in r.output


def test_import_twice_adds_nothing(db_url):
    corpus = str(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz")
    first = pf_here(db_url, "import", corpus)
    assert first.returncode == 0, first.stderr
    assert "22 added" in first.stdout
    second = pf_here(db_url, "import", corpus, corpus, "--json")  # JSON Lines: one summary a line, a line a file
    assert second.returncode == 0, second.stderr
    lines = [json.loads(line) for line in second.stdout.splitlines()]
    assert [(s["file"], s["added"], s["unchanged"]) for s in lines] == [(Path(corpus).name, 0, 22)] * 2
    s = stats(db_url)
    assert s["papers"] == 22 and s["categories"] > 3


def test_import_every_format(db_url):
    paths = [FILES / n for n in ("hf-daily-papers-2024-excerpt.jsonl.gz", "papers-excerpt.csv", "references.bib")]
    r = pf_here(db_url, "import", *map(str, paths), str(FILES / "papers-page-sample.txt"), "--page-day", "2025-03-18")
    # references.bib holds a deliberately broken entry: that file imports nothing and the command says so
    # (exit code 2, as for a single bad file); the other files are imported
    assert r.returncode == 2 and "references.bib line 49" in r.stderr, r.stderr
    s = stats(db_url)
    assert s["papers"] >= 102 + 21 and s["featured_days"] >= 2 and s["other_papers"] >= 90


def test_bad_record_imports_nothing_and_says_where(db_url, tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "2401.00001", "title": "Good", "abstract": "ok"})
    bad.write_text(good + "\n" + '{"id": "2401.00002", "title": ' + "\n" + good.replace("00001", "00003") + "\n")
    r = pf_here(db_url, "import", str(bad))
    assert r.returncode == 2
    line = r.stderr.strip()
    assert "\n" not in line and "bad.jsonl line 2" in line and "Traceback" not in line
    assert stats(db_url)["papers"] == 0
    r = pf_here(db_url, "import", "--skip-bad", str(bad))
    assert r.returncode == 0 and "2 added" in r.stdout and "line 2" in r.stderr
    assert stats(db_url)["papers"] == 2


def test_50mb_abstract_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    big = tmp_path / "big.jsonl"
    with big.open("w") as f:
        f.write(json.dumps({"id": "2401.00001", "title": "Huge", "abstract": "x" * 50_000_000}) + "\n")
    r = pf_here(url, "import", str(big))
    assert r.returncode == 2 and "big.jsonl line 1" in r.stderr and "limit" in r.stderr
    assert stats(url)["papers"] == 0


def test_truncated_gzip_and_wrong_encoding(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    data = (FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz").read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    r = pf_here(url, "import", str(cut))
    assert r.returncode != 0 and "cut.jsonl.gz" in r.stderr and "Traceback" not in r.stderr
    assert stats(url)["papers"] == 0
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"id": "2401.00001", "title": "Caf\u00e9"}\n'.encode("latin-1"))
    r = pf_here(url, "import", str(latin))
    assert r.returncode == 2 and "latin.jsonl line 1" in r.stderr


def test_errors_are_one_line_and_debug_shows_traceback(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    r = pf_here(url, "import", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "missing.jsonl" in r.stderr
    r = pf_here(url, "--debug", "import", str(tmp_path / "missing.jsonl"))
    assert r.returncode != 0 and "Traceback" in r.stderr
    r = pf_here(url, "import", str(tmp_path / "x.docx"))
    assert r.returncode == 1 and "x.docx" in r.stderr
    assert not (tmp_path / "x.db").exists()  # nothing imported: no empty database made on the way
    (tmp_path / "papers").mkdir()
    r = pf_here(url, "import", str(tmp_path / "papers"))
    assert r.returncode == 1 and "a folder: give the files in it" in r.stderr


def test_usage_mistakes_get_usage_messages_and_exit_2(tmp_path):
    """Not "error: MissingParameter ..." and 1, as when typer's own copy of click escaped the check."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for args, says in [
        (["search"], "Missing argument 'query'"),
        (["search", "x", "-n", "-5"], "Invalid value for '--limit'"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["serve", "--port", "70000"], "Invalid value for '--port'"),  # it listened on 70000 - 65536
    ]:
        r = pf_here(url, *args)
        assert r.returncode == 2 and "Usage: " in r.stderr and says in r.stderr, args
        assert "error:" not in r.stderr, args


def test_a_mistyped_data_dir_is_named_not_filled_with_an_empty_database(tmp_path):
    typo = tmp_path / "paperfed-data"
    for args in (["stats"], ["search", "diffusion"], ["similar", "2401.00001"], ["index"], ["digest", "status"]):
        r = pf_here(None, "--data-dir", str(typo), *args)
        assert r.returncode == 1 and f"no paperfeed database in {typo}" in r.stderr, args
    assert not typo.exists()


def test_settings_never_print_secrets(tmp_path):
    env = {"PAPERFEED_SECRET_KEY": "topsecretkey123", "PAPERFEED_SMTP_PASSWORD": "smtp-pw-456"}
    r = pf_here("postgresql+psycopg://reader:pw789@db.example.org/papers", "settings", env=env)
    assert r.returncode == 0 and "postgresql+psycopg://reader:***@db.example.org/papers" in r.stdout
    assert not any(secret in r.stdout for secret in ("topsecretkey123", "smtp-pw-456", "pw789"))


CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"


@pytest.mark.skipif(not CORPUS.exists(), reason="needs the 75k corpus (../shared/data) to still be importing")
def test_ctrl_c_says_what_became_of_the_work(tmp_path):
    import signal
    import time

    env = os.environ | {"PAPERFEED_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    proc = subprocess.Popen([sys.executable, "-m", "paperfeed", "import", str(CORPUS)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted: what was committed stays" in err and "Traceback" not in err


def test_help_and_completion_load_no_database_model_or_parser_code():
    """Every command module is imported to register its commands: they must import the store, the sources
    and the models only when a command runs, or ``--help`` and each tab completion pay for all of them."""
    heavy = ["sqlalchemy", "alembic", "numpy", "bibtexparser", "httpx", "torch", "tantivy", "onnxruntime", "fastapi"]
    probe = (
        "import sys, contextlib, io\n"
        "from paperfeed.cli import app\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    app(['--help'])\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    env = os.environ | {"COLUMNS": "100"}
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"loaded for --help: {r.stdout.strip()}"


def test_settings_file_env_and_bad_values(tmp_path):
    cfg = tmp_path / "paperfeed.toml"
    cfg.write_text("page_items = 7\nhttp_delay = 1.5\n")
    env = {"PAPERFEED_HTTP_DELAY": None, "COLUMNS": "250"}  # the file's http_delay, not pf's quick one
    r = pf_here("", "--config", str(cfg), "--data-dir", str(tmp_path / "d"), "settings", env=env)
    assert r.returncode == 0, r.stderr
    assert "page_items" in r.stdout and " 7 " in r.stdout and "1.5" in r.stdout and str(tmp_path / "d") in r.stdout
    # an 80-column terminal: names and variables whole, to be copied; nothing cut off
    r = pf_here("", "--data-dir", str(tmp_path / "d"), "settings", env={"COLUMNS": "80"})
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and max(map(len, lines)) <= 80 and "…" not in r.stdout
    variables = {f"PAPERFEED_{name.upper()}" for name in Settings.model_fields}
    assert variables <= set(re.findall(r"PAPERFEED_\w+", r.stdout))
    r = pf_here(f"sqlite:///{tmp_path / 'x.db'}", "stats", env={"PAPERFEED_HTTP_DELAY": "-3"})
    assert r.returncode == 1 and "http_delay" in r.stderr and r.stderr.count("\n") == 1
    r = pf_here(f"sqlite:///{tmp_path / 'x.db'}", "stats", env={"PAPERFEED_EMBED_MODEL": str(tmp_path)})
    assert r.returncode == 1 and "embed_model" in r.stderr and "not a sentence-transformers model folder" in r.stderr
    for bad in ("not a url", "papers.example.org", "ftp://papers.example.org", "https://"):
        r = pf_here(f"sqlite:///{tmp_path / 'x.db'}", "stats", env={"PAPERFEED_BASE_URL": bad})
        assert r.returncode == 1 and "base_url" in r.stderr and "absolute http(s) URL" in r.stderr, bad
    cfg.write_text("no_such_setting = 1\n")
    r = pf_here(f"sqlite:///{tmp_path / 'x.db'}", "--config", str(cfg), "stats")
    assert r.returncode == 1 and "no_such_setting" in r.stderr


def test_data_dir_default_database(tmp_path):
    r = pf_here(None, "--data-dir", str(tmp_path / "data"), "init")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "data" / "paperfeed.db").exists()


def test_demo_loads_bundled_data_idempotently(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    # the demo's sentences for faceted similar papers are embedded by the job, minutes of CPU: not tested here
    env = {"PAPERFEED_DATA_DIR": str(tmp_path / "data"), "PAPERFEED_INDEX_SENTENCES": "false"}
    r = pf_here(url, "demo", "--no-serve", env=env)
    assert r.returncode == 0, r.stderr
    s = stats(url)
    assert s["papers"] == 2930 and s["featured_days"] == 316 and s["imported_upvotes"] > 50_000
    # the shipped vectors and keyphrases: every demo paper is searchable by meaning and has keywords
    store = Store.open(url)
    with store.read() as conn:
        assert store_vectors.count_to_embed(conn, MODEL_NAME) == 0
        assert store_keywords.count_keywords(conn) > 3 * s["papers"]
        assert store_summaries.count_summaries(conn) == s["papers"]  # shipped: the job had none to make
    store.close()
    r = pf_here(url, "search", "teaching robots to walk over rough ground", "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["lexical_only"] is False
    assert pf_here(url, "demo", "--no-serve", env=env).returncode == 0
    assert stats(url) == s


# --- network harvests against recorded responses ---------------------------------------------------------


def test_fetch_arxiv_pages_and_resumes_after_failure(db_url, httpserver):
    page1 = (FIXTURES / "arxiv-api-query-2026.atom.xml").read_bytes()
    page2 = (FIXTURES / "arxiv-api-query-2026-start10.atom.xml").read_bytes()
    ct = "application/atom+xml"
    httpserver.expect_request(
        "/api/query",
        query_string={
            "search_query": "all:testing",
            "start": "0",
            "max_results": "10",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
        },
    ).respond_with_data(page1, content_type=ct)
    httpserver.expect_request("/api/query").respond_with_data("overloaded", status=503)
    env = {"PAPERFEED_ARXIV_API_URL": httpserver.url_for("/api/query"), "PAPERFEED_PAGE_SIZE": "10"}
    r = pf_here(db_url, "fetch", "arxiv", "--query", "testing", "--max", "20", env=env)
    assert r.returncode == 1 and "503" in r.stderr and "start=10" in r.stderr
    assert stats(db_url)["papers"] == 10  # the first page stayed
    httpserver.clear()
    httpserver.expect_request("/api/query").respond_with_data(page2, content_type=ct)
    r = pf_here(db_url, "fetch", "arxiv", "--query", "testing", "--max", "20", env=env)
    assert r.returncode == 0, r.stderr
    assert "resumed from {'start': 10}" in r.stdout
    assert [req.args["start"] for req, _ in httpserver.log] == ["10"]
    assert stats(db_url)["papers"] == 20


def test_fetch_oai_harvest(db_url, httpserver):
    pages = [
        (FIXTURES / f"arxiv-oai-listrecords-oaidc-2023-{n}.xml").read_bytes() for n in ("page1", "page2", "page3-last")
    ]
    calls = iter(pages)
    httpserver.expect_request("/oai").respond_with_handler(
        lambda req: __import__("werkzeug").Response(next(calls), content_type="text/xml")
    )
    r = pf_here(
        db_url,
        "fetch",
        "oai",
        "--format",
        "oai_dc",
        "--date-from",
        "2023-03-07",
        env={"PAPERFEED_ARXIV_OAI_URL": httpserver.url_for("/oai")},
    )
    assert r.returncode == 0, r.stderr
    assert stats(db_url)["papers"] == 2265


def test_fetch_rss_and_hf(db_url, httpserver):
    httpserver.expect_request("/rss/cs.LG+cs.AI").respond_with_data(
        (FIXTURES / "arxiv-rss-multi-2026-09-24.rss.xml").read_bytes(), content_type="application/rss+xml"
    )
    httpserver.expect_request("/api/daily_papers", query_string={"date": "2026-06-12"}).respond_with_data(
        (FIXTURES / "hf-daily-papers-2026-06-12.json").read_bytes(), content_type="application/json"
    )
    env = {"PAPERFEED_ARXIV_RSS_URL": httpserver.url_for("/rss"), "PAPERFEED_HF_API_URL": httpserver.url_for("/api")}
    r = pf_here(db_url, "fetch", "rss", "cs.LG", "cs.AI", env=env)
    assert r.returncode == 0, r.stderr
    r = pf_here(db_url, "fetch", "hf", "--date", "2026-06-12", env=env)
    assert r.returncode == 0, r.stderr
    s = stats(db_url)
    assert s["papers"] == 4 + 30 and s["featured_days"] == 1


def test_fetch_bad_arguments(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert "give --category" in pf_here(url, "fetch", "arxiv").stderr
    r = pf_here(url, "fetch", "hf", "--date", "yesterday")
    assert r.returncode == 1 and "not a date" in r.stderr
    r = pf_here(url, "fetch", "arxiv", "--category", "cs.LG", "--date-from", "2026-06-10", "--date-to", "2026-06-01")
    assert r.returncode == 1 and "--date-from 2026-06-10 is after --date-to 2026-06-01" in r.stderr
    # a bad id is refused before any request (it used to go to arXiv, five tries and 39 s offline)
    r = pf_here(url, "fetch", "arxiv", "--id", "2401.01234", "--id", "notanid", env={"PAPERFEED_HTTP_RETRIES": "5"})
    assert r.returncode == 1 and "--id 'notanid' is not an arXiv id" in r.stderr and "onnect" not in r.stderr


def test_fetch_arxiv_ids_as_urls_reach_arxiv_as_ids(db_url, httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        (FIXTURES / "arxiv-api-query-2026.atom.xml").read_bytes(), content_type="application/atom+xml"
    )
    env = {"PAPERFEED_ARXIV_API_URL": httpserver.url_for("/api/query")}
    ids = ["--id", "https://arxiv.org/abs/2401.01234v2", "--id", "arXiv:hep-th/9901001"]
    r = pf_here(db_url, "fetch", "arxiv", *ids, "--max", "10", env=env)  # (the recorded page claims more)
    assert [req.args["id_list"] for req, _ in httpserver.log] == ["2401.01234v2,hep-th/9901001"]
    # the recorded page is another query's: the command says arXiv gave neither paper
    assert r.returncode == 1 and "arXiv has no paper 2401.01234v2, hep-th/9901001" in r.stderr, r.stderr


def test_serve_lists_the_papers(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert pf_here(url, "import", str(FILES / "hf-daily-papers-2024-excerpt.jsonl.gz")).returncode == 0
    port = free_port()
    env = os.environ | {"PAPERFEED_DATABASE_URL": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperfeed", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        r = first_answer(f"http://127.0.0.1:{port}/", proc)
        assert r.status_code == 200 and 'class="card"' in r.text and "featured" in r.text
        # with no base_url set, links in feeds (and mail, MCP answers) lead to where it serves, not :8000
        feed = httpx.get(f"http://127.0.0.1:{port}/feeds/daily.atom", timeout=30).text
        assert f"http://127.0.0.1:{port}/papers/" in feed and ":8000" not in feed
    finally:
        proc.terminate()
        proc.wait(10)


def test_help_shows_no_value_beside_a_flag(tmp_path):
    """``--json`` takes no value: its help line must not read ``--json <bool>``; options that take one keep
    their type."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    flags = pf_here(url, "stats", "--help", env={"COLUMNS": "120"}).stdout
    assert "--json" in flags and "<bool>" not in flags
    values = pf_here(url, "search", "--help", env={"COLUMNS": "120"}).stdout
    assert "<int" in values and "<bool>" not in values


def test_ctrl_c_while_the_command_loads_is_one_line():
    """A Ctrl-C in the second or so the command spends importing (before ``cli.main``'s own handler exists)
    ends it with one line and exit code 130, not a KeyboardInterrupt traceback."""
    script = (
        "import builtins\n"
        "real = builtins.__import__\n"
        "def interrupted(name, *args, **kw):\n"
        "    if name == 'paperfeed.cli':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kw)\n"
        "builtins.__import__ = interrupted\n"
        "from paperfeed.__main__ import run\n"
        "run()\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 130 and "Traceback" not in r.stderr and "interrupted" in r.stderr, r.stderr


def test_skipped_records_are_shown_as_written(db_url, tmp_path):
    """A bad record's text reaches the terminal literally: Rich markup in it ([/x]) neither crashes the
    report nor styles it, and an escape character does not act on the terminal."""
    bad = tmp_path / "[b]odd.jsonl"
    good = json.dumps({"id": "2401.00001", "title": "Good", "abstract": "ok"})
    hostile = json.dumps({"id": "2401.00002", "title": "[/x] \x1b[2J", "abstract": "ok", "published": "[/x]"})
    bad.write_text(good + "\n" + hostile + "\n")
    r = pf_here(db_url, "import", "--skip-bad", str(bad))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert "[b]odd.jsonl" in r.stdout and "1 added" in r.stdout, r.stdout
    assert "skipped" in r.stderr and "\x1b" not in r.stderr, r.stderr
