"""The arXiv query API source against recorded responses served by a real local HTTP server."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from itertools import islice

import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.records import PaperRecord
from paperfeed.sources.arxiv_api import build_query, fetch, parse_feed
from tests.helpers.net import ATOM, Sequence, client, drain, load, query_args

pytestmark = pytest.mark.network_server
PATH = "/api/query"


def records(items):
    assert all(isinstance(i, PaperRecord) for i in items), [str(i) for i in items if isinstance(i, RecordError)]
    return {r.arxiv_id: r for r in items}


# --- build_query -------------------------------------------------------------------------------------


def test_build_query_category_and_dates():
    q = build_query(category="cs.LG", date_from=date(2024, 1, 1), date_to=date(2024, 1, 31))
    assert q == "cat:cs.LG AND submittedDate:[202401010000 TO 202401312359]"


def test_build_query_plain_words_become_all_terms():
    assert build_query(query="diffusion") == "all:diffusion"
    q = build_query(category="cs.CL", query='retrieval "language model"')
    assert q == 'cat:cs.CL AND (all:retrieval AND all:"language model")'


def test_build_query_field_syntax_passes_through():
    assert build_query(query="ti:llm OR abs:llm") == "ti:llm OR abs:llm"
    assert build_query(category="cs.CL", query="au:del_maestro") == "cat:cs.CL AND au:del_maestro"
    assert build_query(category="cs.CL", query="ti:a OR ti:b") == "cat:cs.CL AND (ti:a OR ti:b)"


def test_build_query_open_date_bounds_and_datetimes():
    assert build_query(date_from=date(2024, 5, 1)) == "submittedDate:[202405010000 TO 999912312359]"
    q = build_query(date_to=datetime(2024, 5, 2, 13, 30))
    assert q == "submittedDate:[199101010000 TO 202405021330]"


def test_build_query_needs_something():
    with pytest.raises(ValueError):
        build_query()


# --- parse_feed: every recorded layout ----------------------------------------------------------------


def test_parse_2026_page_fields():
    items, total = parse_feed(load("arxiv-api-query-2026.atom.xml"), location="page1")
    assert total == 214881
    recs = records(items)
    assert list(recs) == [
        "2202.12139",
        "2405.13786",
        "2005.14124",
        "2204.08348",
        "2302.03287",
        "1202.4527",
        "2503.05378",
        "1205.1866",
        "2502.07719",
        "1812.11470",
    ]
    first = recs["2202.12139"]
    assert first.title == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    assert first.version == 1
    assert first.authors == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
    assert first.primary_category == "cs.SE"
    assert first.categories == ["cs.SE", "cs.LG"]
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert first.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")
    assert first.published == datetime(2022, 2, 24, 15, 5, 19, tzinfo=UTC)
    assert first.abstract.startswith("Deep Learning (DL) has revolutionized")
    assert first.abs_url == "https://arxiv.org/abs/2202.12139v1"
    assert first.pdf_url == "https://arxiv.org/pdf/2202.12139v1"
    assert first.source == "arxiv-api"
    v3 = recs["2204.08348"]
    assert v3.version == 3
    assert v3.title == "Automated Test Generation for REST APIs: No Time to Rest Yet"
    assert v3.published == datetime(2022, 4, 18, 14, 46, 24, tzinfo=UTC)
    assert v3.updated == datetime(2022, 7, 6, 5, 12, 56, tzinfo=UTC)
    assert v3.doi == "10.1145/3533767.3534401"
    assert recs["2302.03287"].title == "ChatGPT and Software Testing Education: Promises & Perils"
    assert recs["2405.13786"].authors[0] == "Aurora Ramírez"
    assert recs["1205.1866"].primary_category == "cs.AR"


def test_parse_2026_second_page_primary_category_differs_from_first_listed():
    items, _ = parse_feed(load("arxiv-api-query-2026-start10.atom.xml"), location="page2")
    recs = records(items)
    assert len(recs) == 10
    assert recs["2403.16981"].version == 2
    assert recs["2403.16981"].primary_category == "math.ST"
    assert recs["2403.16981"].categories == ["math.ST", "cs.IT", "stat.ML"]
    assert recs["2406.19956"].version == 3
    assert recs["2202.06271"].authors[0] == "Katharina Götz"


def test_parse_category_query_finds_project_page_in_comment():
    items, total = parse_feed(load("arxiv-api-query-cat-2026-06.atom.xml"), location="cat")
    recs = records(items)
    assert total == 28946 and len(recs) == 5
    mana = recs["2606.13677"]
    assert mana.title == "Mana: Dexterous Manipulation of Articulated Tools"
    assert mana.primary_category == "cs.RO"
    assert mana.categories == ["cs.RO", "cs.AI", "cs.CV", "cs.LG"]
    assert mana.project_url == "https://zhaohengyin.github.io/mana"
    assert recs["2606.13568"].categories == ["cs.LG", "math-ph"]


def test_parse_2016_layout_with_inline_namespaces_and_old_ids():
    items, total = parse_feed(load("arxiv-api-query-2016.atom.xml"), location="2016")
    recs = records(items)
    assert total == 31 and len(recs) == 10
    luttinger = recs["1201.4869"]
    assert luttinger.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    assert luttinger.primary_category == "cond-mat.mes-hall"
    assert luttinger.categories == ["cond-mat.mes-hall", "cond-mat.other"]
    assert luttinger.doi == "10.1142/S021797921244002X"
    assert luttinger.journal_ref == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    assert luttinger.comment == "26 pages, 10 figures"
    assert luttinger.abs_url == "https://arxiv.org/abs/1201.4869v1"  # http:// upgraded
    assert luttinger.abstract.startswith("As helium-4 is cooled below 2.17 K")  # leading blanks gone
    old = recs["cond-mat/0412498"]
    assert old.version == 1
    assert old.authors == ["Adrian Del Maestro", "Subir Sachdev"]
    assert old.title == "Thermal melting of density waves on the square lattice"
    assert recs["cond-mat/0702661"].version == 2


def test_parse_2016_id_list_wrapped_title():
    items, total = parse_feed(load("arxiv-api-idlist-2016.atom.xml"), location="idlist")
    (rec,) = items
    assert total == 1
    assert rec.arxiv_id == "1111.2011" and rec.version == 2
    assert rec.title == "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    assert rec.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]
    assert rec.primary_category == "cond-mat.str-el"
    assert rec.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert rec.published == datetime(2011, 11, 8, 18, 48, 36, tzinfo=UTC)
    assert rec.updated == datetime(2012, 4, 2, 12, 38, 54, tzinfo=UTC)


def test_parse_error_feed_raises_with_arxiv_message():
    with pytest.raises(SourceError, match="incorrect id format for abc"):
        parse_feed(load("arxiv-api-error-400-2026.atom.xml"), location="err")


# --- fetch over HTTP ----------------------------------------------------------------------------------


def test_fetch_two_pages_then_stop_at_max_results(httpserver):
    httpserver.expect_request(
        PATH,
        query_string={
            "search_query": "all:testing",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": "0",
            "max_results": "10",
        },
    ).respond_with_data(load("arxiv-api-query-2026.atom.xml"), content_type=ATOM)
    httpserver.expect_request(
        PATH,
        query_string={
            "search_query": "all:testing",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": "10",
            "max_results": "10",
        },
    ).respond_with_data(load("arxiv-api-query-2026-start10.atom.xml"), content_type=ATOM)
    with client() as c:
        pages = list(
            fetch(c, base_url=httpserver.url_for(PATH), search_query="all:testing", page_size=10, max_results=20)
        )
    assert [len(p.items) for p in pages] == [10, 10]
    assert [p.next_cursor for p in pages] == [{"start": 10}, None]
    assert pages[0].total == pages[1].total == 214881
    assert "start=10" in pages[1].location and pages[1].location.startswith(httpserver.url_for(PATH))
    assert pages[1].items[0].arxiv_id == "2403.16981"
    args = query_args(httpserver)
    assert len(args) == 2
    assert args[1] == {
        "search_query": "all:testing",
        "sortBy": "submittedDate",
        "sortOrder": "descending",
        "start": "10",
        "max_results": "10",
    }


def test_fetch_is_lazy_and_max_results_trims_the_last_page(httpserver):
    httpserver.expect_request(PATH).respond_with_data(load("arxiv-api-query-2026.atom.xml"), content_type=ATOM)
    with client() as c:
        gen = fetch(c, base_url=httpserver.url_for(PATH), search_query="all:testing", page_size=100, max_results=10)
        (page,) = list(islice(gen, 1))
        assert page.next_cursor is None  # 10 results asked, 10 got
    assert query_args(httpserver)[0]["max_results"] == "10"


def test_fetch_resumes_from_cursor(httpserver):
    httpserver.expect_request(
        PATH,
        query_string={
            "search_query": "all:testing",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": "10",
            "max_results": "10",
        },
    ).respond_with_data(load("arxiv-api-query-2026-start10.atom.xml"), content_type=ATOM)
    with client() as c:
        pages = list(
            fetch(
                c,
                base_url=httpserver.url_for(PATH),
                search_query="all:testing",
                page_size=10,
                cursor={"start": 10},
                max_results=20,
            )
        )
    assert len(pages) == 1 and pages[0].next_cursor is None
    assert records(pages[0].items)["2202.06271"].title == "Model-based Testing of Scratch Programs"
    assert [a["start"] for a in query_args(httpserver)] == ["10"]


def test_fetch_empty_result(httpserver):
    httpserver.expect_request(PATH).respond_with_data(load("arxiv-api-empty-2026.atom.xml"), content_type=ATOM)
    with client() as c:
        pages = list(fetch(c, base_url=httpserver.url_for(PATH), id_list=["0000.0000"]))
    assert len(pages) == 1
    assert pages[0].items == [] and pages[0].next_cursor is None and pages[0].total == 0
    assert len(httpserver.log) == 1  # totalResults 0: no retry of an empty page


def test_fetch_retries_an_empty_page_while_more_results_exist(httpserver):
    empty = load("arxiv-api-empty-2026.atom.xml").replace(
        b"<opensearch:totalResults>0<", b"<opensearch:totalResults>214881<"
    )
    handler = Sequence((200, empty), (200, empty), (200, load("arxiv-api-query-2026-start10.atom.xml")))
    httpserver.expect_request(PATH).respond_with_handler(handler)
    with client() as c:
        pages = list(
            fetch(
                c,
                base_url=httpserver.url_for(PATH),
                search_query="all:testing",
                page_size=10,
                cursor={"start": 10},
                max_results=20,
            )
        )
    assert handler.calls == 3
    assert len(pages) == 1 and len(pages[0].items) == 10 and pages[0].next_cursor is None
    assert {a["start"] for a in query_args(httpserver)} == {"10"}


def test_fetch_stops_after_empty_page_keeps_coming_back_empty(httpserver):
    empty = load("arxiv-api-empty-2026.atom.xml").replace(
        b"<opensearch:totalResults>0<", b"<opensearch:totalResults>214881<"
    )
    httpserver.expect_request(PATH).respond_with_data(empty, content_type=ATOM)
    with client() as c:
        pages = list(fetch(c, base_url=httpserver.url_for(PATH), search_query="all:testing", page_size=10))
    assert len(httpserver.log) == 3  # the first try and two retries
    assert len(pages) == 1 and pages[0].items == [] and pages[0].next_cursor is None


def test_fetch_id_list_keeps_asked_order_and_partial_result(httpserver):
    httpserver.expect_request(PATH).respond_with_data(load("arxiv-api-idlist-partial-2026.atom.xml"), content_type=ATOM)
    with client() as c:
        pages = list(fetch(c, base_url=httpserver.url_for(PATH), id_list=["0808.05394", "1707.08567"]))
    assert query_args(httpserver) == [{"id_list": "0808.05394,1707.08567", "start": "0", "max_results": "100"}]
    (page,) = pages
    assert page.total == 1 and page.next_cursor is None
    (rec,) = page.items
    assert rec.arxiv_id == "1707.08567"
    assert rec.title == "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    assert len(rec.authors) == 34
    assert rec.authors[0] == "Kees A. Schouhamer Immink" and rec.authors[-1] == "Hirosuke Yamamoto"
    assert "Dirk Wübben" in rec.authors
    assert rec.primary_category == "cs.IT" and rec.journal_ref is None


def test_fetch_old_style_id(httpserver):
    httpserver.expect_request(
        PATH, query_string={"id_list": "astro-ph/0601001", "start": "0", "max_results": "100"}
    ).respond_with_data(load("arxiv-api-idlist-oldstyle-id-2026.atom.xml"), content_type=ATOM)
    with client() as c:
        (page,) = fetch(c, base_url=httpserver.url_for(PATH), id_list=["astro-ph/0601001"])
    (rec,) = page.items
    assert rec.arxiv_id == "astro-ph/0601001" and rec.version == 1
    assert rec.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III")
    assert rec.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert rec.primary_category == "astro-ph" and rec.categories == ["astro-ph"]
    assert rec.journal_ref == "ActaAstron.56:1-50,2006"
    assert rec.abs_url == "https://arxiv.org/abs/astro-ph/0601001v1"


def test_fetch_400_error_feed_names_arxivs_message(httpserver):
    httpserver.expect_request(PATH).respond_with_data(
        load("arxiv-api-error-400-2026.atom.xml"), status=400, content_type=ATOM
    )
    with client() as c, pytest.raises(SourceError) as err:
        list(fetch(c, base_url=httpserver.url_for(PATH), id_list=["abc"]))
    assert "arXiv error: incorrect id format for abc" in str(err.value)
    assert "id_list=abc" in str(err.value)
    assert len(httpserver.log) == 1  # a 400 is not retried


def test_fetch_400_without_error_feed(httpserver):
    httpserver.expect_request(PATH).respond_with_data(b"<html>Bad Request</html>", status=400)
    with client() as c, pytest.raises(SourceError, match="HTTP 400"):
        list(fetch(c, base_url=httpserver.url_for(PATH), id_list=["abc"]))


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        load("arxiv-api-query-2026.atom.xml")[:5000],  # truncated mid-entry
        b"<feed><entry></feed>",
        b"",
    ],
)
def test_malformed_xml_is_a_source_error(httpserver, body):
    with pytest.raises(SourceError, match="malformed XML"):
        parse_feed(body, location="x")
    httpserver.expect_request(PATH).respond_with_data(body, content_type=ATOM)
    with client() as c, pytest.raises(SourceError, match=re.escape(httpserver.url_for(PATH))):
        list(fetch(c, base_url=httpserver.url_for(PATH), search_query="all:x"))


def test_html_instead_of_atom():
    with pytest.raises(SourceError, match="not an Atom feed"):
        parse_feed(b"<html><body>maintenance</body></html>", location="x")


def test_entity_bomb_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>'
    )
    with pytest.raises(SourceError, match="refused XML"):
        parse_feed(bomb, location="x")


def test_entry_without_title_is_a_record_error_others_still_parse():
    body = load("arxiv-api-query-2026.atom.xml")
    body = body.replace(
        b"<title>Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques</title>", b"", 1
    )
    items, _ = parse_feed(body, location="page1")
    bad = items[0]
    assert isinstance(bad, RecordError)
    assert bad.record == "2202.12139v1" and "missing title" in str(bad)
    assert "page1 (entry 1)" in str(bad)
    assert all(isinstance(i, PaperRecord) for i in items[1:]) and len(items) == 10


def test_entry_with_bad_id_and_date():
    body = load("arxiv-api-query-2026.atom.xml")
    body = body.replace(b"<id>http://arxiv.org/abs/2405.13786v1</id>", b"<id>http://example.org/x</id>")
    body = body.replace(b"<published>2022-02-24T15:05:19Z</published>", b"<published>yesterday</published>")
    items, _ = parse_feed(body, location="page1")
    assert isinstance(items[0], RecordError) and "bad date" in str(items[0])
    assert isinstance(items[1], RecordError) and "not an arXiv id" in str(items[1])
    assert sum(isinstance(i, PaperRecord) for i in items) == 8


def test_fifty_megabyte_abstract_is_a_record_error():
    huge = "a" * 50_000_000
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>Huge</title>"
        f"<summary>{huge}</summary></entry>"
        "<entry><id>http://arxiv.org/abs/2401.00002v1</id><title>Fine</title><summary>ok</summary></entry>"
        "</feed>"
    ).encode()
    items, total = parse_feed(body, location="big")
    assert total is None
    assert isinstance(items[0], RecordError)
    assert "50,000,000 characters" in str(items[0]) and items[0].record == "2401.00001v1"
    assert isinstance(items[1], PaperRecord) and items[1].title == "Fine"


def test_503_storm_gives_up_naming_the_url(httpserver):
    httpserver.expect_request(PATH).respond_with_data(b"busy", status=503)
    with client() as c, pytest.raises(SourceError) as err:
        list(fetch(c, base_url=httpserver.url_for(PATH), search_query="all:testing"))
    message = str(err.value)
    assert "503" in message and httpserver.url_for(PATH) in message and "search_query=all%3Atesting" in message
    assert len(httpserver.log) == 3  # retries=2


def test_503_twice_then_success(httpserver):
    handler = Sequence((503, b"busy"), (503, b"busy"), (200, load("arxiv-api-query-cat-2026-06.atom.xml")))
    httpserver.expect_request(PATH).respond_with_handler(handler)
    with client() as c:
        (page,) = fetch(
            c, base_url=httpserver.url_for(PATH), search_query="all:transformer AND cat:cs.LG", max_results=5
        )
    assert len(page.items) == 5 and handler.calls == 3


def test_timeout_is_retried_then_a_source_error(httpserver):
    handler = Sequence(0.5)
    httpserver.expect_request(PATH).respond_with_handler(handler)
    with client(timeout=0.2, retries=1) as c, pytest.raises(SourceError) as err:
        list(fetch(c, base_url=httpserver.url_for(PATH), search_query="all:testing"))
    assert "Timeout" in str(err.value) and "after 2 attempts" in str(err.value)
    assert httpserver.url_for(PATH) in str(err.value)
    drain(httpserver)
