"""Reading reference-manager exports: each format, LaTeX titles, malformed entries, duplicates, refused files."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperfeed.sources.library import LibraryFileError, LibraryTooLarge, detect_format, parse_library

FILES = Path(__file__).resolve().parent.parent / "data" / "files" / "library"


def parse(name: str, **kw):
    return parse_library((FILES / name).read_bytes(), name=name, **kw)


@pytest.mark.parametrize(
    ("name", "fmt", "keys"),
    [
        ("zotero.bib", "bibtex", ["vaswani_attention_2017", "devlin_bert_2019", "lecun_deep_2015",
                                  "bishop_pattern_2006"]),
        ("mendeley.bib", "bibtex", ["Vaswani2017", "Muller2020", "Garcia2021", "Muller2020"]),
        ("jabref.bib", "bibtex", ["LeCun2015", "Doe1999", "Nobody2022"]),
        ("zotero.rdf", "rdf", ["http://arxiv.org/abs/1706.03762", "#item_5", "#item_7",
                               "urn:isbn:978-0-387-31073-2"]),
        ("zotero-csl.json", "csl-json", [f"http://zotero.org/users/123456/items/{k}"
                                         for k in ("ABCD1234", "EFGH5678", "IJKL9012", "MNOP3456")]),
        ("arxiv-ids.txt", "ids", ["1706.03762", "1810.04805", "hep-th/9901001", "1706.03762", "2401.99999"]),
    ],
)  # fmt: skip
def test_each_format_is_detected_and_read(name, fmt, keys):
    lib = parse(name)
    assert lib.format == fmt
    assert [e.key for e in lib.entries] == keys


def test_zotero_bibtex_keys():
    attention, bert, lecun, bishop = parse("zotero.bib").entries
    assert (attention.arxiv_id, attention.title, attention.year) == ("1706.03762", "Attention Is All You Need", 2017)
    assert attention.authors[:2] == ("Ashish Vaswani", "Noam Shazeer") and attention.line == 1
    assert (bert.arxiv_id, bert.doi) == (None, "10.18653/v1/n19-1423")
    assert (lecun.doi, lecun.year) == ("10.1038/nature14539", 2015)
    assert (bishop.arxiv_id, bishop.doi, bishop.title) == (None, None, "Pattern Recognition and Machine Learning")


def test_mendeley_latex_titles_malformed_entry_and_duplicate_key():
    lib = parse("mendeley.bib")
    vaswani, muller, garcia, _ = lib.entries
    assert vaswani.arxiv_id == "1706.03762"  # Mendeley's arxivId field
    assert muller.title == "Über die Schrödinger-Gleichung für neuronale Netze"
    assert muller.authors == ("Jörg Müller", "Émile Zola")
    assert garcia.title == "Naïve Bayes & the $\\alpha$-divergence: a Çok Šimple Baseline"
    assert [(b.line, b.key) for b in lib.malformed] == [(31, "Broken2019")]
    assert "unbalanced braces" in lib.malformed[0].reason
    assert lib.duplicate_keys == [("Muller2020", [19, 36])]


def test_jabref_old_style_versioned_eprint_and_missing_comma():
    lib = parse("jabref.bib")
    assert lib.entries[1].arxiv_id == "hep-th/9901001"
    assert lib.entries[0].doi == "10.1038/nature14539"  # upper case in the file
    assert [(b.line, b.key, b.reason) for b in lib.malformed] == [
        (32, "NoComma2021", "malformed @article entry: no comma after the citation key")
    ]


def test_zotero_rdf_items_only_with_their_own_title():
    lib = parse("zotero.rdf")
    attention, lecun, bayes, _ = lib.entries
    assert (attention.arxiv_id, attention.line, attention.authors) == (
        "1706.03762", 11, ("Ashish Vaswani", "Noam Shazeer"))  # fmt: skip
    assert (lecun.title, lecun.doi) == ("Deep learning", "10.1038/nature14539")  # not its journal's title
    assert bayes.title.startswith("Naïve Bayes & the")
    assert [(b.line, b.key) for b in lib.malformed] == [(94, "#item_9")]  # a web page with nothing to match


def test_csl_json_lines_rich_text_and_bad_items():
    lib = parse("zotero-csl.json")
    attention, lecun, muller, _ = lib.entries
    assert (attention.arxiv_id, attention.line, attention.year) == ("1706.03762", 2, 2017)
    assert lecun.doi == "10.1038/nature14539"
    assert muller.title == "Über die Schrödinger-Gleichung für neuronale Netze"  # <i> markup dropped
    assert muller.authors == ("Jörg Müller", "Google DeepMind")
    assert [(b.line, b.reason) for b in lib.malformed] == [
        (76, "an item must be a JSON object, not str"),
        (77, "no title, DOI or arXiv id to match it by"),
    ]


def test_id_list_comments_versions_old_style_and_bad_lines():
    lib = parse("arxiv-ids.txt")
    assert [e.line for e in lib.entries] == [2, 3, 4, 6, 8]
    assert lib.duplicate_keys == [("1706.03762", [2, 6])]  # the PDF URL names the same paper
    assert [(b.line, b.reason) for b in lib.malformed] == [(9, "'not-an-id' is not an arXiv id, arXiv URL or DOI")]


def test_ids_pasted_beside_a_bibtex_entry_are_read_too():
    """A paste of three ids and one @misc entry was read as BibTeX alone: the ids vanished without a word."""
    text = (
        "2402.09470\nhttps://arxiv.org/abs/2401.00001v2\n"
        "@misc{x, title={A {nested} title}, eprint={2403.00002},\n  note={2404.00003}\n}\n"
        "10.1000/xyz123\n% 2405.00004 is a comment\n"
    )
    lib = parse_library(text.encode())
    assert lib.format == "bibtex" and not lib.malformed
    assert [(e.line, e.arxiv_id, e.doi) for e in lib.entries] == [
        (1, "2402.09470", None), (2, "2401.00001", None), (3, "2403.00002", None), (6, None, "10.1000/xyz123"),
    ]  # fmt: skip


def test_format_override_and_unknown_format():
    text = b"@misc{x, title={Looks like BibTeX}}\n"
    assert parse_library(text).format == "bibtex"
    lib = parse_library(text, format="ids")  # the user said so: every line is read as an id
    assert lib.format == "ids" and lib.entries == [] and len(lib.malformed) == 1
    with pytest.raises(LibraryFileError, match="unknown library format 'endnote'"):
        parse_library(text, format="endnote")
    assert detect_format("https://arxiv.org/abs/2401.01234\n", "x") == "ids"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "lib.bib is empty: nothing to import"),
        (b"  \n\n", "lib.bib is empty"),
        (b"%PDF-1.7\n...", "lib.bib is a PDF, not a library export"),
        (b"PK\x03\x04zipzip", "lib.bib is a ZIP archive"),
        (bytes(range(256)) * 4, "lib.bib is a binary file"),
        ("@misc{m, title={Caf\u00e9}}".encode("latin-1"), "not UTF-8 text (byte 0xe9 on line 1); export"),
        (b"just some prose\nwith no ids\n", "could not tell the format"),
        (b"<html><body>hi</body></html>", "XML or HTML but not a Zotero RDF export"),
        (b"% only a comment\n@comment{nothing}\n", "no entries found in this bibtex file"),
        (b'[{"title": "ok"},\n {"title": }]', "not valid CSL-JSON at line 2, column 12"),
        (
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<a></b>',
            "not well-formed XML at line 2",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(LibraryFileError) as err:
        parse_library(data, name="lib.bib")
    assert message in str(err.value)
    assert err.value.exit_code == 2


def test_xml_entity_bombs_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&b;</rdf:RDF>'
    )
    with pytest.raises(LibraryFileError, match="DTD or entities is refused"):
        parse_library(bomb)


def test_size_and_entry_caps():
    data = (FILES / "zotero.bib").read_bytes()
    with pytest.raises(LibraryTooLarge, match=r"over the .* limit \(setting library_max_bytes\)"):
        parse_library(data, max_bytes=len(data) - 1)
    with pytest.raises(LibraryTooLarge, match="more than 3 entries"):
        parse_library(data, max_entries=3)
    assert len(parse_library(data, max_entries=4).entries) == 4
    many_ids = "\n".join(f"2401.{n:05d}" for n in range(50)).encode()
    with pytest.raises(LibraryTooLarge, match="more than 10 entries"):
        parse_library(many_ids, max_entries=10)


def test_utf16_and_bom_are_read():
    text = "\ufeff@misc{k, title={Über alles}, year={2020}}\n"
    assert parse_library(text.encode("utf-8")).entries[0].title == "Über alles"
    assert parse_library(text.encode("utf-16")).entries[0].title == "Über alles"


def test_fast_bibtex_reader_agrees_with_bibtexparser():
    """Plain entries skip pyparsing (``fast_entry``); for every entry it reads, bibtexparser reads the same."""
    from paperfeed.sources.files import bibtex

    texts = [p.read_text() for p in [*FILES.glob("*.bib"), FILES.parent / "references.bib"]]
    texts.append('@article{k,\n  title = {A {B}\n    two lines},\n  month = dec, year = 2020, note = "q {x} y",\n}\n')
    fast_read = 0
    for text in texts:
        parser = bibtex._parser()
        for m in bibtex._ENTRY_START.finditer(text):
            chunk = text[m.start() :]
            open_at = m.end() - 1 - m.start()
            close = bibtex._closing(chunk, open_at)
            kind = m.group(1).lower()
            if close is None or kind in ("comment", "preamble", "string"):
                continue
            fast = bibtex.fast_entry(chunk[: close + 1], open_at, kind)
            if fast is None:
                continue
            fast_read += 1
            assert parser.parse(chunk[: close + 1], partial=False).entries[-1] == fast
    assert fast_read >= 15
