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
