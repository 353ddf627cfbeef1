"""arXiv's daily RSS listing against the recorded feed served by a real local HTTP server."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.records import PaperRecord
from paperfeed.sources.rss import fetch, parse_rss
from tests.helpers.net import RSS, client, load

pytestmark = pytest.mark.network_server
FEED = "arxiv-rss-multi-2026-09-24.rss.xml"
LISTING_DAY = date(2026, 9, 24)


def channel(items: str, pub_date: str = "Thu, 24 Sep 2026 00:00:00 -0400") -> bytes:
    pub = f"<pubDate>{pub_date}</pubDate>" if pub_date else ""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'version="2.0"><channel><title>cs.LG updates on arXiv.org</title>'
        f"{pub}{items}</channel></rss>"
    ).encode()


def item(arxiv_id: str, kind: str, title: str = "A title", pub_date: str = "", version: int = 2) -> str:
    pub = f"<pubDate>{pub_date}</pubDate>" if pub_date else ""
    return (
        f"<item><title>{title}</title><link>https://arxiv.org/abs/{arxiv_id}</link>"
        f"<description>arXiv:{arxiv_id}v{version} Announce Type: {kind} \nAbstract: Words.</description>"
        f"<category>cs.LG</category>{pub}<arxiv:announce_type>{kind}</arxiv:announce_type>"
        "<dc:creator>Ada Lovelace, Alan Turing</dc:creator></item>"
    )


def test_parse_recorded_feed():
    items = parse_rss(load(FEED), location="feed")
    assert all(isinstance(i, PaperRecord) for i in items)
    assert [(i.arxiv_id, i.version) for i in items] == [
        ("2609.26811", 1),
        ("2609.26820", 1),
        ("2205.06398", 2),
        ("2009.13987", 3),
    ]
    drift, signal, outlier, polytope = items
    assert drift.title == "The Drift Contract: Spectral Updates for Depth-Robust Local Learning"
    assert drift.authors == ["Fabien Polly"]
    assert drift.abstract.startswith("Local learning trains each layer with its own auxiliary loss")
    assert not drift.abstract.startswith("Abstract")
    assert drift.categories == ["cs.LG"] and drift.primary_category == "cs.LG"
    assert drift.source == "arxiv-rss"
    assert signal.authors == ["Naser Mansour", "Sidahmed Benabderrahmane", "Ameer Rahwan"]
    assert signal.categories == ["cs.LG", "cs.AI"]
    assert outlier.title == "Outlier Detection for Multi-Network Data"
    assert outlier.categories == ["stat.ME", "stat.AP", "stat.ML"]
    assert outlier.doi == "10.1093/bioinformatics/btac431"
    assert polytope.authors == ["Michael Joswig", "Marek Kaluba", "Lukas Ruff"]


def test_new_and_cross_get_the_listing_day_replacements_do_not():
    items = parse_rss(load(FEED), location="feed")
    # channel pubDate is "Thu, 24 Sep 2026 00:00:00 -0400": the day as arXiv wrote it, not the UTC day;
    # 2205.06398v2 is a cross-list of a 2022 paper: not its first listing (it was dated 24 Sep 2026)
    assert [(i.id, i.announced) for i in items] == [
        ("2609.26811", LISTING_DAY), ("2609.26820", LISTING_DAY), ("2205.06398", None), ("2009.13987", None)
    ]  # fmt: skip


def test_replace_cross_leaves_announced_unset():
    body = channel(item("2609.00001", "replace-cross") + item("2609.00002", "cross", version=1))
    first, second = parse_rss(body, location="x")
    assert first.announced is None and second.announced == LISTING_DAY
    assert first.authors == ["Ada Lovelace", "Alan Turing"] and first.version == 2


def test_a_cross_list_of_an_older_paper_is_not_its_first_listing():
    """A later version's cross-list, or a first version's from months before, leaves its date alone."""
    body = channel(item("2609.00003", "cross") + item("2401.00004", "cross", version=1))
    assert [r.announced for r in parse_rss(body, location="x")] == [None, None]


def test_item_date_used_when_channel_has_none():
    body = channel(item("2401.00001", "new", pub_date="Mon, 05 Feb 2024 00:00:00 -0500"), pub_date="")
    (rec,) = parse_rss(body, location="x")
    assert rec.announced == date(2024, 2, 5)


def test_empty_channel_is_not_an_error(httpserver):
    httpserver.expect_request("/rss/cs.LG").respond_with_data(channel(""), content_type=RSS)
    with client("arxiv-rss") as c:
        (page,) = fetch(c, base_url=httpserver.url_for("/rss"), categories=["cs.LG"])
    assert page.items == [] and page.next_cursor is None


def test_fetch_joins_categories_with_plus(httpserver):
    httpserver.expect_request("/rss/cs.LG+cs.AI+cs.CL+stat.ML").respond_with_data(load(FEED), content_type=RSS)
    with client("arxiv-rss") as c:
        pages = list(fetch(c, base_url=httpserver.url_for("/rss/"), categories=["cs.LG", "cs.AI", "cs.CL", "stat.ML"]))
    assert len(pages) == 1 and len(pages[0].items) == 4
    assert pages[0].location == httpserver.url_for("/rss/cs.LG+cs.AI+cs.CL+stat.ML")
    assert pages[0].next_cursor is None and pages[0].total == 4
    assert len(httpserver.log) == 1


def test_bad_item_is_a_record_error_others_parse():
    body = load(FEED).replace(b"<title>Random Polytope Descriptors</title>", b"<title> </title>")
    body = body.replace(b"arXiv:2609.26820v1 Announce Type: new", b"Announcement pending", 1)
    items = parse_rss(body, location="feed")
    assert isinstance(items[1], RecordError) and "Announce Type" in str(items[1])
    assert isinstance(items[3], RecordError) and items[3].record == "2009.13987v3"
    assert "missing title" in str(items[3]) and "feed (item 4)" in str(items[3])
    assert isinstance(items[0], PaperRecord) and isinstance(items[2], PaperRecord)


@pytest.mark.parametrize(
    "body,match",
    [
        (load(FEED)[:4000], "malformed XML"),
        (b"<html><body>Not found</body></html>", "not an RSS feed"),
    ],
)
def test_bad_feeds(body, match):
    with pytest.raises(SourceError, match=match):
        parse_rss(body, location="x")


def test_404_fails_at_once_naming_the_url(httpserver):
    httpserver.expect_request("/rss/cs.XX").respond_with_data(b"no such category", status=404)
    with client("arxiv-rss") as c, pytest.raises(SourceError) as err:
        list(fetch(c, base_url=httpserver.url_for("/rss"), categories=["cs.XX"]))
    assert "HTTP 404" in str(err.value) and httpserver.url_for("/rss/cs.XX") in str(err.value)
    assert len(httpserver.log) == 1
