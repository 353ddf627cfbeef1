"""Upserts: idempotent, version history kept, gaps filled, nothing lost, same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from paperfeed.errors import BadImport, RecordError
from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.store import days
from paperfeed.store import papers as P
from paperfeed.store.models import paper_authors


def rec(**kw) -> PaperRecord:
    base = dict(
        title="Attention Is All You Need",
        abstract="We propose the Transformer.",
        arxiv_id="1706.03762v1",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        categories=["cs.CL", "cs.LG"],
        source="arxiv-api",
    )
    return checked(PaperRecord(**(base | kw)))


def test_same_data_twice_changes_nothing(store):
    records = [rec(), rec(arxiv_id="2401.00001v1", title="Other", authors=["A"])]
    first = import_items(store, records)
    second = import_items(store, records)
    assert (first.counts.added, second.counts.added) == (2, 0)
    assert second.counts.unchanged == 2 and not second.counts.changed
    with store.read() as conn:
        assert P.counts(conn)["papers"] == 2
        assert P.get_paper(conn, "1706.03762").authors == ["Ashish Vaswani", "Noam Shazeer"]


def test_newer_version_updates_and_keeps_history(store):
    import_items(store, [rec()])
    res = import_items(
        store,
        [
            rec(
                arxiv_id="1706.03762v5",
                title="Attention Is All You Need (v5)",
                authors=["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"],
            )
        ],
    )
    assert res.counts.updated == 1
    with store.read() as conn:
        p = P.get_paper(conn, "1706.03762")
        assert (p.version, p.title) == (5, "Attention Is All You Need (v5)")
        assert p.authors[-1] == "Niki Parmar"
        hist = P.versions(conn, "1706.03762")
    assert [(v["version"], v["title"]) for v in hist] == [
        (1, "Attention Is All You Need"),
        (5, "Attention Is All You Need (v5)"),
    ]


def test_older_version_does_not_overwrite(store):
    import_items(store, [rec(arxiv_id="1706.03762v5", title="New title")])
    import_items(store, [rec(arxiv_id="1706.03762v2", title="Old title")])
    with store.read() as conn:
        assert P.get_paper(conn, "1706.03762").title == "New title"
        assert [v["version"] for v in P.versions(conn, "1706.03762")] == [2, 5]


def test_hf_record_fills_gaps_without_blanking(store):
    import_items(store, [rec()])
    hf = rec(
        arxiv_id="1706.03762",
        title="attention is all you need",
        authors=[],
        categories=[],
        upvotes=42,
        code_url="https://github.com/tensorflow/tensor2tensor",
        source="hf",
        featured=[Featured(date(2024, 1, 5), "akhaliq", 42)],
    )
    import_items(store, [hf])
    with store.read() as conn:
        p = P.get_paper(conn, "1706.03762")
    assert p.title == "Attention Is All You Need"  # an unversioned record never overwrites content
    assert p.categories == ["cs.CL", "cs.LG"] and p.authors[0] == "Ashish Vaswani"
    assert p.upvotes == 42 and p.code_url == "https://github.com/tensorflow/tensor2tensor"
    assert p.sources == ["arxiv-api", "hf"]
    assert [(f.day, f.submitted_by, f.upvotes, f.source) for f in p.featured] == [
        (date(2024, 1, 5), "akhaliq", 42, "hf")
    ]
    # a newer snapshot updates the upvotes; the same snapshot again changes nothing
    hf.upvotes = 50
    hf.featured[0].upvotes = 50
    assert import_items(store, [hf]).counts.updated == 1
    assert not import_items(store, [hf]).counts.changed


def test_featured_days_merge(store):
    import_items(store, [rec(featured=[Featured(date(2024, 1, 1))])])
    res = import_items(store, [rec(featured=[Featured(date(2024, 1, 1)), Featured(date(2024, 1, 2), "bob")])])
    assert res.counts.featured_added == 1
    with store.read() as conn:
        assert [f.day.day for f in P.get_paper(conn, "1706.03762").featured] == [1, 2]
        assert days.featured_days(conn) == [date(2024, 1, 2), date(2024, 1, 1)]


def test_announced_keeps_first_listing_day(store):
    import_items(store, [rec(announced=date(2025, 3, 20))])
    import_items(store, [rec(announced=date(2025, 3, 18))])
    import_items(store, [rec(arxiv_id="1706.03762v2", announced=date(2025, 4, 1))])
    with store.read() as conn:
        assert P.get_paper(conn, "1706.03762").announced_on == date(2025, 3, 18)


MONDAY_NOON = datetime(2025, 3, 17, 12, tzinfo=UTC)  # submitted: the query API's and OAI-PMH's guess of its day
TUESDAY = date(2025, 3, 18)  # announced: the day of arXiv's RSS listing


def _day(store) -> date | None:
    with store.read() as conn:
        return P.get_paper(conn, "1706.03762").announced_on


def test_the_listing_day_from_rss_beats_the_submission_day_guess(store):
    """RSS first: the query API's guess fills nothing; the query API first: RSS's day replaces its guess."""
    rss, api = rec(announced=TUESDAY, source="rss"), rec(published=MONDAY_NOON, announced_guess=MONDAY_NOON.date())
    import_items(store, [rss])
    assert not import_items(store, [api]).counts.added and _day(store) == TUESDAY
    assert not import_items(store, [rec(announced_guess=date(2025, 3, 16))]).counts.changed


@pytest.mark.parametrize("later", [TUESDAY, date(2025, 3, 20)])  # a weekend's gap too
def test_a_guessed_day_gives_way_to_arxivs_later_listing_day(store, later):
    import_items(store, [rec(published=MONDAY_NOON, announced_guess=MONDAY_NOON.date())])
    assert _day(store) == MONDAY_NOON.date()
    import_items(store, [rec(announced=later, source="rss")])
    assert _day(store) == later
    import_items(store, [rec(announced=date(2025, 3, 25), source="rss")])  # a later cross-list: the first day stays
    assert _day(store) == later


def test_a_stored_submission_day_counts_as_a_guess(store):
    """A day equal to the paper's submission day, as the query API guessed it before guesses were told apart
    or a paperfeed export of such a paper gives it, is replaced by arXiv's listing day too."""
    import_items(store, [rec(published=MONDAY_NOON, announced=MONDAY_NOON.date(), source="jsonl")])
    import_items(store, [rec(announced=date(2025, 3, 20), source="rss")])
    assert _day(store) == date(2025, 3, 20)


def test_non_arxiv_paper_gets_stable_id(store):
    a = checked(PaperRecord(title="A Paper Without arXiv", abstract="x", source="page"))
    b = checked(PaperRecord(title="a paper without  arxiv!", abstract="y", source="csv"))
    assert a.id == b.id and a.id.startswith("pf-")
    import_items(store, [a])
    assert import_items(store, [b]).counts.added == 0


def test_bad_record_imports_nothing(store):
    bad = RecordError("jsonl", "x.jsonl line 2", "missing title", "2401.00002")
    with pytest.raises(BadImport, match=r"x.jsonl line 2: record 2401.00002: missing title; nothing imported"):
        import_items(store, [rec(), bad, rec(arxiv_id="2401.00003")])
    with store.read() as conn:
        assert P.counts(conn)["papers"] == 0


def test_skip_bad_keeps_good_records(store):
    bad = RecordError("jsonl", "x.jsonl line 2", "missing title")
    res = import_items(store, [rec(), bad, rec(arxiv_id="2401.00003")], skip_bad=True)
    assert res.counts.added == 2 and res.bad_total == 1 and "line 2" in str(res.bad[0])


def test_import_never_touches_other_tables(store):
    """Community data lives in its own tables: a re-import with new versions leaves them alone."""
    import_items(store, [rec()])
    with store.transaction() as conn:
        conn.exec_driver_sql("CREATE TABLE community_note (paper_id VARCHAR(64) REFERENCES papers(id), note TEXT)")
        conn.exec_driver_sql("INSERT INTO community_note VALUES ('1706.03762', 'keep me')")
    import_items(store, [rec(arxiv_id="1706.03762v9", authors=["Someone Else"])])
    with store.read() as conn:
        assert conn.exec_driver_sql("SELECT note FROM community_note").scalar() == "keep me"
        names = conn.execute(select(paper_authors.c.name)).scalars().all()
    assert names == ["Someone Else"]


def test_timestamps_round_trip_as_utc(store):
    t = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    import_items(store, [rec(published=t, updated=t)])
    with store.read() as conn:
        p = P.get_paper(conn, "1706.03762")
    assert p.published_at == t and p.updated_at == t
    assert not import_items(store, [rec(published=t, updated=t)]).counts.changed


def test_duplicate_ids_in_one_batch(store):
    res = import_items(store, [rec(), rec(arxiv_id="1706.03762v3", title="v3"), rec(upvotes=3, source="hf")])
    assert res.counts.added == 1
    with store.read() as conn:
        p = P.get_paper(conn, "1706.03762")
    assert (p.version, p.title, p.upvotes) == (3, "v3", 3)


def _planner_rows(store) -> float | None:
    """The planner's idea of how many papers there are (None: no statistics gathered yet)."""
    with store.read() as conn:
        if store.dialect == "postgresql":
            n = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'papers'::regclass")).scalar()
            return None if n < 0 else n
        if not conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
            return None
        stat = conn.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'papers' LIMIT 1")).scalar()
        return None if stat is None else float(stat.split()[0])


def test_bulk_import_refreshes_planner_statistics(store, monkeypatch):
    import paperfeed.ingest as ingest

    monkeypatch.setattr(ingest, "BULK", 3)
    import_items(store, [rec(arxiv_id=f"2401.0000{i}v1", title=f"Paper {i}") for i in range(2)])
    assert _planner_rows(store) is None  # a small import leaves the statistics to the server
    import_items(store, [rec(arxiv_id=f"2401.0001{i}v1", title=f"More {i}") for i in range(3)])
    assert _planner_rows(store) == 5
