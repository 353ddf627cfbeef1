"""A papers page saved as text: header, title/abstract pairs, the featured day, and bad input."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.ids import stable_id
from paperfeed.records import Featured, PaperRecord
from paperfeed.sources import files
from paperfeed.sources.files.page_text import parse_date_line

SAMPLE = Path(__file__).parent.parent / "data" / "files" / "papers-page-sample.txt"  # 102 papers


def split(items):
    items = list(items)
    return [r for r in items if isinstance(r, PaperRecord)], [e for e in items if isinstance(e, RecordError)]


def test_the_saved_page():
    recs, errs = split(files.read(SAMPLE))
    assert errs == [] and len(recs) == 102
    first = recs[0]
    assert first.title == "TrAct: Making First-layer Pre-Activations Trainable"
    assert first.abstract.startswith("We consider the training of the first layer of vision models")
    assert first.arxiv_id is None and first.id == stable_id(first.title)
    assert first.source == "page"
    assert recs[1].title == "Mixture of Tunable Experts -- Behavior Modification of DeepSeek-R1 at Inference Time"
    assert recs[-1].title == "Can Models Learn Skill Composition from Examples?"
    assert recs[-1].abstract.endswith("substantially enhance the compositional capabilities of models.")
    # "Mar 18" with the current year (last year if that would be more than a week ahead)
    day = recs[0].featured[0].day
    assert (day.month, day.day) == (3, 18) and day.year in (date.today().year, date.today().year - 1)
    assert all(r.featured == [Featured(day)] for r in recs)
    assert len({r.id for r in recs}) == 102


def test_page_day_overrides_the_date_line():
    recs = list(files.read(SAMPLE, page_day=date(2024, 3, 18)))
    assert {f.day for r in recs for f in r.featured} == {date(2024, 3, 18)}


def test_date_lines():
    today = date(2026, 1, 5)
    assert parse_date_line("Mar 18", today) == date(2025, 3, 18)  # a March page seen in January: last year
    assert parse_date_line("Jan 3", today) == date(2026, 1, 3)
    assert parse_date_line("Dec 30", today) == date(2025, 12, 30)  # read in early January
    assert parse_date_line("March 18, 2024") == date(2024, 3, 18)
    assert parse_date_line("2024-03-18") == date(2024, 3, 18)
    assert parse_date_line("Feb 30") is None
    assert parse_date_line("Mar 18: a title") is None


def test_later_date_line_switches_the_day_and_no_date_means_not_featured(tmp_path):
    path = tmp_path / "two-days.txt"
    path.write_text("Subscribe\n\nMarch 18, 2024\n\nT1\n\nA1\n\nMarch 19, 2024\n\nT2\nstill the title\n\nA2\n")
    t1, t2 = list(files.read(path))
    assert (t1.title, t1.featured) == ("T1", [Featured(date(2024, 3, 18))])
    assert (t2.title, t2.abstract, t2.featured) == ("T2 still the title", "A2", [Featured(date(2024, 3, 19))])
    path = tmp_path / "no-date.txt"
    path.write_text("A title\n\nAn abstract.\n")
    (rec,) = list(files.read(path))
    assert rec.title == "A title" and rec.featured == []


def test_truncated_after_a_title(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    last_title = "Can Models Learn Skill Composition from Examples?"
    cut = text[: text.index(last_title) + len(last_title) + 2]  # the title, its newline and the blank line
    path = tmp_path / "cut.txt"
    path.write_text(cut, encoding="utf-8")
    recs, errs = split(files.read(path))
    assert len(recs) == 101
    (err,) = errs
    assert err.location == "cut.txt line 415"
    assert "has no abstract" in err.message and "Can Models Learn Skill Composition" in err.message
    assert err.record == stable_id("Can Models Learn Skill Composition from Examples?")


def test_latin1_line(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"Mar 18\n\nGood title\n\nGood abstract\n\nCaf\xe9 title\n\nabstract\n\nLast\n\nfine\n")
    recs, errs = split(files.read(path))
    assert [r.title for r in recs] == ["Good title", "Last"]
    (err,) = errs
    assert err.location == "latin.txt line 7" and "not valid UTF-8" in err.message


def test_50_mb_abstract(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.write(b"Mar 18\n\nHuge\n\n" + b"a" * 50_000_000 + b"\n\nNext\n\nfine\n")
    recs, errs = split(files.read(path))
    assert [r.title for r in recs] == ["Next"]
    (err,) = errs
    assert err.location == "huge.txt line 5" and "limit" in err.message


def test_long_abstract_over_the_record_limit(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Title\n\n" + "y" * 60_000 + "\n")
    (err,) = list(files.read(path))
    assert isinstance(err, RecordError) and "limit 50,000" in err.message


def test_empty_and_gzipped(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    assert list(files.read(tmp_path / "e.txt")) == []
    (tmp_path / "p.txt.gz").write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert len(list(files.read(tmp_path / "p.txt.gz"))) == 102
    (tmp_path / "cut.txt.gz").write_bytes(gzip.compress(SAMPLE.read_bytes())[:20_000])
    with pytest.raises(SourceError, match="truncated gzip file after line"):
        list(files.read(tmp_path / "cut.txt.gz"))
