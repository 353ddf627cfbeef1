"""Helpers for the library-import tests: the papers the fixture exports name, and a user to import for.

The exports in ``tests/data/files/library/`` (Zotero, Mendeley and JabRef BibTeX, Zotero RDF, CSL-JSON,
an id list) name these papers by arXiv id, DOI or (LaTeX-escaped) title.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord, checked
from paperfeed.store import users as store_users
from tests.helpers.web import PASSWORD as PASSWORD  # the library tests log in with it
from tests.helpers.web import password_hash

LIBRARY_FILES = Path(__file__).resolve().parent.parent / "data" / "files" / "library"

ATTENTION, BERT, OLD_STYLE = "1706.03762", "1810.04805", "hep-th/9901001"
SCHRODINGER, NAIVE_BAYES = "2005.00001", "2105.00002"
DEEP_LEARNING_TITLE = "Deep learning"


def _paper(title: str, year: int, **kw) -> PaperRecord:
    return checked(PaperRecord(
        title=title, abstract=f"About {title}.", authors=kw.pop("authors", ["Ada Lovelace"]),
        categories=["cs.LG"], published=datetime(year, 6, 1, tzinfo=UTC), source="arxiv", **kw,
    ))  # fmt: skip


def library_papers() -> list[PaperRecord]:
    return [
        _paper("Attention Is All You Need", 2017, arxiv_id=ATTENTION),
        _paper("BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", 2018,
               arxiv_id=BERT, doi="10.18653/v1/N19-1423"),
        _paper("Strings on an Old-Style Identifier", 1999, arxiv_id=OLD_STYLE),
        _paper(DEEP_LEARNING_TITLE, 2015, doi="https://doi.org/10.1038/nature14539"),  # no arXiv id: a pf- id
        _paper("Über die Schrödinger-Gleichung für neuronale Netze", 2020, arxiv_id=SCHRODINGER),
        _paper("Naïve Bayes & the $\\alpha$-divergence: a Çok Šimple Baseline", 2021, arxiv_id=NAIVE_BAYES),
    ]  # fmt: skip


def seed_library_papers(store) -> dict[str, str]:
    """Store the papers; returns title -> paper id."""
    records = library_papers()
    import_items(store, records)
    return {r.title: r.id for r in records}


def make_user(store, username: str = "ada") -> int:
    """A user with ``PASSWORD`` and its cheap hash (``tests.helpers.web.password_hash``), so logins are fast."""
    with store.transaction() as conn:
        return store_users.create_user(conn, username=username, password_hash=password_hash()).id


def library_file(name: str) -> bytes:
    return (LIBRARY_FILES / name).read_bytes()
