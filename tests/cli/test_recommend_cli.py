"""``paperfeed recommend train | show`` as a user runs them (the command's entry point, in the test's process)
over a real database."""

from __future__ import annotations

import pytest

from paperfeed.store import community
from paperfeed.store import users as store_users
from tests.helpers.cli import pf_here
from tests.helpers.recommend import TOPICS, load_corpus, paper_id, rec_encoder  # noqa: F401


@pytest.fixture
def people(store, db_url, tmp_path, rec_encoder):  # noqa: F811
    load_corpus(store, rec_encoder)
    with store.transaction() as conn:
        ada = store_users.create_user(conn, username="ada", password_hash="x").id
        store_users.create_user(conn, username="bob", password_hash="x")
        community.vote(conn, user_id=ada, paper_id=paper_id("robots", 0, new=False), value=1)
    return db_url


def test_train_then_show_with_reasons(people, tmp_path):
    env = {"PAPERFEED_DATA_DIR": str(tmp_path)}
    r = pf_here(people, "recommend", "train", env=env)
    assert r.returncode == 0, r.stderr
    assert "1 user: 1 trained, 0 unchanged" in r.stdout
    r = pf_here(people, "recommend", "train", "--user", "ada", env=env)
    assert r.returncode == 0 and "0 trained, 1 unchanged" in r.stdout
    r = pf_here(people, "recommend", "show", "ada", "-n", "3", env=env)
    assert r.returncode == 0, r.stderr
    flat = " ".join(r.stdout.replace("│", " ").split())
    assert "ada's model: 1 positives" in flat and "close to" in flat and "upvoted" in flat
    assert sum(t[:12] in flat for t, _ in TOPICS["robots"]) >= 2  # the top 3 are mostly robot papers
    r = pf_here(people, "recommend", "show", "bob", env=env)
    assert r.returncode == 0 and "no upvotes or saves yet" in r.stdout


def test_unknown_user_and_bad_options_fail_clearly(people, tmp_path):
    env = {"PAPERFEED_DATA_DIR": str(tmp_path)}
    r = pf_here(people, "recommend", "show", "nobody", env=env)
    assert r.returncode == 1 and "no user 'nobody'" in r.stderr
    r = pf_here(people, "recommend", "train", "--user", "nobody", env=env)
    assert r.returncode == 1 and "no user 'nobody'" in r.stderr
    r = pf_here(people, "recommend", "show", "ada", "-n", "0", env=env)
    assert r.returncode != 0 and "greater than or equal to 1" in r.stderr
