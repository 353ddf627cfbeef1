"""The Hugging Face daily-papers source, against recorded API responses served by a local HTTP server."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperfeed.errors import RecordError, SourceError
from paperfeed.records import Featured, PaperRecord
from paperfeed.sources import hf
from paperfeed.sources.http import PoliteClient

FIXTURES = Path(__file__).parent.parent / "data" / "fixtures"
DAILY = (FIXTURES / "hf-daily-papers-2026-06-12.json").read_bytes()
PAPER = (FIXTURES / "hf-paper-2608.09888.json").read_bytes()

pytestmark = pytest.mark.network_server


@pytest.fixture
def client():
    with PoliteClient("hf", delay=0, backoff=0.01, retries=2) as c:
        yield c


def by_id(items) -> dict[str, PaperRecord]:
    return {r.arxiv_id: r for r in items if isinstance(r, PaperRecord)}


def test_parse_daily_maps_every_field():
    items = hf.parse_daily(DAILY, location="daily.json")
    assert len(items) == 30
    assert all(isinstance(r, PaperRecord) for r in items)
    assert [r.arxiv_id for r in items[:3]] == ["2606.00467", "2606.12730", "2606.13594"]

    msa = by_id(items)["2606.13392"]
    assert msa.title == "MiniMax Sparse Attention"
    assert msa.authors[:4] == ["Xunhao Lai", "Weiqi Xu", "Yufeng Yang", "Qiaorui Chen"]
    assert msa.authors[-1] == "Pengyu Zhao" and len(msa.authors) == 11
    assert msa.upvotes == 103
    assert msa.code_url == "https://github.com/MiniMax-AI/MSA"
    assert msa.project_url == "https://huggingface.co/MiniMaxAI/MiniMax-M3"  # no projectPage: found in the abstract
    assert msa.keywords[:3] == ["sparse attention", "Grouped Query Attention", "Top-k selection"]
    assert msa.published == datetime(2026, 6, 11, tzinfo=UTC)
    assert msa.featured == [Featured(date(2026, 6, 12), "ryanlee-dev", 103)]
    assert msa.source == "hf"
    assert msa.abs_url == "https://arxiv.org/abs/2606.13392"
    assert msa.abstract.startswith(json.loads(DAILY)[21]["paper"]["summary"][:60])

    web = by_id(items)["2606.10423"]
    assert web.title == "WebChallenger: A Reliable and Efficient Generalist Web Agent"
    assert web.authors == ["Jayoo Hwang", "Xiaowen Zhang", "Vedant Padwal"]
    assert web.code_url == "https://github.com/jayoohwang1/webchallenger"
    assert web.project_url == "https://jayoohwang1.github.io/webchallenger-site/"
    assert web.featured[0].submitted_by == "jayoohwang"

    first = items[0]
    assert first.upvotes == 0
    assert first.abstract.startswith("Large Language Models (LLMs) are increasingly used for zero-shot annotation")


def test_parse_paper():
    rec = hf.parse_paper(PAPER, location="https://huggingface.co/api/papers/2608.09888")
    assert isinstance(rec, PaperRecord)
    assert rec.arxiv_id == "2608.09888"
    assert rec.title == "BDH-CQ: In-Context Learning with Recurrent Latent Reasoning"
    assert rec.authors[:3] == ["Björn Engdahl", "Adrian Kosowski", "Jan Chorowski"]
    assert "Przemysław Uznański" in rec.authors
    assert rec.upvotes == 782
    assert rec.code_url == "https://github.com/pathwaycom/arc-task-gen"
    assert rec.project_url == "https://pathway.com/blog/pathway-150m-model-breaks-arc-agi-1-cost-efficiency-frontier"
    assert rec.featured == [Featured(date(2026, 8, 11), "janchorowski", 782)]
    assert rec.keywords[0] == "in-context learning"


def test_featured_day_falls_back_to_the_requested_day():
    doc = json.loads(DAILY)[:2]
    for item in doc:
        del item["paper"]["submittedOnDailyAt"]
    items = hf.parse_daily(json.dumps(doc).encode(), location="x", day=date(2026, 6, 1))
    assert [r.featured[0].day for r in items] == [date(2026, 6, 1)] * 2
    # no day at all: not featured
    items = hf.parse_daily(json.dumps(doc).encode(), location="x")
    assert [r.featured for r in items] == [[], []]


def test_submitter_name_when_user_is_missing():
    doc = json.loads(DAILY)[:1]
    del doc[0]["paper"]["submittedOnDailyBy"]["user"]
    (rec,) = hf.parse_daily(json.dumps(doc).encode(), location="x")
    assert rec.featured[0].submitted_by == "RKocielnik"


def test_malformed_json_is_a_source_error():
    with pytest.raises(SourceError) as err:
        hf.parse_daily(DAILY[:5000], location="https://hf/api/daily_papers?date=2026-06-12")
    assert "malformed JSON" in str(err.value)
    assert err.value.source == "hf" and "date=2026-06-12" in err.value.location
    with pytest.raises(SourceError, match="malformed JSON"):
        hf.parse_paper(b"<html>rate limited</html>", location="p")


def test_api_error_and_wrong_shape():
    with pytest.raises(SourceError, match="API error: Invalid date"):
        hf.parse_daily(b'{"error": "Invalid date"}', location="x")
    with pytest.raises(SourceError, match="expected a JSON list"):
        hf.parse_daily(b'{"papers": []}', location="x")
    with pytest.raises(SourceError, match="expected a JSON object"):
        hf.parse_paper(b"[]", location="x")
    assert hf.parse_daily(b"[]", location="x") == []


def test_a_bad_item_names_its_index_and_id_and_the_others_parse():
    doc = json.loads(DAILY)
    doc[3]["paper"]["upvotes"] = "many"
    doc[5]["paper"]["title"] = ""
    doc[5]["title"] = ""
    doc[7] = "not an item"
    items = hf.parse_daily(json.dumps(doc).encode(), location="daily")
    errors = {i: r for i, r in enumerate(items) if isinstance(r, RecordError)}
    assert sorted(errors) == [3, 5, 7]
    assert errors[3].location == "daily item 3" and errors[3].record == "2606.13174"
    assert "upvote" in errors[3].message
    assert errors[5].record == "2606.07867" and errors[5].message == "missing title"
    assert "item 7" in str(errors[7])
    assert sum(isinstance(r, PaperRecord) for r in items) == 27


def test_fetch_daily_from_a_local_server(httpserver, client):
    httpserver.expect_request("/api/daily_papers", query_string={"date": "2026-06-12"}).respond_with_data(
        DAILY, content_type="application/json"
    )
    page = hf.fetch_daily(client, base_url=httpserver.url_for("/api"), day=date(2026, 6, 12))
    assert page.next_cursor is None
    assert "date=2026-06-12" in page.location
    assert len(page.items) == 30 and page.total == 30
    assert by_id(page.items)["2606.13681"].upvotes == 118
    assert by_id(page.items)["2606.13681"].code_url == "https://github.com/Aiden0526/EvoArena"


def test_fetch_daily_retries_a_transient_failure(httpserver, client):
    httpserver.expect_oneshot_request("/api/daily_papers").respond_with_data("busy", status=503)
    httpserver.expect_request("/api/daily_papers").respond_with_data(DAILY, content_type="application/json")
    page = hf.fetch_daily(client, base_url=httpserver.url_for("/api/"), day=date(2026, 6, 12))
    assert len(page.items) == 30
    assert len(httpserver.log) == 2


def test_fetch_daily_gives_up_with_a_source_error(httpserver, client):
    httpserver.expect_request("/api/daily_papers").respond_with_data("nope", status=404)
    with pytest.raises(SourceError, match="HTTP 404"):
        hf.fetch_daily(client, base_url=httpserver.url_for("/api"), day=date(2026, 6, 12))


def test_fetch_paper(httpserver, client):
    httpserver.expect_request("/api/papers/2608.09888").respond_with_data(PAPER, content_type="application/json")
    rec = hf.fetch_paper(client, base_url=httpserver.url_for("/api"), arxiv_id="2608.09888")
    assert rec.title.startswith("BDH-CQ") and rec.upvotes == 782


def _serve_three_days(httpserver):
    doc = json.loads(DAILY)
    days = {"2026-06-10": [], "2026-06-11": doc[:5], "2026-06-12": doc}
    for day, items in days.items():  # each list featured on its own day
        body = json.dumps([{**i, "paper": {**i["paper"], "submittedOnDailyAt": f"{day}T00:00:00.000Z"}} for i in items])
        httpserver.expect_request("/api/daily_papers", query_string={"date": day}).respond_with_data(
            body, content_type="application/json"
        )


def test_fetch_days_walks_the_range_and_resumes(httpserver, client):
    _serve_three_days(httpserver)
    base = httpserver.url_for("/api")
    start, end = date(2026, 6, 10), date(2026, 6, 12)

    pages = hf.fetch_days(client, base_url=base, start=start, end=end)
    first = next(pages)
    assert first.items == [] and first.next_cursor == {"day": "2026-06-11"}
    pages.close()  # the mirror stops here (crash, Ctrl-C) with the first page stored

    resumed = list(hf.fetch_days(client, base_url=base, start=start, end=end, cursor=first.next_cursor))
    assert [len(p.items) for p in resumed] == [5, 30]
    assert [p.next_cursor for p in resumed] == [{"day": "2026-06-12"}, None]
    assert {f.day for r in resumed[0].items for f in r.featured} == {date(2026, 6, 11)}
    assert {f.day for r in resumed[1].items for f in r.featured} == {date(2026, 6, 12)}
    asked = [req.args["date"] for req in (entry[0] for entry in httpserver.log)]
    assert asked == ["2026-06-10", "2026-06-11", "2026-06-12"]


def test_fetch_days_with_a_finished_or_bad_cursor(httpserver, client):
    base = httpserver.url_for("/api")
    start, end = date(2026, 6, 10), date(2026, 6, 12)
    assert list(hf.fetch_days(client, base_url=base, start=start, end=end, cursor={"day": "2026-06-13"})) == []
    with pytest.raises(SourceError, match="bad resume cursor"):
        list(hf.fetch_days(client, base_url=base, start=start, end=end, cursor={"day": "yesterday"}))
    assert httpserver.log == []
