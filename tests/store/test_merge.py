"""A paper first seen on Hugging Face without an arXiv id, then fetched from arXiv with the same title: one
paper, with everything the community gave the copy (``store.merge``, run by the upsert)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson

from paperfeed.ids import stable_id
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord, checked
from paperfeed.sources.hf import parse_daily
from paperfeed.store import collections as C
from paperfeed.store import community
from paperfeed.store import papers as P
from paperfeed.store.users import create_user
from tests.helpers.net import load

TITLE = "Non-arXiv Paper: Zebrafish Routing Networks"
DAY = date(2026, 6, 12)


def _hf_without_id() -> list:
    """The recorded HF list of 12 June 2026, its first paper without an arXiv id and 55 upvotes."""
    items = orjson.loads(load("hf-daily-papers-2026-06-12.json"))[:2]
    items[0]["paper"] |= {"id": None, "title": TITLE, "upvotes": 55}
    return parse_daily(orjson.dumps(items), location="hf", day=DAY)


def _arxiv(**kw) -> PaperRecord:
    base = dict(title=TITLE, abstract="Routing.", arxiv_id="2608.50001v1", authors=["Guozhen Zhang"],
                categories=["cs.NE"], source="arxiv-api", published=datetime(2026, 8, 25, 10, tzinfo=UTC))  # fmt: skip
    return checked(PaperRecord(**(base | kw)))


def test_the_arxiv_record_takes_in_the_copy_and_what_the_community_gave_it(store):
    pf = stable_id(TITLE)
    import_items(store, _hf_without_id())
    with store.transaction() as conn:
        ann = create_user(conn, username="ann", password_hash="x").id
        bob = create_user(conn, username="bob", password_hash="x").id
        community.vote(conn, user_id=ann, paper_id=pf, value=1)
        community.vote(conn, user_id=bob, paper_id=pf, value=1)
        community.add_comment(conn, user_id=ann, paper_id=pf, body="Nice routing.")
        reading = C.create(conn, user_id=ann, name="Reading")
        C.add_paper(conn, reading, pf)
    res = import_items(store, [_arxiv()])
    assert (res.counts.added, res.counts.merged) == (1, 1)
    assert not import_items(store, [_arxiv()]).counts.changed
    with store.read() as conn:
        assert P.get_paper(conn, pf) is None
        p = P.get_paper(conn, "2608.50001")
        counts = P.counts(conn)
        comments = community.comments_for(conn, "2608.50001")
        assert C.paper_ids(conn, reading) == ["2608.50001"]
    assert (p.upvotes, p.imported_upvotes, p.num_comments) == (57, 55, 1)
    assert [c.body for c in comments] == ["Nice routing."]
    assert [(f.day, f.upvotes) for f in p.featured] == [(DAY, 55)]
    assert "hf" in p.sources and counts["papers"] == 2 and counts["other_papers"] == 0
    # the HF list imported again adds to the arXiv paper: the copy does not come back
    res = import_items(store, _hf_without_id())
    assert res.counts.added == 0
    with store.read() as conn:
        assert P.get_paper(conn, pf) is None and P.counts(conn)["papers"] == 2


def test_one_vote_and_one_collection_item_where_a_reader_had_both(store):
    pf = stable_id(TITLE)
    import_items(store, _hf_without_id())
    with store.transaction() as conn:
        ann = create_user(conn, username="ann", password_hash="x").id
        community.vote(conn, user_id=ann, paper_id=pf, value=1)
        reading = C.create(conn, user_id=ann, name="Reading")
        C.add_paper(conn, reading, pf)
    # both stored (as before merging existed): ann voted on and collected both
    with store.transaction() as conn:
        conn.execute(P.papers.insert().values(id="2608.50001", title=TITLE, abstract="", keywords=[], sources=[],
                                              created_at=datetime.now(UTC), modified_at=datetime.now(UTC)))  # fmt: skip
        community.vote(conn, user_id=ann, paper_id="2608.50001", value=1)
        C.add_paper(conn, reading, "2608.50001")
    res = import_items(store, [_arxiv()])
    assert res.counts.merged == 1
    with store.read() as conn:
        p = P.get_paper(conn, "2608.50001")
        assert C.paper_ids(conn, reading) == ["2608.50001"]
        assert community.user_votes(conn, ann) == {"2608.50001": 1}
    assert p.upvotes == 55 + 1


def test_the_copys_old_page_is_a_permanent_redirect_to_the_arxiv_paper(store, tmp_path):
    """A link or bookmark to the pf- paper's page keeps working once it merged (it was a 404)."""
    from tests.helpers.web import browser, make_app

    pf = stable_id(TITLE)
    import_items(store, _hf_without_id())
    import_items(store, [_arxiv()])
    with browser(make_app(store, tmp_path)) as b:
        r = b.get(f"/papers/{pf}?similar=method", follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == "/papers/2608.50001?similar=method"
        assert b.get(f"/papers/{pf}").url.path == "/papers/2608.50001"
        assert b.get("/papers/pf-000000000000", follow_redirects=False).status_code == 404


def test_a_listing_day_from_a_file_beats_the_arxiv_records_guess(store):
    """The copy came from a file that says when arXiv listed the paper; the query API only guesses (the
    submission day): the merged paper is on the file's day."""
    listed = date(2026, 8, 27)
    import_items(store, [checked(PaperRecord(title=TITLE, abstract="Routing.", announced=listed, source="jsonl"))])
    import_items(store, [_arxiv(announced_guess=date(2026, 8, 25))])
    with store.read() as conn:
        assert P.get_paper(conn, "2608.50001").announced_on == listed
