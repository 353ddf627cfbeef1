"""``paperfeed index-snapshot save FILE | load FILE``: a new machine's indexes from a running one's."""

from __future__ import annotations

from paperfeed.index import job
from tests.helpers.cli import pf_here
from tests.helpers.search import FILES, load


def test_save_on_one_machine_load_on_another(store, settings, encoder, tmp_path, db_url):
    load(store, FILES / "papers-page-sample.txt")
    job.run(store, settings, encoder=encoder, keywords=False, sentences=False)
    path = tmp_path / "index.snapshot"
    saved = pf_here(db_url, "--data-dir", str(settings.data_dir), "index-snapshot", "save", str(path))
    assert saved.returncode == 0 and "102 papers, 102 vectors" in saved.stdout, saved.stderr

    new = ["--data-dir", str(tmp_path / "new-machine")]
    loaded = pf_here(db_url, *new, "index-snapshot", "load", str(path))
    assert loaded.returncode == 0, loaded.stderr
    assert "102 papers, 102 vectors" in loaded.stdout and "caught up since: 0 papers, 0 vectors" in loaded.stdout
    found = pf_here(db_url, *new, "search", "diffusion", "--json")
    assert found.returncode == 0 and '"not_embedded": 0' in found.stdout

    again = pf_here(db_url, *new, "index-snapshot", "load", str(path))
    assert again.returncode == 1 and "already holds indexes: pass --force" in again.stderr
    missing = pf_here(db_url, *new, "index-snapshot", "load", str(tmp_path / "nope.snapshot"), "--force")
    assert missing.returncode == 1 and "nope.snapshot: no such file" in missing.stderr
    assert "Traceback" not in again.stderr + missing.stderr
