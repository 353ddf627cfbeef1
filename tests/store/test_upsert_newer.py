"""Upserts of later data about a paper already stored: what a re-harvest, a snapshot or a cross-list changes."""

from __future__ import annotations

import re
from datetime import date

import orjson

from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord, checked
from paperfeed.sources.hf import parse_daily
from paperfeed.sources.oai import parse_list_records
from paperfeed.sources.rss import parse_rss
from paperfeed.store import papers as P
from tests.helpers.net import load

HEPTH = "arxiv-oai-listrecords-arXiv-hepth-2017.xml"


def _oai(xml: bytes) -> list:
    items, _ = parse_list_records(xml, location="oai")
    return items


def test_oai_reharvest_applies_the_paper_update(store):
    """OAI-PMH records carry no version: a later ``updated`` is the newer version (it was ignored)."""
    real = load(HEPTH)
    # the same list harvested before 1412.8323's update: v1 title and abstract, no <updated>
    old = real.replace(b"<updated>2017-12-13</updated>", b"")
    old = re.sub(rb"<title>Toolbox for reconstructing[^<]*</title>", b"<title>An old v1 title</title>", old)
    old = old.replace(b"<abstract>  We develop an operational", b"<abstract>  OLD ABSTRACT. We develop an operational")
    assert old != real
    import_items(store, _oai(old))
    res = import_items(store, _oai(real))
    assert (res.counts.updated, res.counts.unchanged) == (1, 2)
    with store.read() as conn:
        p = P.get_paper(conn, "1412.8323")
    assert p.title.startswith("Toolbox for reconstructing quantum theory")
    assert not p.abstract.startswith("OLD ABSTRACT")
    assert p.updated_at.date().isoformat() == "2017-12-13"
    # harvested again, or the older list again: nothing changes
    assert not import_items(store, _oai(real)).counts.changed
    assert not import_items(store, _oai(old)).counts.changed


def _hf_day(delta: int) -> list:
    """The recorded HF list of 12 June 2026, every upvote count moved by ``delta``."""
    items = orjson.loads(load("hf-daily-papers-2026-06-12.json"))
    for item in items:
        item["paper"]["upvotes"] += delta
    return parse_daily(orjson.dumps(items), location="hf", day=date(2026, 6, 12))


def test_an_older_hf_snapshot_imported_later_never_lowers_upvotes(store):
    import_items(store, _hf_day(+25))
    with store.read() as conn:
        before = P.counts(conn)["imported_upvotes"]
        top = max(P.featured_between(conn, date(2026, 6, 12), date(2026, 6, 12))[0], key=lambda p: p.upvotes)
    res = import_items(store, _hf_day(+10))  # a file saved a week earlier
    assert not res.counts.changed
    with store.read() as conn:
        assert P.counts(conn)["imported_upvotes"] == before
        again = P.get_paper(conn, top.id)
    assert again.upvotes == top.upvotes and again.featured[0].upvotes == top.featured[0].upvotes
    assert import_items(store, _hf_day(+26)).counts.updated == 30  # a newer one raises them


def test_a_cross_list_added_later_joins_the_categories(store):
    """2609.26811 came in cs.LG's listing; the next day stat.ML's lists it as a cross-list, same version."""
    rss = load("arxiv-rss-multi-2026-09-24.rss.xml")
    import_items(store, parse_rss(rss, location="rss"))
    cross = rss.replace(b"Announce Type: new", b"Announce Type: cross", 1)
    cross = cross.replace(b"<arxiv:announce_type>new<", b"<arxiv:announce_type>cross<", 1)
    cross = cross.replace(b"<category>cs.LG</category>", b"<category>cs.LG</category><category>stat.ML</category>", 1)
    res = import_items(store, parse_rss(cross, location="rss"))
    assert res.counts.updated == 1
    with store.read() as conn:
        p = P.get_paper(conn, "2609.26811")
    assert (p.primary_category, p.categories) == ("cs.LG", ["cs.LG", "stat.ML"])
    # the cs.LG listing read again takes none away
    assert not import_items(store, parse_rss(rss, location="rss")).counts.changed
    with store.read() as conn:
        assert P.get_paper(conn, "2609.26811").categories == ["cs.LG", "stat.ML"]


def test_a_new_version_leaves_nothing_of_the_old_one_behind(store):
    """v2 of 2606.13677 with a new title and abstract and no comment: v1's comment and the project link
    found in it go, and until ``paperfeed index`` runs the paper counts as not embedded and shows no v1
    summary or keyphrases."""
    from paperfeed.store import keywords as K
    from paperfeed.store import summaries as S
    from paperfeed.store import vectors as V

    site = "https://mana-robot.github.io"
    v1 = dict(title="Mana", abstract="Dexterous hands.", arxiv_id="2606.13677v1", categories=["cs.RO"],
              comment=f"Project Page: {site}", journal_ref="CoRL 2026", source="arxiv-api")  # fmt: skip
    import_items(store, [checked(PaperRecord(**v1))])
    with store.transaction() as conn:
        V.save_vectors(conn, "m", [("2606.13677", "hash-of-v1", b"\0" * 8)])
        S.save_summaries(conn, [("2606.13677", "hash-of-v1", "Hands that learn.")], "method")
        K.save_keywords(conn, [("2606.13677", [("dexterous hands", 0.9)])])
        assert V.count_to_embed(conn, "m") == 0
    with store.read() as conn:
        p = P.get_paper(conn, "2606.13677")
    assert (p.project_url, p.summary, p.keyphrases) == (site, "Hands that learn.", ["dexterous hands"])
    v2 = v1 | dict(title="Mana 2: Revisited", abstract="We replace everything.", arxiv_id="2606.13677v2", comment=None,
                   journal_ref=None)  # fmt: skip
    assert import_items(store, [checked(PaperRecord(**v2))]).counts.updated == 1
    with store.read() as conn:
        p = P.get_paper(conn, "2606.13677")
        assert V.count_to_embed(conn, "m") == 1
    assert (p.version, p.title, p.comment, p.journal_ref, p.project_url) == (2, "Mana 2: Revisited", None, None, None)
    assert (p.summary, p.keyphrases) == (None, [])
    # the same v2 again changes nothing
    assert not import_items(store, [checked(PaperRecord(**v2))]).counts.changed
