"""Matching library entries to stored papers and saving them to a collection, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from paperfeed.ids import stable_id
from paperfeed.library import LibraryFileError, import_library
from paperfeed.settings import Settings
from paperfeed.sources.library import LibraryEntry
from paperfeed.store import collections as store_collections
from paperfeed.store import library as store_library
from tests.helpers.library import (
    ATTENTION,
    BERT,
    DEEP_LEARNING_TITLE,
    NAIVE_BAYES,
    OLD_STYLE,
    SCHRODINGER,
    library_file,
    make_user,
    seed_library_papers,
)

DEEP = stable_id(DEEP_LEARNING_TITLE)


@pytest.fixture
def seeded(store):
    seed_library_papers(store)
    return store


def _match(store, *entries):
    with store.read() as conn:
        return store_library.match_entries(conn, list(entries))


def _collection(store, user_id, name="Library"):
    with store.read() as conn:
        cid = store_library.find_collection(conn, user_id, name)
        return None if cid is None else set(store_collections.paper_ids(conn, cid))


def test_each_key_matches(seeded):
    by_arxiv, by_doi, by_title, nothing = _match(
        seeded,
        LibraryEntry("a", 1, "A wrong title", arxiv_id=ATTENTION),
        LibraryEntry("b", 2, "", doi="10.18653/v1/n19-1423"),  # stored with capitals
        LibraryEntry("c", 3, "UBER DIE SCHRODINGER GLEICHUNG FUR NEURONALE NETZE", year=2020),
        LibraryEntry("d", 4, "A Paper This Server Does Not Have", arxiv_id="2401.99999", doi="10.9999/none"),
    )
    assert (by_arxiv.paper_id, by_arxiv.by, by_arxiv.title) == (ATTENTION, "arxiv", "Attention Is All You Need")
    assert (by_doi.paper_id, by_doi.by) == (BERT, "doi")
    assert (by_title.paper_id, by_title.by) == (SCHRODINGER, "title")
    assert nothing.why == "arXiv 2401.99999 is not here; no paper with DOI 10.9999/none; no paper with this title"


def test_doi_with_resolver_prefix_in_the_store_and_arxiv_fallback_to_title(seeded):
    doi, fallback = _match(
        seeded,
        LibraryEntry("x", 1, doi="10.1038/NATURE14539"),
        LibraryEntry("y", 2, "Attention is all you need!", arxiv_id="2401.99999", year=2017),
    )
    assert (doi.paper_id, doi.by) == (DEEP, "doi")
    assert (fallback.paper_id, fallback.by) == (ATTENTION, "title")


def test_title_year_far_off_or_ambiguous_is_reported_not_guessed(seeded):
    from paperfeed.ingest import import_items
    from paperfeed.records import PaperRecord, checked

    import_items(seeded, [checked(PaperRecord(title="A Survey", arxiv_id=f"2301.0000{n}")) for n in (1, 2)])
    far, ambiguous = _match(seeded, LibraryEntry("x", 1, "Deep Learning", year=2019), LibraryEntry("y", 2, "A survey."))
    assert far.why == f"the title matches {DEEP}, but that paper is from 2015, not 2019"
    assert ambiguous.why.startswith("the title matches 2 papers (2301.00001, 2301.00002)")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zotero.bib", {ATTENTION: "arxiv", BERT: "doi", DEEP: "doi"}),
        ("mendeley.bib", {ATTENTION: "arxiv", SCHRODINGER: "title", NAIVE_BAYES: "title"}),
        ("jabref.bib", {DEEP: "doi", OLD_STYLE: "arxiv"}),
        ("zotero.rdf", {ATTENTION: "arxiv", DEEP: "doi", NAIVE_BAYES: "title"}),
        ("zotero-csl.json", {ATTENTION: "arxiv", DEEP: "doi", SCHRODINGER: "title"}),
        ("arxiv-ids.txt", {ATTENTION: "arxiv", BERT: "arxiv", OLD_STYLE: "arxiv"}),
    ],
)
def test_every_export_imports_into_the_library(seeded, name, expected):
    uid = make_user(seeded)
    report = import_library(seeded, Settings(), library_file(name), user_id=uid, name=name)
    assert {m["paper_id"]: m["by"] for m in report.matched} == expected
    assert _collection(seeded, uid) == set(expected)
    assert report.collection == "Library" and report.collection_created and report.added == len(expected)
    again = import_library(seeded, Settings(), library_file(name), user_id=uid, name=name)
    assert again.added == 0 and again.already == len(expected) and not again.collection_created
    assert again.message.startswith(f"Nothing new: all {len(expected)} matched papers were already in Library")
    assert _collection(seeded, uid) == set(expected)


def test_report_lists_unmatched_malformed_and_duplicates(seeded):
    uid = make_user(seeded)
    report = import_library(seeded, Settings(), library_file("mendeley.bib"), user_id=uid, name="mendeley.bib")
    assert report.malformed == [
        {"line": 31, "key": "Broken2019", "reason": "malformed @article entry: unbalanced braces (not closed)"}
    ]
    assert report.duplicate_keys == [{"key": "Muller2020", "lines": [19, 36]}]
    assert [(u["key"], u["line"], u["why"]) for u in report.unmatched] == [
        ("Muller2020", 36, "no paper with this title")
    ]
    assert report.entries == 5


def test_other_collection_dry_run_and_the_private_default(seeded):
    uid = make_user(seeded)
    with seeded.transaction() as conn:
        store_collections.create(conn, user_id=uid, name="To read", is_public=True)
    dry = import_library(seeded, Settings(), library_file("zotero.bib"), user_id=uid, dry_run=True)
    assert dry.added == 3 and dry.message.startswith("Dry run: would add 3 papers")
    assert _collection(seeded, uid) is None  # a dry run creates nothing
    report = import_library(seeded, Settings(), library_file("zotero.bib"), user_id=uid, collection="to read")
    assert report.collection == "To read" and not report.collection_created
    assert _collection(seeded, uid, "To read") == {ATTENTION, BERT, DEEP}
    import_library(seeded, Settings(), library_file("jabref.bib"), user_id=uid)
    with seeded.read() as conn:
        library = store_collections.get(conn, store_library.find_collection(conn, uid, "Library"), viewer_id=None)
    assert library is None  # private: invisible to others


def test_a_database_error_mid_import_stores_nothing(seeded):
    uid = make_user(seeded)
    import_library(seeded, Settings(), library_file("jabref.bib"), user_id=uid)  # Library: DEEP, OLD_STYLE
    before = _collection(seeded, uid)

    def fail_on_items(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO COLLECTION_ITEMS"):
            raise RuntimeError("disk full (simulated)")

    event.listen(seeded.engine, "before_cursor_execute", fail_on_items)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            import_library(seeded, Settings(), library_file("zotero.bib"), user_id=uid)
        with pytest.raises(RuntimeError, match="disk full"):  # the new collection goes with the failed items
            import_library(seeded, Settings(), library_file("zotero.bib"), user_id=uid, collection="Fresh")
    finally:
        event.remove(seeded.engine, "before_cursor_execute", fail_on_items)
    assert _collection(seeded, uid) == before
    assert _collection(seeded, uid, "Fresh") is None


def test_refused_files_store_nothing(seeded):
    uid = make_user(seeded)
    small = Settings(library_max_bytes=2048, library_max_entries=3)
    with pytest.raises(LibraryFileError, match=r"over the 2 KB limit \(setting library_max_bytes\)"):
        import_library(seeded, small, library_file("zotero.bib"), user_id=uid, name="zotero.bib")
    with pytest.raises(LibraryFileError, match="more than 3 entries"):
        import_library(seeded, small, library_file("arxiv-ids.txt"), user_id=uid)
    with pytest.raises(LibraryFileError, match="binary"):
        import_library(seeded, Settings(), b"\x00\x01\x02junk" * 100, user_id=uid)
    assert _collection(seeded, uid) is None


def test_no_match_creates_no_empty_collection(seeded):
    uid = make_user(seeded)
    report = import_library(seeded, Settings(), b"2401.99999\n", user_id=uid)
    assert report.message == "No entry matched a paper here; nothing was added; 1 not found here."
    assert _collection(seeded, uid) is None and report.collection_id is None
