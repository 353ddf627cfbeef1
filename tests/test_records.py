"""Records as the store receives them (``records.checked``)."""

from __future__ import annotations

from paperfeed.records import PaperRecord, checked


def test_author_names_lose_the_and_of_a_split_list_and_repeats():
    """Author lists split at commas ("A, B, and C") arrive with "and C": the name is C, once."""
    record = PaperRecord(
        title="A paper",
        abstract="Text.",
        authors=["Di Huang", "and Lei Bai", "Lei Bai", "& Ann Lee", "Anderson Cooper", "Andrea and", "and"],
        source="test",
    )
    assert checked(record).authors == ["Di Huang", "Lei Bai", "Ann Lee", "Anderson Cooper", "Andrea and"]


def test_tex_quotation_marks_become_typographic_ones():
    """Hugging Face and arXiv pass abstracts on with TeX's ``quotes'', which pages showed as typed."""
    record = PaperRecord(
        title="The ``Open Cookbook'' of code LLMs",
        abstract="It serves as an ``open cookbook'' for ``the community''. With $f''(x)$ and an ``unclosed $g''$ mark.",
        source="test",
    )
    out = checked(record)
    assert out.title == "The \u201cOpen Cookbook\u201d of code LLMs"
    assert out.abstract == (
        "It serves as an \u201copen cookbook\u201d for \u201cthe community\u201d. "
        "With $f''(x)$ and an ``unclosed $g''$ mark."
    )
