"""``files.read``: choosing the reader by suffix, and the whole-file failures every format shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed.errors import SourceError
from paperfeed.sources import files

DATA = Path(__file__).parent.parent / "data" / "files"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("a.jsonl", (".jsonl", False)),
        ("a.NDJSON", (".ndjson", False)),
        ("a.json.gz", (".json", True)),
        ("dir.v2/a.csv", (".csv", False)),
        ("a.tsv.gz", (".tsv", True)),
        ("refs.bib", (".bib", False)),
        ("refs.bibtex.gz", (".bibtex", True)),
        ("page.txt", (".txt", False)),
    ],
)
def test_file_format(name, expected):
    assert files.file_format(Path(name)) == expected


@pytest.mark.parametrize("name", ["papers.xml", "papers", "papers.gz", "papers.jsonl.zip", "papers.pdf"])
def test_unknown_suffix_names_the_file_and_the_formats(tmp_path, name):
    path = tmp_path / name
    path.write_text("x")
    with pytest.raises(SourceError) as err:
        files.read(path)  # raised at once, before iterating
    msg = str(err.value)
    assert str(path) in msg and "unknown file format" in msg
    for suffix in (".jsonl", ".json", ".csv", ".bib", ".txt", ".gz"):
        assert suffix in msg


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(SourceError) as err:
        files.read(tmp_path / "nope.jsonl")
    assert err.value.source == "jsonl" and "file not found" in str(err.value) and "nope.jsonl" in str(err.value)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(SourceError, match="is a directory"):
        files.read(tmp_path / "dir.csv")


def test_read_accepts_a_string_path():
    items = list(files.read(str(DATA / "papers-excerpt.csv")))
    assert len(items) == 3


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".bib", ".txt"])
def test_empty_gzip_of_every_format_yields_nothing(tmp_path, suffix):
    import gzip

    path = tmp_path / f"empty{suffix}.gz"
    path.write_bytes(gzip.compress(b""))
    assert list(files.read(path)) == []


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".bib", ".txt"])
def test_not_gzip_data_in_every_format(tmp_path, suffix):
    path = tmp_path / f"plain{suffix}.gz"
    path.write_bytes(b"this is not gzip data\n" * 10)
    with pytest.raises(SourceError, match="not a gzip file"):
        list(files.read(path))
