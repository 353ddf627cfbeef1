"""CSV paper files: column names, author and category separators, and bad input."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.records import PaperRecord
from paperfeed.sources import files

EXCERPT = Path(__file__).parent.parent / "data" / "files" / "papers-excerpt.csv"  # 3 real papers


def split(items):
    items = list(items)
    return [r for r in items if isinstance(r, PaperRecord)], [e for e in items if isinstance(e, RecordError)]


def test_real_papers_with_three_author_styles():
    recs, errs = split(files.read(EXCERPT))
    assert errs == []
    safe, scene, larp = recs
    assert safe.arxiv_id == "2503.11742"  # the "arXiv ID" column
    assert safe.title == "Safe Vision-Language Models via Unsafe Weights Manipulation"
    assert safe.abstract.startswith("Vision-language models (VLMs) often inherit the biases and unsafe associations")
    assert safe.authors == [  # ";"-separated
        "Moreno D'Incà", "Elia Peruzzo", "Xingqian Xu", "Humphrey Shi", "Nicu Sebe", "Massimiliano Mancini"
    ]  # fmt: skip
    assert safe.categories == ["cs.CV", "cs.AI"]  # space-separated
    assert safe.published == datetime(2025, 3, 18, tzinfo=UTC)
    assert safe.comment == "Work in progress"
    assert safe.abs_url == "https://arxiv.org/abs/2503.11742"
    assert safe.source == "csv"
    assert scene.authors[:2] == ["Christopher Xie", "Armen Avetisyan"] and len(scene.authors) == 8  # a JSON list
    assert scene.project_url == "https://www.projectaria.com/scenescript/"
    assert larp.authors == ["Ming Yan", "Ruihao Li", "Hao Zhang", "Ji Yan"]  # " and "-separated
    assert larp.upvotes == 30 and larp.categories == []


def test_column_names_and_value_styles(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "TITLE,Summary,author,Category,date,DOI,Url,upvotes,extra\n"
        '"Zeta, a title with a comma","Multi\nline abstract","Smith, John; Doe, Jane","cs.LG;stat.ML",'
        "2024,10.1/x,https://example.org/paper,3,ignored\n"
        "\n"
        'Second,abs,"Ann Lee, Bo Chen and Cy Dee","cs.CL, cs.AI",2024-03,,https://arxiv.org/abs/2403.00001v2,,\n',
        encoding="utf-8",
    )
    recs, errs = split(files.read(path))
    assert errs == []
    zeta, second = recs
    assert zeta.title == "Zeta, a title with a comma" and zeta.abstract == "Multi line abstract"
    assert zeta.authors == ["John Smith", "Jane Doe"]
    assert zeta.categories == ["cs.LG", "stat.ML"]
    assert zeta.published == datetime(2024, 1, 1, tzinfo=UTC)
    assert zeta.arxiv_id is None and zeta.id.startswith("pf-") and zeta.abs_url == "https://example.org/paper"
    assert zeta.doi == "10.1/x" and zeta.upvotes == 3
    assert second.arxiv_id == "2403.00001" and second.version == 2  # from the URL
    assert second.authors == ["Ann Lee", "Bo Chen", "Cy Dee"]
    assert second.categories == ["cs.CL", "cs.AI"]
    assert second.published.date() == date(2024, 3, 1)


def test_tsv_and_gzip(tmp_path):
    (tmp_path / "a.tsv").write_text("id\ttitle\n2401.00001\tTab separated\n")
    with gzip.open(tmp_path / "b.csv.gz", "wt", encoding="utf-8") as f:
        f.write("id,title\n2401.00002,Gzipped\n")
    assert [r.title for r in files.read(tmp_path / "a.tsv")] == ["Tab separated"]
    assert [r.title for r in files.read(tmp_path / "b.csv.gz")] == ["Gzipped"]


def test_no_title_column_names_the_columns_found(tmp_path):
    path = tmp_path / "no-title.csv"
    path.write_text("id,name,abstract\n2401.00001,x,y\n")
    with pytest.raises(SourceError) as err:
        list(files.read(path))
    assert err.value.source == "csv" and err.value.location == str(path)
    assert "no title column" in str(err.value) and "'id', 'name', 'abstract'" in str(err.value)


def test_bad_rows_are_named_by_line_and_the_rest_still_yield(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"id,title,abstract,upvotes\n"
        b'2401.00001,"Two-line\nrow",ok,1\n'
        b"2401.00002,Caf\xe9 latin-1,abs,\n"  # line 4
        b"2401.00003,,no title,\n"  # line 5
        b"2401.00004,Bad votes,abs,many\n"  # line 6
        b"2401.00005,Fine,abs,2\n"
    )
    recs, errs = split(files.read(path))
    assert [r.arxiv_id for r in recs] == ["2401.00001", "2401.00005"]
    assert [(e.location, e.record) for e in errs] == [
        ("bad.csv line 4", "2401.00002"), ("bad.csv line 5", "2401.00003"), ("bad.csv line 6", "2401.00004")
    ]  # fmt: skip
    assert "not valid UTF-8" in errs[0].message and "0xe9" in errs[0].message and "'title'" in errs[0].message
    assert errs[1].message == "missing title"
    assert errs[2].message == "bad upvote count 'many'"


def test_a_quote_never_closed_is_an_error_not_one_long_title(tmp_path):
    """A stray quote used to swallow every row after it into one field, imported as one absurd title."""
    path = tmp_path / "stray.csv"
    path.write_text('title,authors,year\nFirst paper,A,2020\n"Second, a stray quote,B,2020\nThird paper,C,2021\n')
    recs, errs = split(files.read(path))
    assert [r.title for r in recs] == ["First paper"]
    assert [(e.location, e.message) for e in errs] == [
        ("stray.csv line 3", "a quote opened on this line is never closed (the rest of the file would be one field)")
    ]
    mixed = tmp_path / "mixed.csv"
    mixed.write_text('title,authors\n"Quoted ""inner"" words",A\n5" displays,B\n')  # both are fine CSV
    assert [r.title for r in split(files.read(mixed))[0]] == ['Quoted "inner" words', '5" displays']


def test_50_mb_abstract(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.write(b"id,title,abstract\n2401.00001,Before,ok\n")
        f.write(b'2401.00002,Huge,"' + b"a" * 50_000_000 + b'"\n')
        f.write(b"2401.00003,After,ok\n")
    recs, errs = split(files.read(path))
    assert [r.title for r in recs] == ["Before", "After"]
    (err,) = errs
    assert err.location == "huge.csv line 3" and "limit" in err.message


def test_abstract_over_the_record_limit(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("title,abstract\nLong," + "x" * 60_000 + "\n")
    (err,) = split(files.read(path))[1]
    assert "abstract is 60,000 characters long (limit 50,000)" in err.message


def test_empty_file_and_header_only(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_text("title,abstract\n")
    assert list(files.read(tmp_path / "empty.csv")) == []
    assert list(files.read(tmp_path / "header.csv")) == []


def test_truncated_gzip(tmp_path):
    rows = "".join(f"2401.{i:05d},Paper number {i},An abstract for paper {i}.\n" for i in range(3000))
    whole = gzip.compress(("id,title,abstract\n" + rows).encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SourceError, match="truncated gzip file after line"):
        list(files.read(path))
