"""Reading papers (``store.papers``): every field of a ``PaperView`` comes from its own column or table,
in the order asked for; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from paperfeed.store import community
from paperfeed.store import keywords as store_keywords
from paperfeed.store import papers as P
from paperfeed.store import summaries as store_summaries
from paperfeed.store import users as store_users
from tests.helpers.web import add_papers, paper

FULL = dict(
    version=3, primary_category="cs.CL", categories=["cs.AI", "cs.CL", "stat.ML"], comment="12 pages",
    journal_ref="ACL 2024", doi="10.1000/xyz", published=datetime(2024, 1, 1, 8, 30, tzinfo=UTC),
    updated=datetime(2024, 1, 5, 9, 0, tzinfo=UTC), announced=date(2024, 1, 2),
    abs_url="https://arxiv.org/abs/2401.00001", pdf_url="https://arxiv.org/pdf/2401.00001",
    code_url="https://github.com/a/b", project_url="https://a.github.io/b", keywords=["parsing", "syntax"],
    authors=["Grace Hopper", "Ada Lovelace", "Alan Turing"],
)  # fmt: skip


def test_each_field_of_a_view_comes_from_its_own_column(store):
    add_papers(store, paper(1, upvotes=7, title="Full paper", abstract="All fields set.", **FULL), paper(2))
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="reader", password_hash="x").id
        community.vote(conn, user_id=uid, paper_id="2401.00001", value=1)
        community.add_comment(conn, user_id=uid, paper_id="2401.00001", body="Nice.")
        store_summaries.save_summaries(conn, [("2401.00001", "h", "It parses everything.")], method="m")
        store_keywords.save_keywords(conn, [("2401.00001", [("dependency parsing", 0.9)])])
    with store.read() as conn:
        view = P.get_paper(conn, "2401.00001")
        other = P.get_paper(conn, "2401.00002")
    assert (view.id, view.version, view.title, view.abstract) == ("2401.00001", 3, "Full paper", "All fields set.")
    assert view.authors == ["Grace Hopper", "Ada Lovelace", "Alan Turing"]
    assert view.primary_category == "cs.CL" and view.categories == ["cs.CL", "cs.AI", "stat.ML"]  # primary first
    assert (view.comment, view.journal_ref, view.doi) == ("12 pages", "ACL 2024", "10.1000/xyz")
    assert view.published_at == datetime(2024, 1, 1, 8, 30, tzinfo=UTC)
    assert view.updated_at == datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    assert view.announced_on == date(2024, 1, 2)
    assert (view.abs_url, view.pdf_url) == (FULL["abs_url"], FULL["pdf_url"])
    assert (view.code_url, view.project_url) == (FULL["code_url"], FULL["project_url"])
    assert view.keywords == ["parsing", "syntax"] and view.keyphrases == ["dependency parsing"]
    assert (view.imported_upvotes, view.upvotes, view.num_comments) == (7, 8, 1)  # imported + one vote
    assert view.summary == "It parses everything." and view.hidden is False
    assert [(d.day, d.submitted_by, d.upvotes) for d in view.featured] == [(date(2024, 1, 2), "akhaliq", 7)]
    # a paper with none of these: empty values, not another paper's
    assert (other.comment, other.code_url, other.summary, other.keyphrases) == (None, None, None, [])
    assert (other.upvotes, other.num_comments, other.version) == (0, 0, 1)


def test_get_papers_keeps_the_order_asked_for_and_skips_unknown_ids(store):
    add_papers(store, *(paper(n) for n in range(1, 5)))
    with store.transaction() as conn:
        community.hide_paper(conn, "2401.00003")
    with store.read() as conn:
        views = P.get_papers(conn, ["2401.00004", "2401.00001", "9999.99999", "2401.00003", "2401.00001"])
    assert [v.id for v in views] == ["2401.00004", "2401.00001", "2401.00003", "2401.00001"]
    assert [v.title for v in views] == ["Paper number 4", "Paper number 1", "Paper number 3", "Paper number 1"]
    assert [v.hidden for v in views] == [False, False, True, False]  # hidden ones are the caller's to drop


def test_the_visible_papers_among_ids_drop_hidden_and_unknown_ones(store):
    """A result list's last check (``store.vectors.visible``): one bound value for any number of ids,
    repeats and unknown ids included; hidden papers are not among them."""
    from paperfeed.store import vectors as store_vectors

    add_papers(store, *(paper(i) for i in range(1, 5)))
    with store.transaction() as conn:
        community.hide_paper(conn, "2401.00002")
    ids = ["2401.00004", "2401.00002", "nope", "2401.00001", "2401.00004", *(f"x{i}" for i in range(2_000))]
    with store.read() as conn:
        assert store_vectors.visible(conn, ids) == {"2401.00001", "2401.00004"}
        assert store_vectors.visible(conn, ["2401.00003"]) == {"2401.00003"}
        assert store_vectors.visible(conn, []) == set()
