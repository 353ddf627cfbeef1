"""BibTeX entries that LaTeX and reference managers accept, whatever the title holds (``export.py``)."""

from __future__ import annotations

import bibtexparser
import pytest

from paperfeed.export import to_bibtex, to_bibtex_entries
from paperfeed.ids import stable_id
from paperfeed.store import papers as P
from tests.helpers.web import add_papers, paper


def _views(store, *records):
    add_papers(store, *records)
    with store.read() as conn:
        return P.get_papers(conn, [r.arxiv_id or stable_id(r.title) for r in records])


@pytest.mark.parametrize(
    "title, field",
    [
        (r"User Experience \& Acceptability", r"User Experience \& Acceptability"),  # escaped already: as is
        ("$L_2$ regularisation & more_stuff", r"$L_2$ regularisation \& more\_stuff"),  # math left alone
        ("E^2-LLM: 50% of #1", r"E\^{}2-LLM: 50\% of \#1"),  # a bare caret outside math
        ("Open { only, and {BERT}", "Open  only, and {BERT}"),  # an unpaired brace would end the entry
        ("Control\x01 characters", "Control characters"),
    ],
)
def test_titles_come_out_as_valid_bibtex(lite_store, title, field):
    [view] = _views(lite_store, paper(1, title=title))
    [entry] = bibtexparser.loads(to_bibtex(view)).entries
    assert entry["title"] == "{" + field + "}" and entry["year"] == "2024" and entry["eprint"] == "2401.00001"


def test_keys_types_and_a_collection_of_them(lite_store):
    views = _views(
        lite_store,
        paper(1, title="μFlow: fast flows", authors=["Müller, Hans", "Ada Lovelace"]),
        paper(2, title="A paper from elsewhere", arxiv_id=None, authors=["李 明"]),
        paper(3, title="Published one", arxiv_id=None, journal_ref="Nature 1, 2 (2024)"),
        paper(4, title="Open { brace", arxiv_id="2401.00004"),
    )
    entries = bibtexparser.loads(to_bibtex_entries(views)).entries
    assert len(entries) == 4  # the unpaired brace swallowed the entries after it
    by_title = {e["title"]: e for e in entries}
    flow = by_title["{μFlow: fast flows}"]
    assert flow["ID"] == "muller2024flow" and flow["ID"].isascii()  # "Müller, Hans": his last name
    assert by_title["{A paper from elsewhere}"]["ENTRYTYPE"] == "misc"  # no journal: not an @article
    assert by_title["{A paper from elsewhere}"]["ID"].startswith("anon")
    assert by_title["{Published one}"]["ENTRYTYPE"] == "article"


def test_a_key_stays_with_its_paper_when_the_collection_grows(lite_store):
    """Papers sharing a natural key are told apart in the order of their ids, not of the listing (newest
    first): exporting again after a newer paper joined keeps every key citing the same paper; past z the
    letters go on (aa, ab) rather than into punctuation."""
    same = {"title": "Efficient training", "authors": ["Wu, Li"]}
    old, new = _views(lite_store, paper(5, **same), paper(9, **same))

    def keys(views):
        return {e["eprint"]: e["ID"] for e in bibtexparser.loads(to_bibtex_entries(views)).entries}

    assert keys([old]) == {"2401.00005": "wu2024efficient"}
    assert keys([new, old]) == {"2401.00009": "wu2024efficienta", "2401.00005": "wu2024efficient"}
    many = _views(lite_store, *[paper(100 + i, **same) for i in range(30)])
    ids = list(keys(many).values())
    assert len(set(ids)) == 30 and all(k.isalnum() for k in ids) and "wu2024efficientaa" in ids
