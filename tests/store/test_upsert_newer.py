"""Upserts of later data about a paper already stored: what a re-harvest, a snapshot or a cross-list changes."""

from __future__ import annotations

import re

from paperfeed.ingest import import_items
from paperfeed.sources.oai import parse_list_records
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
