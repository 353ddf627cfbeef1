"""Kill -9 in the middle of ``paperfeed library import``: a BibTeX library naming the 2,938 papers of the
bundled demo (arXiv eprints; titles for the papers without an arXiv id), SQLite file and PostgreSQL.

The import parses and matches the file, then saves every match in one transaction. It is killed inside that
transaction (the database shows it open: SQLite's write lock held, or the command's PostgreSQL backend
holding a transaction id): the database passes its checks and holds nothing of the library. Run again (its
entry point in the test's process), the command exits 0 and the collection, its items and the report equal
those of one uninterrupted import into a fresh database.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from sqlalchemy import func, select

import paperfeed
from paperfeed.ingest import import_items
from paperfeed.library import import_library
from paperfeed.settings import Settings
from paperfeed.sources import files
from paperfeed.store import Store
from paperfeed.store.models import CollectionItem
from tests.helpers.cli import pf_here
from tests.helpers.kill import Run, another_db, counts, named, problems, writing
from tests.helpers.library import make_user

DEMO = Path(paperfeed.__file__).parent / "data" / "demo.jsonl.gz"


def write_library(path: Path) -> Path:
    """The demo's papers as a reference manager exports them (braced titles, arXiv eprints)."""
    entries = []
    with gzip.open(DEMO, "rt") as f:
        for i, line in enumerate(f):
            p = json.loads(line)
            eprint = "" if p["id"].startswith("pf-") else f"  eprint = {{{p['id']}}},\n  archivePrefix = {{arXiv}},\n"
            entries.append(f"@article{{demo{i},\n  title = {{{p['title']}}},\n{eprint}  year = {{2024}}\n}}\n")
    path.write_text("\n".join(entries))
    return path


def seed(url: str) -> Store:
    """The demo papers and the user ``ada``."""
    store = Store.open(url)
    import_items(store, files.read(DEMO))
    make_user(store, "ada")
    return store


def items(store: Store) -> set[str]:
    with store.read() as conn:
        return set(conn.execute(select(CollectionItem.paper_id)).scalars())


def test_killed_inside_its_transaction_the_library_import_leaves_nothing(request, db_url, tmp_path):
    library = write_library(tmp_path / "library.bib")
    ref_store = seed(another_db(request, db_url, tmp_path))  # one uninterrupted import into a fresh database
    settings = Settings(data_dir=tmp_path / "ref", database_url=ref_store.url)
    ref_report = import_library(ref_store, settings, library.read_bytes(), user_id=1, name=library.name)
    ref = {"counts": counts(ref_store), "items": items(ref_store), "report": ref_report.as_dict()}
    del ref["report"]["collection_id"]
    ref_store.close()
    assert ref_report.added == 2930 and not ref_report.unmatched

    url = named(db_url)  # PostgreSQL: the command's backend is found by its application_name
    store = seed(url)
    before = counts(store)
    run = Run.start(url, tmp_path / "data", "library", "import", "--user", "ada", str(library), tty=True)

    def saving() -> None:  # the transaction that saves the matches is open, and nothing of it is visible
        with store.read() as conn:
            assert conn.execute(select(func.count()).select_from(CollectionItem)).scalar_one() == 0
        assert writing(store)

    run.kill_when(lambda: "matching" in run.stderr and writing(store), saving, every=0.002)
    assert problems(store) == []
    assert counts(store) == before  # nothing: no collection, no item

    r = pf_here(url, "--data-dir", str(tmp_path / "data"), "library", "import", "--user", "ada", "--json", str(library))
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report.pop("collection_id") >= 1  # PostgreSQL: the killed transaction used up id 1 of the sequence
    assert report == ref["report"]  # every entry added, as the first time
    assert problems(store) == []
    assert counts(store) == ref["counts"] and items(store) == ref["items"]
    store.close()
