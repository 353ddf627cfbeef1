"""JSON Lines and JSON paper files: the four field layouts, streaming, and every bad input."""

from __future__ import annotations

import dataclasses
import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.records import Featured, PaperRecord
from paperfeed.sources import files

DATA = Path(__file__).parent.parent / "data"
ARXIV = DATA / "files" / "arxiv-cs-2025-2026-excerpt.jsonl.gz"  # lines 1-20, 72 and 13402 of the corpus
HF2024 = DATA / "files" / "hf-daily-papers-2024-excerpt.jsonl.gz"  # lines 1-20 and 37
HF_DAILY = DATA / "fixtures" / "hf-daily-papers-2026-06-12.json"
HF_PAPER = DATA / "fixtures" / "hf-paper-2608.09888.json"


def split(items):
    items = list(items)
    return [r for r in items if isinstance(r, PaperRecord)], [e for e in items if isinstance(e, RecordError)]


def write_lines(path: Path, *objs) -> Path:
    lines = [o if isinstance(o, bytes) else orjson.dumps(o) for o in objs]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


GOOD = {"id": "2401.00001", "title": "A good paper", "abstract": "Fine.", "authors": ["A. Author"]}


# --- real data ---------------------------------------------------------------------------------------


def test_arxiv_listing_corpus():
    recs, errs = split(files.read(ARXIV))
    assert len(recs) == 22 and errs == []
    first = recs[0]
    assert first.arxiv_id == "2503.11731"
    assert first.title.startswith("Industrial-Grade Sensor Simulation via Gaussian Splatting")
    assert first.authors[:2] == ["Xianming Zeng", "Sicong Du"] and first.authors[-1] == "Qiang Li"
    assert len(first.authors) == 16
    assert first.categories == ["cs.CV", "cs.RO"] and first.primary_category == "cs.CV"
    assert first.announced == date(2025, 3, 18)
    assert first.pdf_url == "https://arxiv.org/pdf/2503.11731"
    assert first.abs_url == "https://arxiv.org/abs/2503.11731"
    assert first.comment is None and first.published is None
    assert "\n" not in first.abstract and first.abstract.startswith("Sensor simulation is pivotal")
    assert first.source == "jsonl"
    by_id = {r.arxiv_id: r for r in recs}
    assert by_id["2503.11742"].comment == "Work in progress"
    assert by_id["2503.11742"].authors[0] == "Moreno D'Incà"
    # a project page named in the comment becomes the project link
    assert by_id["2503.11806"].project_url == "https://www.projectaria.com/scenescript/"
    # ACM classes among the categories ("I.4") are not arXiv categories: dropped, the paper kept
    assert by_id["2503.12260"].categories == ["cs.CV"]
    # real data is kept as it came: this author list was scraped as one 512-character name
    assert max(len(a) for a in by_id["2506.02197"].authors) == 512


def test_hf_daily_papers_dump():
    recs, errs = split(files.read(HF2024))
    assert errs == [] and len(recs) == 21
    larp = recs[0]
    assert larp.arxiv_id == "2312.17653"
    assert larp.title == "LARP: Language-Agent Role Play for Open-World Games"
    assert larp.authors == ["Ming Yan", "Ruihao Li", "Hao Zhang", "Ji Yan"]
    assert larp.upvotes == 30
    assert larp.featured == [Featured(date(2024, 1, 1), None, 30)]
    assert larp.project_url == "https://miao-ai-lab.github.io/LARP/"
    tiny = recs[-1]
    assert tiny.title == "TinyLlama: An Open-Source Small Language Model"
    assert [f.day for f in tiny.featured] == [date(2024, 1, 5), date(2024, 1, 6), date(2024, 1, 7)]
    assert {f.upvotes for f in tiny.featured} == {89}


def test_hf_daily_papers_response_as_a_json_file():
    recs, errs = split(files.read(HF_DAILY))
    assert errs == [] and len(recs) == 30
    msa = next(r for r in recs if r.arxiv_id == "2606.13392")
    assert msa.upvotes == 103 and msa.code_url == "https://github.com/MiniMax-AI/MSA"
    assert msa.featured == [Featured(date(2026, 6, 12), "ryanlee-dev", 103)]
    assert msa.source == "json"


def test_hf_paper_object_as_a_pretty_printed_json_file():
    recs, errs = split(files.read(HF_PAPER))
    assert errs == [] and len(recs) == 1
    (rec,) = recs
    assert rec.arxiv_id == "2608.09888" and rec.upvotes == 782
    assert rec.authors[0] == "Björn Engdahl"
    assert rec.code_url == "https://github.com/pathwaycom/arc-task-gen"
    assert rec.keywords[:2] == ["in-context learning", "recurrent latent reasoning"]
    assert rec.featured == [Featured(date(2026, 8, 11), "janchorowski", 782)]


# --- the other layouts -------------------------------------------------------------------------------

KAGGLE = {
    "id": "0704.0001",
    "submitter": "Pavel Nadolsky",
    "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
    "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
    "comments": "37 pages, 15 figures; published version",
    "journal-ref": "Phys.Rev.D76:013009,2007",
    "doi": "10.1103/PhysRevD.76.013009",
    "report-no": "ANL-HEP-PR-07-12",
    "categories": "hep-ph",
    "license": None,
    "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\npresented.\n",
    "versions": [
        {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
        {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
    ],
    "update_date": "2008-11-13",
    "authors_parsed": [
        ["Balázs", "C.", ""],
        ["Berger", "E. L.", ""],
        ["Nadolsky", "P. M.", ""],
        ["Yuan", "C. -P.", ""],
    ],
}


def test_arxiv_metadata_dump_layout(tmp_path):
    old_style = {**KAGGLE, "id": "math/0406594", "categories": "math.CO cs.CG", "authors_parsed": []}
    old_style["authors"] = "Ileana Streinu (Smith College), Louis Theran and J. Doe"
    # the dump is named .json but holds one object per line
    recs, errs = split(files.read(write_lines(tmp_path / "arxiv-metadata-oai-snapshot.json", KAGGLE, old_style)))
    assert errs == []
    rec, old = recs
    assert rec.arxiv_id == "0704.0001" and rec.version == 2
    assert rec.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert rec.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert rec.comment == "37 pages, 15 figures; published version"
    assert rec.journal_ref == "Phys.Rev.D76:013009,2007" and rec.doi == "10.1103/PhysRevD.76.013009"
    assert rec.categories == ["hep-ph"]
    assert rec.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert rec.updated == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert rec.abstract == "A fully differential calculation in perturbative quantum chromodynamics is presented."
    assert rec.source == "json"
    assert old.arxiv_id == "math/0406594" and old.categories == ["math.CO", "cs.CG"]
    assert old.authors == ["Ileana Streinu", "Louis Theran", "J. Doe"]
    # without authors_parsed the LaTeX in the authors string is cleaned
    (latex,) = split(files.read(write_lines(tmp_path / "one.jsonl", {**KAGGLE, "authors_parsed": None})))[0]
    assert latex.authors[0] == "C. Balázs"


def test_paperfeed_export_round_trips(tmp_path):
    original = PaperRecord(
        title="A paper with everything",
        abstract="Code at https://github.com/o/r.",
        arxiv_id="2401.01234",
        version=3,
        authors=["Ann One", "Bob Two"],
        primary_category="cs.LG",
        categories=["cs.LG", "stat.ML"],
        comment="10 pages",
        journal_ref="J. Things 1 (2024)",
        doi="10.1/xyz",
        published=datetime(2024, 1, 2, 10, 0, tzinfo=UTC),
        updated=datetime(2024, 2, 3, tzinfo=UTC),
        announced=date(2024, 1, 3),
        code_url="https://github.com/o/r",
        project_url="https://o.github.io/r/",
        upvotes=42,
        keywords=["things", "stuff"],
        featured=[Featured(date(2024, 1, 3), "someone", 40), Featured(date(2024, 1, 4), None, 42)],
    )
    exported = orjson.dumps(dataclasses.asdict(original))
    (rec,) = split(files.read(write_lines(tmp_path / "export.jsonl", exported)))[0]
    expected = dataclasses.replace(
        original,
        abs_url="https://arxiv.org/abs/2401.01234",
        pdf_url="https://arxiv.org/pdf/2401.01234",
        source="jsonl",
    )
    assert rec == expected


def test_hf_api_like_keys_and_non_arxiv_ids(tmp_path):
    hf_like = {
        "id": "2401.00002",
        "title": "HF-like",
        "summary": "An abstract.",
        "publishedAt": "2024-01-02T00:00:00.000Z",
        "githubRepo": "https://github.com/a/b",
        "projectPage": "https://a.github.io/b",
        "ai_keywords": ["k1", "k2"],
        "authors": [{"name": "First Author"}, {"name": "Second Author"}],
        "upvotes": 7,
        "submittedOnDailyAt": "2024-01-03T00:00:00.000Z",
        "submittedOnDailyBy": {"user": "akhaliq"},
    }
    non_arxiv = {
        "id": "openreview:abc123",
        "title": "Not On arXiv",
        "abstract": "x",
        "url": "https://openreview.net/forum?id=abc123",
    }
    explicit_none = {"id": "pf-1234", "arxiv_id": None, "title": "Exported Non-arXiv Paper"}
    url_only = {"title": "Only a URL", "url": "https://arxiv.org/abs/2402.00003v2"}
    recs, errs = split(files.read(write_lines(tmp_path / "mixed.ndjson", hf_like, non_arxiv, explicit_none, url_only)))
    assert errs == []
    a, b, c, d = recs
    assert a.arxiv_id == "2401.00002" and a.abstract == "An abstract."
    assert a.authors == ["First Author", "Second Author"]
    assert (a.code_url, a.project_url, a.keywords, a.upvotes) == (
        "https://github.com/a/b",
        "https://a.github.io/b",
        ["k1", "k2"],
        7,
    )
    assert a.published == datetime(2024, 1, 2, tzinfo=UTC)
    assert a.featured == [Featured(date(2024, 1, 3), "akhaliq", 7)]
    assert b.arxiv_id is None and b.id.startswith("pf-") and b.abs_url == "https://openreview.net/forum?id=abc123"
    assert c.arxiv_id is None and c.id.startswith("pf-")
    assert d.arxiv_id == "2402.00003" and d.version == 2


def test_a_collection_export_imports_again_without_counting_votes_twice(lite_store, tmp_path):
    """paperfeed's own collection JSON ({"papers": [...]}, totals with this community's votes) read back:
    the papers come in, and their upvotes are the imported snapshot, not the total (a vote counted twice)."""
    from fastapi.testclient import TestClient

    from paperfeed.ingest import import_items
    from paperfeed.store import collections as store_collections
    from paperfeed.store import community
    from paperfeed.store import papers as store_papers
    from paperfeed.store import users as store_users
    from tests.helpers.web import make_app, paper

    import_items(lite_store, [paper(1, upvotes=3), paper(2, upvotes=0)])
    with lite_store.transaction() as conn:
        uid = store_users.create_user(conn, username="ann", password_hash="x").id
        cid = store_collections.create(conn, user_id=uid, name="Reading", is_public=True)
        for pid in ("2401.00001", "2401.00002"):
            store_collections.add_paper(conn, cid, pid)
        community.vote(conn, user_id=uid, paper_id="2401.00001", value=1)
    with TestClient(make_app(lite_store, tmp_path)) as c:
        exported = c.get(f"/collections/{cid}.json").json()
    path = tmp_path / "reading.json"
    path.write_text(json.dumps(exported))
    recs, errs = split(files.read(path))
    assert errs == [] and sorted((r.arxiv_id, r.upvotes) for r in recs) == [("2401.00001", 3), ("2401.00002", 0)]
    import_items(lite_store, recs)  # into the same site again: nothing changes
    with lite_store.read() as conn:
        assert store_papers.get_paper(conn, "2401.00001").upvotes == 4  # 3 imported + 1 vote, not 5


def test_json_list_and_single_object(tmp_path):
    (tmp_path / "list.json").write_text(json.dumps([GOOD, {**GOOD, "id": "2401.00002"}, "oops"], indent=2))
    recs, errs = split(files.read(tmp_path / "list.json"))
    assert [r.arxiv_id for r in recs] == ["2401.00001", "2401.00002"]
    assert errs[0].location == "list.json item 3" and "expected a JSON object" in errs[0].message  # from 1
    (tmp_path / "one.json").write_text(json.dumps(GOOD, indent=2))
    assert [r.arxiv_id for r in files.read(tmp_path / "one.json")] == ["2401.00001"]


def test_gzipped_json_and_jsonl(tmp_path):
    with gzip.open(tmp_path / "a.jsonl.gz", "wb") as f:
        f.write(orjson.dumps(GOOD) + b"\n")
    with gzip.open(tmp_path / "a.JSON.GZ", "wb") as f:
        f.write(orjson.dumps([GOOD]))
    assert [r.arxiv_id for r in files.read(tmp_path / "a.jsonl.gz")] == ["2401.00001"]
    assert [r.arxiv_id for r in files.read(tmp_path / "a.JSON.GZ")] == ["2401.00001"]


# --- bad input ---------------------------------------------------------------------------------------


def test_malformed_line_is_named_and_the_rest_still_yield(tmp_path):
    path = write_lines(
        tmp_path / "papers.jsonl",
        GOOD,
        b'{"id": "2401.00009", "title": "cut off',
        b"",
        b"[1, 2]",
        b'"text"',
        {**GOOD, "id": "2401.00003"},
    )
    items = list(files.read(path))
    recs, errs = split(items)
    assert [r.arxiv_id for r in recs] == ["2401.00001", "2401.00003"]
    assert [e.location for e in errs] == ["papers.jsonl line 2", "papers.jsonl line 4", "papers.jsonl line 5"]
    assert "malformed JSON" in errs[0].message
    assert str(errs[0]).startswith("jsonl: papers.jsonl line 2: malformed JSON")
    assert errs[1].message == "expected a JSON object, got a list"
    assert errs[2].message == "expected a JSON object, got a string"


def test_missing_title_and_bad_fields_name_the_record(tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl",
        {"id": "2401.00004", "abstract": "no title"},
        {"id": "2401.00005", "title": "t", "upvotes": "lots"},
        {"id": "2401.00006", "title": "t", "published": "yesterday"},
        {"id": "2401.00007", "title": ["a", "list"]},
        {"arxiv_id": "not-an-id", "title": "t"},
    )
    errs = split(files.read(path))[1]
    assert [(e.location, e.record) for e in errs] == [(f"p.jsonl line {n}", rid) for n, rid in [
        (1, "2401.00004"), (2, "2401.00005"), (3, "2401.00006"), (4, "2401.00007"), (5, "not-an-id")
    ]]  # fmt: skip
    assert [e.message for e in errs[:2]] == ["missing title", "bad upvote count 'lots'"]
    assert "bad published date" in errs[2].message
    assert "title must be text" in errs[3].message
    assert "not an arXiv id" in errs[4].message


def test_latin1_bytes_in_a_utf8_file(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", GOOD, '{"id": "2401.00008", "title": "Caf\u00e9"}'.encode("latin-1"), GOOD)
    recs, errs = split(files.read(path))
    assert len(recs) == 2
    (err,) = errs
    assert err.location == "p.jsonl line 2"
    assert "not valid UTF-8" in err.message and "0xe9" in err.message


def test_truncated_gzip(tmp_path):
    whole = gzip.compress(b"".join(orjson.dumps({**GOOD, "id": f"2401.{i:05d}"}) + b"\n" for i in range(2000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    got = []
    with pytest.raises(SourceError) as err:
        for item in files.read(path):
            got.append(item)
    assert "truncated gzip file after line" in str(err.value)
    assert err.value.source == "jsonl" and err.value.location == str(path)
    assert f"after line {len(got):,}" in str(err.value)
    assert 0 < len(got) < 2000 and all(isinstance(r, PaperRecord) for r in got)


def test_not_gzip_data_behind_a_gz_suffix(tmp_path):
    path = tmp_path / "plain.jsonl.gz"
    path.write_bytes(orjson.dumps(GOOD) + b"\n")
    with pytest.raises(SourceError, match="not a gzip file"):
        list(files.read(path))


def test_50_mb_abstract_is_refused_without_stopping_the_file(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.write(orjson.dumps(GOOD) + b"\n")
        f.write(b'{"id": "2401.09999", "title": "Huge", "abstract": "' + b"a" * 50_000_000 + b'"}\n')
        f.write(orjson.dumps({**GOOD, "id": "2401.00010"}) + b"\n")
    recs, errs = split(files.read(path))
    assert [r.arxiv_id for r in recs] == ["2401.00001", "2401.00010"]
    (err,) = errs
    assert err.location == "huge.jsonl line 2"
    assert "limit" in err.message and "50,000,0" in err.message


def test_abstract_over_the_record_limit(tmp_path):
    path = write_lines(tmp_path / "long.jsonl", {**GOOD, "abstract": "word " * 12_000})
    (err,) = split(files.read(path))[1]
    assert err.record == "2401.00001" and "abstract is 59,999 characters long (limit 50,000)" in err.message


def test_empty_and_blank_files(tmp_path):
    for name, data in [("e.jsonl", b""), ("b.jsonl", b"\n\n  \n"), ("e.json", b""), ("b.json", b"  \n")]:
        (tmp_path / name).write_bytes(data)
        assert list(files.read(tmp_path / name)) == []


def test_malformed_json_file(tmp_path):
    (tmp_path / "bad.json").write_text('[{"title": "a"},\n {"title": ')
    with pytest.raises(SourceError) as err:
        list(files.read(tmp_path / "bad.json"))
    assert err.value.source == "json" and "malformed JSON" in str(err.value)
    (tmp_path / "num.json").write_text("42")
    with pytest.raises(SourceError, match="expected a JSON list or object"):
        list(files.read(tmp_path / "num.json"))


def test_byte_order_mark(tmp_path):
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + orjson.dumps(GOOD) + b"\n")
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + orjson.dumps([GOOD]))
    assert [r.arxiv_id for r in files.read(tmp_path / "bom.jsonl")] == ["2401.00001"]
    assert [r.arxiv_id for r in files.read(tmp_path / "bom.json")] == ["2401.00001"]
