"""BibTeX paper files: arXiv ids from the export styles, LaTeX cleanup, names, dates and bad entries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.latex import latex_to_text
from paperfeed.records import PaperRecord
from paperfeed.sources import files

REFS = Path(__file__).parent.parent / "data" / "files" / "references.bib"


def split(items):
    items = list(items)
    return [r for r in items if isinstance(r, PaperRecord)], [e for e in items if isinstance(e, RecordError)]


@pytest.fixture(scope="module")
def refs():
    return list(files.read(REFS))


def test_arxiv_export_style(refs):
    attention = refs[0]
    assert attention.arxiv_id == "1706.03762"  # eprint + archivePrefix
    assert attention.title == "Attention Is All You Need"
    assert attention.authors[:2] == ["Ashish Vaswani", "Noam Shazeer"] and len(attention.authors) == 8
    assert attention.primary_category == "cs.CL"
    assert attention.published == datetime(2017, 1, 1, tzinfo=UTC)  # a year only: January 1st
    assert attention.abs_url == "https://arxiv.org/abs/1706.03762"
    assert attention.source == "bibtex"


def test_google_scholar_style(refs):
    bert = refs[1]
    assert bert.arxiv_id == "1810.04805"  # from journal = {arXiv preprint arXiv:...}
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert bert.authors == [
        "Jacob Devlin",
        "Ming-Wei Chang",
        "Kenton Lee",
        "Kristina Toutanova",
    ]  # "Last, First"
    assert bert.journal_ref is None  # "arXiv preprint" is no journal


def test_dblp_style(refs):
    larp = refs[2]
    assert larp.arxiv_id == "2312.17653"  # eprinttype + eprint
    assert larp.title == "LARP: Language-Agent Role Play for Open-World Games"
    assert larp.authors == ["Ming Yan", "Ruihao Li", "Hao Zhang", "Ji Yan"]  # names across lines
    assert larp.journal_ref is None  # CoRR is arXiv
    assert larp.doi == "10.48550/ARXIV.2312.17653"


def test_latex_escaped_entry_with_string_macro_and_month(refs):
    rec = refs[3]
    assert rec.arxiv_id is None and rec.id.startswith("pf-")
    assert rec.title == "Über die Schrödinger-Gleichung für neuronale Netze"
    assert rec.authors == ["Jörg Müller", "Émile Zóla", "Google DeepMind"]
    assert rec.journal_ref == "Advances in Neural Information Processing Systems"  # @string macro
    assert rec.published == datetime(2020, 6, 1, tzinfo=UTC)  # month = jun
    assert rec.abstract == "We study Schrödinger's equation with $O(n \\log n)$ networks."  # math kept
    assert rec.keywords == ["physics", "neural networks"]
    assert rec.doi == "10.1000/example.2020.17"


def test_malformed_entry_is_named_and_duplicate_keys_are_records(refs):
    errs = [r for r in refs if isinstance(r, RecordError)]
    assert len(refs) == 6 and len(errs) == 1
    (err,) = errs
    assert err.source == "bibtex" and err.record == "broken2021"
    assert err.location == "references.bib line 49"
    assert "unbalanced braces" in err.message
    dup = refs[5]  # the entry after the broken one still reads; it reuses the key devlin2018bert
    assert isinstance(dup, PaperRecord)
    assert dup.title == "A second entry reusing the key devlin2018bert"
    assert dup.authors == ["Jane Doe"] and dup.published == datetime(2019, 11, 1, tzinfo=UTC)


def test_other_malformed_entries(tmp_path):
    path = tmp_path / "bad.bib"
    path.write_bytes(
        b"@article{nocomma title = {x}}\n"
        b"@misc{badyear, title = {T}, year = {next year}}\n"
        b"@misc{notitle, author = {A. B}}\n"
        b"@misc{latin, title = {Caf\xe9}}\n"
        b"@misc{badeprint, title = {T}, eprint = {12345}, archivePrefix = {arXiv}}\n"
        b"@comment{ignored}\n"
        b"@misc{good, title = {Fine}}\n"
    )
    recs, errs = split(files.read(path))
    assert [r.title for r in recs] == ["Fine"]
    got = [(e.location, e.record) for e in errs]
    assert got == [
        (f"bad.bib line {n}", key) for n, key in enumerate(["nocomma", "badyear", "notitle", "latin", "badeprint"], 1)
    ]
    assert "no comma after the citation key" in errs[0].message
    assert "bad year" in errs[1].message
    assert errs[2].message == "missing title"
    assert "not valid UTF-8" in errs[3].message
    assert "not an arXiv id" in errs[4].message


def test_parenthesised_entry_and_leading_text(tmp_path):
    path = tmp_path / "p.bibtex"
    path.write_text("Some notes before the first entry.\n\n@Misc(paren, Title = {Round Brackets}, Year = 2021)\n")
    (rec,) = list(files.read(path))
    assert rec.title == "Round Brackets" and rec.published.year == 2021


def test_empty_file(tmp_path):
    (tmp_path / "e.bib").write_text("")
    assert list(files.read(tmp_path / "e.bib")) == []


def test_truncated_gzip(tmp_path):
    import gzip

    whole = gzip.compress(REFS.read_bytes() * 20)
    (tmp_path / "r.bib.gz").write_bytes(whole[:-30])
    with pytest.raises(SourceError, match="truncated gzip file"):
        list(files.read(tmp_path / "r.bib.gz"))


@pytest.mark.parametrize(
    "latex, text",
    [
        (r"{\"u}ber {BERT}", "über BERT"),
        (r"Schr\"odinger", "Schrödinger"),
        (r"Ma\'{\i}ra and {\ss} and \v{S}koda and {\c C}elik", "Maíra and ß and Škoda and Çelik"),
        (r"\emph{Fast} and \textbf{Bold} 50\% \& more", "Fast and Bold 50% & more"),
        (r"$O(n \log n)$ sorting", r"$O(n \log n)$ sorting"),
        (r"Literal \{braces\}", "Literal {braces}"),
        ("plain  text", "plain text"),
    ],
)
def test_latex_cleanup(latex, text):
    assert latex_to_text(latex) == text
