"""arXiv OAI-PMH harvest against recorded responses served by a real local HTTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.records import PaperRecord
from paperfeed.sources.oai import harvest, parse_get_record, parse_list_records
from tests.helpers.net import XML, Sequence, client, load, query_args

pytestmark = pytest.mark.network_server
PATH = "/oai2"
PAGES = [f"arxiv-oai-listrecords-oaidc-2023-page{n}.xml" for n in ("1", "2", "3-last")]


def oai_error(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2024-01-01T00:00:00Z</responseDate>"
        '<request verb="ListRecords">http://export.arxiv.org/oai2</request>'
        f'<error code="{code}">{message}</error></OAI-PMH>'
    ).encode()


def by_id(items):
    assert all(isinstance(i, PaperRecord) for i in items), [str(i) for i in items if isinstance(i, RecordError)]
    return {r.arxiv_id: r for r in items}


# --- the 3-page oai_dc harvest ------------------------------------------------------------------------


def serve_three_pages(httpserver):
    httpserver.expect_request(
        PATH, query_string={"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2023-03-07"}
    ).respond_with_data(load(PAGES[0]), content_type=XML)
    httpserver.expect_request(
        PATH, query_string={"verb": "ListRecords", "resumptionToken": "6511260|1001"}
    ).respond_with_data(load(PAGES[1]), content_type=XML)
    httpserver.expect_request(
        PATH, query_string={"verb": "ListRecords", "resumptionToken": "6511260|2001"}
    ).respond_with_data(load(PAGES[2]), content_type=XML)


def test_three_page_harvest_with_resumption_token(httpserver):
    serve_three_pages(httpserver)
    with client("arxiv-oai") as c:
        pages = list(
            harvest(c, base_url=httpserver.url_for(PATH), metadata_prefix="oai_dc", date_from=date(2023, 3, 7))
        )
    assert [len(p.items) for p in pages] == [1000, 1000, 265]
    assert sum(len(p.items) for p in pages) == 2265
    assert all(p.total == 2265 for p in pages)
    assert [p.next_cursor for p in pages] == [
        {"resumptionToken": "6511260|1001"},
        {"resumptionToken": "6511260|2001"},
        None,
    ]
    records = by_id([i for p in pages for i in p.items])
    assert len(records) == 2265  # every record parsed, no duplicates
    args = query_args(httpserver)
    assert args[0] == {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2023-03-07"}
    assert args[1:] == [
        {"verb": "ListRecords", "resumptionToken": "6511260|1001"},
        {"verb": "ListRecords", "resumptionToken": "6511260|2001"},
    ]


def test_oai_dc_fields():
    items, token = parse_list_records(load(PAGES[0]), location="page1")
    assert token == "6511260|1001"
    recs = by_id(items)
    kempner = recs["0806.4410"]
    assert kempner.title == "Summing the curious series of Kempner and Irwin"
    assert kempner.authors == ["Robert Baillie"]  # "Baillie, Robert"
    assert kempner.abstract.startswith("In 1914, Kempner proved that the series 1/1 + 1/2 + ...")
    assert kempner.comment == (
        "29 pages, 2 figures, 10 tables. Several new sections. Expanded Mathematica "
        "code, which is now in the ancillary files"
    )
    assert kempner.published == datetime(2008, 6, 27, tzinfo=UTC)
    assert kempner.updated == datetime(2023, 3, 4, tzinfo=UTC)
    assert kempner.version is None and kempner.categories == []  # oai_dc has no category codes
    assert kempner.source == "arxiv-oai"
    routing = recs["2303.00735"]
    assert routing.title == "A Deep Learning Perspective on Network Routing"
    assert routing.authors == [
        "Yarin Perry",
        "Felipe Vieira Frujeri",
        "Chaim Hoch",
        "Srikanth Kandula",
        "Ishai Menache",
        "Michael Schapira",
        "Aviv Tamar",
    ]
    assert routing.comment == "To appear at NSDI 2023"


def test_oai_dc_identifiers_give_doi_and_journal_ref_and_old_ids():
    recs = by_id(parse_list_records(load(PAGES[1]), location="page2")[0])
    planets = recs["2303.02188"]
    assert planets.title == "Superhabitability of High-Obliquity and High-Eccentricity Planets"
    assert planets.authors == ["Jonathan Jernigan", "Émilie Laflèche", "Angela Burke", "Stephanie Olson"]
    assert planets.doi == "10.3847/1538-4357/acb81c"
    assert planets.journal_ref == "ApJ 944 205 (2023)"
    assert planets.published == planets.updated == datetime(2023, 3, 3, tzinfo=UTC)
    items, token = parse_list_records(load(PAGES[2]), location="page3")
    assert token is None  # empty resumptionToken element: the list is complete
    last = items[-1]
    assert last.arxiv_id == "nlin/0202021"
    assert last.authors == ["Darryl D. Holm", "Zhijun Qiao"]
    assert last.comment == "Some errors in the previous versions have been corrected"


def test_resume_from_cursor_sends_only_the_token(httpserver):
    serve_three_pages(httpserver)
    with client("arxiv-oai") as c:
        pages = list(
            harvest(
                c,
                base_url=httpserver.url_for(PATH),
                metadata_prefix="oai_dc",
                set_spec="cs",
                cursor={"resumptionToken": "6511260|2001"},
            )
        )
    assert len(pages) == 1 and len(pages[0].items) == 265 and pages[0].next_cursor is None
    assert query_args(httpserver) == [{"verb": "ListRecords", "resumptionToken": "6511260|2001"}]


def test_first_request_names_set_and_dates(httpserver):
    httpserver.expect_request(PATH).respond_with_data(
        load("arxiv-oai-listrecords-arXiv-hepex-2017.xml"), content_type=XML
    )
    with client("arxiv-oai") as c:
        (page,) = harvest(
            c,
            base_url=httpserver.url_for(PATH),
            set_spec="physics:hep-ex",
            date_from=date(2017, 12, 14),
            date_until=date(2017, 12, 15),
        )
    assert query_args(httpserver) == [
        {
            "verb": "ListRecords",
            "metadataPrefix": "arXiv",
            "set": "physics:hep-ex",
            "from": "2017-12-14",
            "until": "2017-12-15",
        }
    ]
    assert len(page.items) == 3 and page.next_cursor is None and page.total is None


# --- the arXiv metadata format ------------------------------------------------------------------------


def test_arxiv_format_fields():
    items, token = parse_list_records(load("arxiv-oai-listrecords-arXiv-hepex-2017.xml"), location="hepex")
    assert token is None
    recs = by_id(items)
    assert list(recs) == ["1706.05371", "1706.09418", "1707.00874"]
    rpv = recs["1706.09418"]
    assert rpv.title == "R-Parity Violation at the LHC"
    assert rpv.authors == ["Daniel Dercks", "Herbi Dreiner", "Manuel E. Krauss", "Toby Opferkuch", "Annika Reinert"]
    assert rpv.primary_category == "hep-ph" and rpv.categories == ["hep-ph", "hep-ex"]
    assert rpv.journal_ref == "Eur. Phys. J. C (2017) 77:856"
    assert rpv.doi == "10.1140/epjc/s10052-017-5414-4"
    assert rpv.comment.startswith("43 pages, 13 tables, 17 figures; updated Figs. 11-17")
    assert rpv.published == datetime(2017, 6, 28, tzinfo=UTC)
    assert rpv.updated == datetime(2017, 11, 26, tzinfo=UTC)
    sipm = recs["1706.05371"]
    assert sipm.title == "Evaluation of Silicon Photomultipliers for use as Photosensors in Liquid Xenon Detectors"
    assert sipm.primary_category == "physics.ins-det" and len(sipm.authors) == 13
    assert sipm.abstract.startswith("Silicon photomultipliers (SiPMs) are potential")


def test_arxiv_format_hep_th_excerpt():
    recs = by_id(parse_list_records(load("arxiv-oai-listrecords-arXiv-hepth-2017.xml"), location="hepth")[0])
    toolbox = recs["1412.8323"]
    assert toolbox.authors == ["Philipp A Hoehn"]
    assert toolbox.categories == ["quant-ph", "gr-qc", "hep-th", "math-ph", "math.MP", "physics.hist-ph"]
    assert toolbox.title == "Toolbox for reconstructing quantum theory from rules on information acquisition"
    assert recs["1607.01710"].doi == "10.1002/andp.201700188"


def test_get_record():
    rec = parse_get_record(load("arxiv-oai-getrecord-arXiv-2016.xml"), location="get")
    assert rec.arxiv_id == "1603.05976"
    assert rec.title == ("BICEP2 / Keck Array VII: Matrix based E/B Separation applied to BICEP2 and the Keck Array")
    assert rec.primary_category == "astro-ph.IM" and rec.categories == ["astro-ph.IM", "astro-ph.CO"]
    assert len(rec.authors) == 65  # 66 <author> elements; the lone ":" is not a name
    assert rec.authors[:3] == ["Keck Array", "BICEP2 Collaborations", "P. Ade"]
    assert "R. W. IV" in rec.authors  # forenames keyname suffix
    assert rec.published == rec.updated == datetime(2016, 3, 18, tzinfo=UTC)
    items, token = parse_list_records(load("arxiv-oai-getrecord-arXiv-2016.xml"), location="get")
    assert token is None and [i.arxiv_id for i in items] == ["1603.05976"]


# --- deleted records, errors, bad input ---------------------------------------------------------------


def test_deleted_records_are_skipped():
    body = load("arxiv-oai-listrecords-arXiv-hepex-2017.xml").replace(b"<header>", b'<header status="deleted">', 1)
    items, _ = parse_list_records(body, location="x")
    assert [i.arxiv_id for i in items] == ["1706.09418", "1707.00874"]


def test_no_records_match_is_an_empty_finished_harvest(httpserver):
    httpserver.expect_request(PATH).respond_with_data(
        oai_error("noRecordsMatch", "No records match the query"), content_type=XML
    )
    with client("arxiv-oai") as c:
        pages = list(harvest(c, base_url=httpserver.url_for(PATH), date_from=date(2030, 1, 1)))
    assert len(pages) == 1 and pages[0].items == [] and pages[0].next_cursor is None


@pytest.mark.parametrize(
    "code,message",
    [
        ("badResumptionToken", "The value of the resumptionToken argument is invalid or expired."),
        ("badArgument", "Illegal argument 'foo'"),
        ("cannotDisseminateFormat", "Unknown metadata format"),
    ],
)
def test_oai_errors_name_code_and_message(httpserver, code, message):
    httpserver.expect_request(PATH).respond_with_data(oai_error(code, message), content_type=XML)
    with client("arxiv-oai") as c, pytest.raises(SourceError) as err:
        list(harvest(c, base_url=httpserver.url_for(PATH), cursor={"resumptionToken": "stale|1"}))
    assert f"{code}: {message}" in str(err.value)
    assert len(httpserver.log) == 1


def test_get_record_of_unknown_id():
    with pytest.raises(SourceError, match="idDoesNotExist"):
        parse_get_record(oai_error("idDoesNotExist", "unknown id"), location="x")


def test_record_without_title_is_a_record_error():
    body = load("arxiv-oai-listrecords-arXiv-hepex-2017.xml").replace(
        b"<title>R-Parity Violation at the LHC</title>", b""
    )
    items, _ = parse_list_records(body, location="hepex")
    bad = items[1]
    assert isinstance(bad, RecordError)
    assert bad.record == "oai:arXiv.org:1706.09418" and "missing title" in str(bad)
    assert isinstance(items[0], PaperRecord) and isinstance(items[2], PaperRecord)


def test_unknown_metadata_format_is_a_record_error():
    body = load("arxiv-oai-listrecords-arXiv-hepex-2017.xml").replace(
        b'xmlns="http://arxiv.org/OAI/arXiv/"', b'xmlns="http://arxiv.org/OAI/arXivRaw/"', 1
    )
    items, _ = parse_list_records(body, location="x")
    assert isinstance(items[0], RecordError) and "unsupported metadata format" in str(items[0])


@pytest.mark.parametrize(
    "body,match",
    [
        (load(PAGES[2])[:-300], "malformed XML"),
        (b"<html>Service Unavailable</html>", "not an OAI-PMH response"),
    ],
)
def test_bad_responses(body, match):
    with pytest.raises(SourceError, match=match):
        parse_list_records(body, location="x")


def test_a_repeated_token_stops_the_harvest(httpserver):
    httpserver.expect_request(PATH).respond_with_data(load(PAGES[0]), content_type=XML)
    with client("arxiv-oai") as c, pytest.raises(SourceError, match="repeated"):
        list(harvest(c, base_url=httpserver.url_for(PATH), metadata_prefix="oai_dc"))
    assert len(httpserver.log) == 2


def test_503_then_success(httpserver):
    handler = Sequence((503, b"Retry later"), (200, load("arxiv-oai-listrecords-arXiv-hepth-2017.xml")))
    httpserver.expect_request(PATH).respond_with_handler(handler)
    with client("arxiv-oai") as c:
        (page,) = harvest(c, base_url=httpserver.url_for(PATH), set_spec="physics:hep-th")
    assert len(page.items) == 3 and handler.calls == 2


def test_503_storm(httpserver):
    httpserver.expect_request(PATH).respond_with_data(b"busy", status=503)
    with client("arxiv-oai") as c, pytest.raises(SourceError) as err:
        list(harvest(c, base_url=httpserver.url_for(PATH)))
    assert "HTTP 503 after 3 attempts" in str(err.value) and httpserver.url_for(PATH) in str(err.value)
