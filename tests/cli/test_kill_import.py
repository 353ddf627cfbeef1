"""Kill -9 in the middle of ``paperfeed import``: the bundled demo file (2,938 records, upserted in batches of
1,000 inside one transaction, then the new papers added to the search index), SQLite file and PostgreSQL.

- killed inside the transaction, once its progress bar shows a batch written and the database still none:
  the database holds nothing of the file (an import is all or nothing);
- run again and killed after its commit, while the search index takes the papers in: every paper is there,
  whole.

After each kill the database passes its checks; run again to its end (its entry point in the test's process:
the killed runs are real processes) the command exits 0, and the papers (every author, category, version and
featured day of each), the lexical index and the searches equal those of one uninterrupted import into a
fresh database. ``bench/kill_import.py`` does the same with the 74,728-paper corpus at random kill points.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

import paperfeed
from paperfeed.index import forget, index_root, update_lexical
from paperfeed.index.lexical import LexicalIndex
from paperfeed.ingest import BATCH, import_items
from paperfeed.settings import Settings
from paperfeed.sources import files
from paperfeed.store import Store
from paperfeed.store.models import Featured, Paper, PaperAuthor, PaperCategory, PaperVersion
from tests.helpers.cli import pf_here
from tests.helpers.kill import Run, another_db, counts, problems

DEMO = Path(paperfeed.__file__).parent / "data" / "demo.jsonl.gz"
QUERIES = ["diffusion models for video generation", "reinforcement learning from human feedback", "mixture of experts"]


def per_paper(store: Store) -> dict[str, tuple[int, ...]]:
    """Each paper's authors, categories, versions and featured days: a paper is stored whole or not at all."""
    with store.read() as conn:
        found = {pid: [0, 0, 0, 0] for pid in conn.execute(select(Paper.id)).scalars()}
        for i, model in enumerate((PaperAuthor, PaperCategory, PaperVersion, Featured)):
            for pid, n in conn.execute(select(model.paper_id, func.count()).group_by(model.paper_id)):
                found[pid][i] = n
    return {pid: tuple(v) for pid, v in found.items()}


def papers(store: Store) -> int:
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(Paper)).scalar_one()


def answers(store: Store, settings: Settings) -> dict[str, list[str]]:
    forget(settings)  # a new process's view of the index folder
    return {q: [h.paper_id for h in paperfeed.search(store, settings, q, limit=10).hits] for q in QUERIES}


def lexical_docs(settings: Settings) -> int:
    return LexicalIndex(index_root(settings) / "lexical").num_docs


def reference(request, db_url: str, tmp_path: Path) -> dict:
    """One uninterrupted import into a fresh database of the same kind: what ``paperfeed import`` runs."""
    url = another_db(request, db_url, tmp_path)
    settings = Settings(data_dir=tmp_path / "reference", database_url=url, search_refresh_seconds=0)
    store = Store.open(url)
    result = import_items(store, files.read(DEMO))
    update_lexical(store, settings)
    out = {
        "report": result.as_dict(),
        "counts": counts(store),
        "per_paper": per_paper(store),
        "docs": lexical_docs(settings),
        "answers": answers(store, settings),
    }
    store.close()
    return out


def test_killed_mid_transaction_then_mid_indexing_the_import_ends_as_one_uninterrupted(
    request, db_url, store, tmp_path
):
    ref = reference(request, db_url, tmp_path)
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, search_refresh_seconds=0)
    untouched = counts(store)
    assert sum(untouched.values()) == 0

    # 1. inside the transaction: a batch upserted (the progress bar says so), nothing committed
    run = Run.start(db_url, tmp_path / "data", "import", str(DEMO), tty=True)

    def mid_transaction() -> None:
        assert BATCH <= run.progress("papers") < ref["report"]["read"] and papers(store) == 0

    run.kill_when(lambda: run.progress("papers") >= BATCH, mid_transaction)
    assert problems(store) == []
    assert counts(store) == untouched  # all or nothing: nothing

    # 2. run again, killed after its commit while the lexical index takes the papers in
    meta = index_root(settings) / "lexical" / "paperfeed-meta.json"

    def indexing() -> None:  # every paper committed; the index has not recorded them (no watermark yet)
        assert papers(store) == ref["counts"]["papers"]
        assert not meta.exists() or json.loads(meta.read_text())["watermark"] is None

    run = Run.start(db_url, tmp_path / "data", "import", str(DEMO))
    run.kill_when(lambda: papers(store) > 0, indexing)
    assert problems(store) == []
    assert counts(store) == ref["counts"] and per_paper(store) == ref["per_paper"]  # all of it, every paper whole

    # 3. run again to the end: as one uninterrupted import
    r = pf_here(db_url, "--data-dir", str(tmp_path / "data"), "import", "--json", str(DEMO))
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["added"] == report["updated"] == report["featured_added"] == 0  # nothing was missing
    assert problems(store) == []
    assert counts(store) == ref["counts"] and per_paper(store) == ref["per_paper"]
    assert lexical_docs(settings) == ref["docs"]  # every paper indexed once
    assert answers(store, settings) == ref["answers"]
