"""The personal digest is the recommender's: followed authors for a new account, never a dismissed paper."""

from __future__ import annotations

from datetime import UTC, date, datetime

from paperfeed.mail.compose import preview
from paperfeed.settings import Settings
from paperfeed.store import community
from paperfeed.store import follows as store_follows
from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from tests.helpers.mail import mail_settings
from tests.helpers.web import add_papers, paper

TUE = date(2024, 3, 5)
NOW = datetime(2024, 3, 5, 7, tzinfo=UTC)


def test_a_new_account_gets_its_followed_authors_never_a_dismissed_paper(store, tmp_path, inbox):
    add_papers(
        store,
        paper(1, day=TUE, upvotes=3, title="Compilers for everyone", authors=["Grace Hopper"]),
        paper(2, day=TUE, upvotes=50, title="Analytical engines", authors=["Ada Lovelace"]),
        paper(3, day=TUE, upvotes=1, title="COBOL at sixty", authors=["Grace Hopper"]),
    )
    settings = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    with store.transaction() as conn:
        user = store_users.create_user(conn, username="reader", password_hash="x", email="r@example.org")
        store_follows.follow(conn, user_id=user.id, kind="author", value="grace hopper")
        community.vote(conn, user_id=user.id, paper_id="2401.00003", value=-1)
        sub = subs.subscribe(conn, "r@example.org", user_id=user.id)
        subs.confirm(conn, sub.id, sub.token_version)
        subs.update_settings(conn, sub.id, frequency="daily", trending=False, personal=True, send_empty=False)
    digest, why, built = preview(store, settings, "r@example.org", now=NOW)
    assert built is not None, why
    mine = {p.title: p.reason for s in digest.sections for p in s.items}
    # no upvotes or saves yet: only what the account follows (trending, which it turned off, has the rest)
    assert mine == {"Compilers for everyone": "by Grace Hopper, whom you follow"}


def test_for_you_holds_at_most_digest_items_taken_in_turn(store, tmp_path, inbox):
    """The section merges each alert's matches and the recommendations: it used to take up to digest_items
    from each (10 alerts: 110 papers); now digest_items in all, one from each source in turn."""
    add_papers(
        store,
        *[paper(i, day=TUE, title=f"Compilers {i}", authors=["Grace Hopper"]) for i in range(1, 7)],
        *[paper(i, day=TUE, title=f"Smalltalk {i}", authors=["Alan Kay"]) for i in range(7, 13)],
        *[paper(i, day=TUE, title=f"Types {i}", authors=["Robin Milner"], categories=["cs.PL"]) for i in range(13, 19)],
    )
    settings = Settings(data_dir=tmp_path, digest_items=4, **mail_settings(tmp_path, inbox))
    with store.transaction() as conn:
        user = store_users.create_user(conn, username="reader", password_hash="x", email="r@example.org")
        store_follows.follow(conn, user_id=user.id, kind="author", value="grace hopper")
        sub = subs.subscribe(conn, "r@example.org", user_id=user.id)
        subs.confirm(conn, sub.id, sub.token_version)
        subs.update_settings(conn, sub.id, frequency="daily", trending=False, personal=True, send_empty=False)
        subs.add_alert(conn, sub.id, kind="author", value="Alan Kay", frequency="daily")
        subs.add_alert(conn, sub.id, kind="category", value="cs.PL", frequency="daily")
    digest, why, built = preview(store, settings, "r@example.org", now=NOW)
    assert built is not None, why
    (section,) = digest.sections
    assert section.title == "For you" and len(section.items) == 4
    assert {p.title.split()[0] for p in section.items} == {"Compilers", "Smalltalk", "Types"}
    assert digest.subject().startswith("4 for you")
