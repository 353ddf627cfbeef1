"""Reference-manager exports fuzzed (Hypothesis): BibTeX (Zotero, Mendeley, JabRef), Zotero RDF, CSL-JSON
and id lists, with the format detected and given.

Inputs are random bytes and the sample exports broken as files break (``tests.helpers.fuzz``). Whatever
comes in, ``parse_library`` returns whole entries (each with a key, its line, and only normalised ids)
and malformed entries naming their line, or refuses the file with a ``LibraryFileError`` naming it;
never another exception, never a hang.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from paperfeed.ids import normalise_doi, parse_arxiv_id
from paperfeed.sources.library import FORMATS, BadEntry, LibraryEntry, LibraryFileError, parse_library
from tests.helpers.fuzz import bibtex_edited, broken, fuzz_settings, json_structured, time_limit, xml_edited

LIBRARY = Path(__file__).resolve().parent.parent / "data" / "files" / "library"
NAME = "export.txt"
FUZZ = fuzz_settings(100)

BIBTEX = [(LIBRARY / n).read_bytes() for n in ("zotero.bib", "mendeley.bib", "jabref.bib")]
RDF = (LIBRARY / "zotero.rdf").read_bytes()
CSL = (LIBRARY / "zotero-csl.json").read_bytes()
IDS = (LIBRARY / "arxiv-ids.txt").read_bytes()


def check_library(data: bytes, fmt: str | None) -> None:
    try:
        with time_limit(10):
            lib = parse_library(data, format=fmt, name=NAME)
    except LibraryFileError as exc:
        assert NAME in str(exc), exc
        return
    assert lib.format in FORMATS and (fmt is None or lib.format == fmt)
    assert lib.entries or lib.malformed
    for e in lib.entries:
        assert isinstance(e, LibraryEntry), e
        assert isinstance(e.key, str) and e.key.strip() and len(e.key) <= 200, e
        assert isinstance(e.line, int) and e.line >= 1, e
        assert isinstance(e.title, str) and len(e.title) <= 2000, e
        assert e.title or e.arxiv_id or e.doi, e  # something to match it by
        assert e.arxiv_id is None or parse_arxiv_id(e.arxiv_id) == (e.arxiv_id, None), e
        assert e.doi is None or normalise_doi(e.doi) == e.doi, e
        assert e.year is None or (isinstance(e.year, int) and 1500 <= e.year <= 2099), e
        assert isinstance(e.authors, tuple) and all(isinstance(a, str) and a for a in e.authors), e
    for bad in lib.malformed:
        assert isinstance(bad, BadEntry), bad
        assert isinstance(bad.line, int) and bad.line >= 1, bad
        assert isinstance(bad.reason, str) and bad.reason, bad
        assert bad.key is None or isinstance(bad.key, str), bad
    for key, lines in lib.duplicate_keys:
        assert isinstance(key, str) and len(lines) > 1


FORMAT_OR_DETECT = st.sampled_from([None, *FORMATS])


@FUZZ
@given(data=st.one_of([broken(doc, bibtex_edited) for doc in BIBTEX]), fmt=st.sampled_from([None, "bibtex"]))
def test_bibtex(data, fmt):
    check_library(data, fmt)


@FUZZ
@given(data=broken(RDF, xml_edited), fmt=st.sampled_from([None, "rdf"]))
def test_zotero_rdf(data, fmt):
    check_library(data, fmt)


@FUZZ
@given(data=broken(CSL, json_structured), fmt=st.sampled_from([None, "csl-json"]))
def test_csl_json(data, fmt):
    check_library(data, fmt)


@FUZZ
@given(data=broken(IDS), fmt=st.sampled_from([None, "ids"]))
def test_id_list(data, fmt):
    check_library(data, fmt)


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), st.sampled_from([*BIBTEX, RDF, CSL, IDS])), fmt=FORMAT_OR_DETECT)
def test_any_bytes_in_any_format(data, fmt):
    check_library(data, fmt)
