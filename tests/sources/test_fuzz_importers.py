"""Every importer fuzzed (Hypothesis): paper files (JSON Lines, JSON, CSV, BibTeX, saved page text, gzipped
or not), arXiv Atom, OAI-PMH, RSS and the Hugging Face JSON.

Inputs are random bytes and the real fixtures broken as files break (``tests.helpers.fuzz``). Whatever
comes in, a reader yields complete records (``records.checked`` finds nothing left to clean) and
``RecordError``s naming the source and where (file line, item, entry), or raises ``SourceError`` naming
the source and the file or URL; never another exception, never a half record, never a hang. Each bug the
fuzzing found is pinned below as an ``@example`` (the input that failed).
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from paperfeed.errors import RecordError, SourceError
from paperfeed.records import PaperRecord
from paperfeed.sources import arxiv_api, files, hf, oai, rss
from tests.helpers.fuzz import (
    assert_complete,
    bibtex_edited,
    broken,
    csv_edited,
    fuzz_settings,
    json_structured,
    jsonl_structured,
    mutated,
    time_limit,
    xml_edited,
)

DATA = Path(__file__).resolve().parent.parent / "data"
FIXTURES = DATA / "fixtures"
URL = "https://example.org/feed?page=1"
FUZZ = fuzz_settings(100)


def _excerpt_jsonl(name: str, lines: int) -> bytes:
    return b"".join(gzip.decompress((DATA / "files" / name).read_bytes()).splitlines(keepends=True)[:lines])


def _oai_dc_excerpt(records: int) -> bytes:
    """The first records of a recorded oai_dc page (the whole page is 630 kB: too slow to fuzz)."""
    ns = "{http://www.openarchives.org/OAI/2.0/}"
    root = ET.fromstring((FIXTURES / "arxiv-oai-listrecords-oaidc-2023-page3-last.xml").read_bytes())
    container = root.find(f"{ns}ListRecords")
    for rec in container.findall(f"{ns}record")[records:]:
        container.remove(rec)
    return ET.tostring(root, encoding="utf-8")


ARXIV_JSONL = _excerpt_jsonl("arxiv-cs-2025-2026-excerpt.jsonl.gz", 4)
HF_JSONL = _excerpt_jsonl("hf-daily-papers-2024-excerpt.jsonl.gz", 4)
HF_DAILY = json.dumps(json.loads((FIXTURES / "hf-daily-papers-2026-06-12.json").read_bytes())[:3]).encode()
HF_PAPER = (FIXTURES / "hf-paper-2608.09888.json").read_bytes()
CSV = (DATA / "files" / "papers-excerpt.csv").read_bytes()
BIBTEX = (DATA / "files" / "references.bib").read_bytes()
PAGE = (DATA / "files" / "papers-page-sample.txt").read_bytes()[:6000]
ATOM = (FIXTURES / "arxiv-api-query-cat-2026-06.atom.xml").read_bytes()
ATOM_IDLIST = (FIXTURES / "arxiv-api-idlist-oldstyle-id-2026.atom.xml").read_bytes()
OAI_ARXIV = (FIXTURES / "arxiv-oai-listrecords-arXiv-hepth-2017.xml").read_bytes()
OAI_DC = _oai_dc_excerpt(3)
RSS = (FIXTURES / "arxiv-rss-multi-2026-09-24.rss.xml").read_bytes()
ATOM_OVERFLOW = (
    b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id><title>T</title>'
    b"<published>9999-12-31T23:59:59-23:59</published></entry></feed>"
)


# --- what every importer must do ---------------------------------------------------------------------------


def check_items(items, source: str, where: re.Pattern[str]) -> None:
    """Each item a complete record of ``source`` or a ``RecordError`` of ``source`` located by ``where``."""
    for item in items:
        if isinstance(item, RecordError):
            assert item.source == source, item
            assert where.fullmatch(item.location), item.location
            assert item.message, item
        else:
            assert isinstance(item, PaperRecord), type(item)
            assert_complete(item, source)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_file(workdir: Path, name: str, data: bytes, source: str, *, gz: bool = False) -> None:
    path = workdir / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(data) if gz else data)
    where = re.compile(rf"{re.escape(path.name)}(?: (?:line|item) \d+)?")
    items = []
    try:
        with time_limit(10):
            for item in files.read(path, page_day=date(2024, 3, 18)):
                items.append(item)
    except SourceError as exc:
        assert exc.source == source and exc.location == str(path), exc
    check_items(items, source, where)


# --- paper files ---------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.one_of(broken(ARXIV_JSONL, jsonl_structured), broken(HF_JSONL, jsonl_structured)), gz=st.booleans())
def test_jsonl(workdir, data, gz):
    read_file(workdir, "papers.jsonl", data, "jsonl", gz=gz)


@FUZZ
@given(data=st.one_of(broken(HF_PAPER, json_structured), broken(ARXIV_JSONL, jsonl_structured)))
# dates that overflow: in UTC (year 9999 at -23:59), and a 20-digit year in RFC 2822 (OverflowError escaped)
@example(data=b'{"title": "T", "published": "9999-12-31T23:59:59-23:59"}')
@example(data=b'{"title": "T", "published": "Mon, 2 Apr 99999999999999999999 19:18:42 GMT"}')
def test_json(workdir, data):
    read_file(workdir, "papers.json", data, "json")


@FUZZ
@given(data=broken(CSV, csv_edited), delimiter=st.sampled_from(["csv", "tsv"]))
@example(data=b"x" * 131_073, delimiter="csv")  # a header cell past csv's field limit: _csv.Error escaped
def test_csv(workdir, data, delimiter):
    if delimiter == "tsv":
        data = data.replace(b",", b"\t")
    read_file(workdir, f"papers.{delimiter}", data, "csv")


@FUZZ
@given(data=broken(BIBTEX, bibtex_edited))
def test_bibtex(workdir, data):
    read_file(workdir, "papers.bib", data, "bibtex")


@FUZZ
@given(data=broken(PAGE))
def test_page_text(workdir, data):
    read_file(workdir, "papers.txt", data, "page")


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), mutated(gzip.compress(ARXIV_JSONL))))
def test_broken_gzip(workdir, data):
    path = workdir / "papers.jsonl.gz"
    path.write_bytes(data)
    items = []
    try:
        with time_limit(10):
            items.extend(files.read(path))
    except SourceError as exc:
        assert exc.source == "jsonl" and exc.location == str(path), exc
    check_items(items, "jsonl", re.compile(r"papers\.jsonl\.gz line \d+"))


# --- network sources: one page each ---------------------------------------------------------------------------


def parse_page(parse, data: bytes, source: str, where: str) -> None:
    try:
        with time_limit(10):
            items = parse(data)
    except SourceError as exc:
        assert exc.source == source and exc.location == URL, exc
        return
    check_items(items, source, re.compile(re.escape(URL) + where))


@FUZZ
@given(data=st.one_of(broken(ATOM, xml_edited), broken(ATOM_IDLIST, xml_edited)))
@example(data=b'<?xml version="1.0" encoding="TF-8"?><feed/>')  # an unknown encoding: LookupError escaped
@example(data=ATOM_OVERFLOW)  # a date out of range once in UTC: OverflowError escaped
def test_arxiv_atom(data):
    parse_page(lambda d: arxiv_api.parse_feed(d, location=URL)[0], data, "arxiv-api", r" \(entry \d+\)")


@FUZZ
@given(data=st.one_of(broken(OAI_ARXIV, xml_edited), broken(OAI_DC, xml_edited)))
def test_oai_pmh(data):
    parse_page(lambda d: oai.parse_list_records(d, location=URL)[0], data, "arxiv-oai", r" \(record \d+\)")


@FUZZ
@given(data=broken(RSS, xml_edited))
@example(data=b'<?xml version="1.0" encoding="cp932"?><rss/>')  # a multi-byte encoding: ValueError escaped
@example(data=b"<rss><channel><pubDate>Mon, 2 Apr 99999999999999999999 19:18:42 GMT</pubDate></channel></rss>")
def test_rss(data):
    parse_page(lambda d: rss.parse_rss(d, location=URL), data, "arxiv-rss", r" \(item \d+\)")


@FUZZ
@given(data=broken(HF_DAILY, json_structured))
def test_hf_daily(data):
    parse_page(lambda d: hf.parse_daily(d, location=URL, day=date(2026, 6, 12)), data, "hf", r" item \d+")


@FUZZ
@given(data=broken(HF_PAPER, json_structured))
def test_hf_paper(data):
    parse_page(lambda d: [hf.parse_paper(d, location=URL)], data, "hf", "")


# --- found by fuzzing, pinned ---------------------------------------------------------------------------------


def test_counts_past_the_database_integer_are_refused_records(workdir):
    """An upvote count or version past PostgreSQL's INTEGER passed ``checked()`` and then failed the whole
    import in the database (OverflowError on SQLite): it is a bad record of its line now."""
    path = workdir / "counts.jsonl"
    path.write_bytes(
        b'{"id": "2401.00001", "title": "Too many upvotes", "upvotes": 2147483648}\n'
        b'{"id": "2401.00002v2147483648", "title": "Too late a version"}\n'
        b'{"id": "2401.00003", "title": "Fine", "upvotes": 2147483647}\n'
    )
    items = list(files.read(path))
    assert [type(i).__name__ for i in items] == ["RecordError", "RecordError", "PaperRecord"]
    assert items[0].location == "counts.jsonl line 1" and "upvote count" in items[0].message
    assert items[1].location == "counts.jsonl line 2" and "version" in items[1].message
