"""Machines following one database: each one's indexes take in what another embedded (index/follow.py),
a new machine starts from a snapshot of another's (index/snapshot.py), searches go on during a catch-up."""

from __future__ import annotations

import tarfile

import pytest

from paperfeed.actions import community as actions
from paperfeed.index import engine, follow, forget, job, snapshot
from paperfeed.index.job import job_lock
from paperfeed.rank.search import search
from paperfeed.rank.similar import similar
from tests.helpers.search import FILES, SEED_FILES, load


def other_machine(settings, tmp_path, name="b"):
    """The settings of another machine over the same database: its own data dir, so its own indexes."""
    return settings.model_copy(update={"data_dir": tmp_path / name})


def ids(hits) -> list[str]:
    return [h.paper_id for h in hits]


def test_a_machine_takes_in_what_another_embedded_without_embedding(store, settings, encoder, tmp_path):
    load(store, FILES / "papers-page-sample.txt")
    job.run(store, settings, encoder=encoder, keywords=False, sentences=False)  # machine A embeds
    b = other_machine(settings, tmp_path)
    first = follow.follow(store, b)  # machine B: nothing embedded, everything indexed
    assert (first.lexical, first.vectors, first.skipped) == (102, 102, False)
    assert len(engine(b).vectors) == 102 and engine(b).lexical.num_docs == 102
    assert ids(search(store, b, "diffusion").hits) == ids(search(store, settings, "diffusion").hits)
    assert follow.follow(store, b).vectors == 0  # up to date: nothing to do

    load(store, FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz")  # new papers, embedded on A
    new = job.run(store, settings, encoder=encoder, keywords=False, sentences=False).embedded
    assert new > 0
    forget(b)  # B's serving process, fresh: it loads the saved graph and takes in only the new vectors
    later = follow.follow(store, b)
    assert later.vectors == new and later.lexical == new
    assert len(engine(b).vectors) == 102 + new

    some = ids(search(store, b, "diffusion").hits)[0]
    actions.hide_paper(store, some)  # hidden on A: gone from B's keyword index on its next turn
    follow.follow(store, b)
    assert some not in ids(search(store, b, "diffusion").hits)


def test_a_machine_running_the_index_job_skips_its_turn(store, settings):
    load(store, FILES / "papers-page-sample.txt")
    with job_lock(settings):
        assert follow.follow(store, settings).skipped
    assert follow.follow(store, settings).lexical == 102


def test_a_catch_up_goes_a_page_at_a_time(store, settings, encoder, tmp_path):
    load(store, *SEED_FILES)
    job.run(store, settings, encoder=encoder, keywords=False, sentences=False)
    vectors = engine(other_machine(settings, tmp_path)).vectors
    assert vectors.sync(store, limit=50) == 50  # a search's catch-up stops after its share
    assert vectors.sync(store) == 124 - 50  # and the next one goes on from there


def test_a_new_machine_starts_from_a_snapshot(store, settings, encoder, tmp_path):
    load(store, *SEED_FILES)
    job.run(store, settings, encoder=encoder, keywords=False, sentences=False)
    path = tmp_path / "index.snapshot"
    info = snapshot.save(settings, path)
    assert (info.documents, info.vectors) == (124, 124)

    b = other_machine(settings, tmp_path)
    snapshot.load(store, b, path)
    eng = engine(b)
    assert len(eng.vectors) == 124 and eng.lexical.num_docs == 124  # nothing built on B
    query = "language model reasoning"
    assert ids(search(store, b, query).hits) == ids(search(store, settings, query).hits)
    pid = ids(search(store, settings, query).hits)[0]
    assert ids(similar(store, b, pid)) == ids(similar(store, settings, pid))
    assert follow.follow(store, b).vectors == 0  # the snapshot was current

    with pytest.raises(snapshot.SnapshotError, match="already holds indexes"):
        snapshot.load(store, b, path)
    snapshot.load(store, b, path, force=True)


def test_a_snapshot_of_another_database_or_no_snapshot_is_refused(store, settings, encoder, tmp_path, lite_store):
    load(store, FILES / "papers-page-sample.txt")
    job.run(store, settings, encoder=encoder, keywords=False, sentences=False)
    path = tmp_path / "index.snapshot"
    snapshot.save(settings, path)
    elsewhere = other_machine(settings, tmp_path).model_copy(
        update={"database_url": lite_store.engine.url.render_as_string()}
    )
    with pytest.raises(snapshot.SnapshotError, match="another deployment"):
        snapshot.load(lite_store, elsewhere, path)  # an empty database: none of its papers
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").rglob("vectors.usearch"))

    junk = tmp_path / "junk.snapshot"
    junk.write_bytes(b"not a tar file at all")
    with pytest.raises(snapshot.SnapshotError, match="not an index snapshot") as caught:
        snapshot.load(store, other_machine(settings, tmp_path, "c"), junk)
    assert "\n" not in str(caught.value) and "gzip" not in str(caught.value)  # one line, not tarfile's list
    with tarfile.open(tmp_path / "foreign.tar", "w") as tar:
        tar.add(FILES / "papers-page-sample.txt", arcname="snapshot.json")
    with pytest.raises(snapshot.SnapshotError, match="not a paperfeed index snapshot"):
        snapshot.load(store, other_machine(settings, tmp_path, "c"), tmp_path / "foreign.tar")
