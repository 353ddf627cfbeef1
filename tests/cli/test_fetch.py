"""`paperfeed fetch` when a harvest stops part way: what it says was kept, and how to go on."""

from __future__ import annotations

import json
from pathlib import Path

from werkzeug import Response

from paperfeed.store import Store
from paperfeed.store import papers as P
from tests.helpers.cli import pf_here

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"


def _papers(db_url: str) -> int:
    store = Store.open(db_url)
    with store.read() as conn:
        n = P.counts(conn)["papers"]
    store.close()
    return n


def test_a_bad_day_of_an_hf_range_says_the_days_before_it_were_stored(db_url, httpserver):
    day = (FIXTURES / "hf-daily-papers-2026-06-12.json").read_bytes()
    bad = json.dumps([{"paper": {"id": "2607.00002", "title": "Bad", "upvotes": "many"}}])
    httpserver.expect_request("/api/daily_papers", query_string={"date": "2026-07-01"}).respond_with_data(day)
    httpserver.expect_request("/api/daily_papers", query_string={"date": "2026-07-02"}).respond_with_data(bad)
    httpserver.expect_request("/api/daily_papers", query_string={"date": "2026-07-03"}).respond_with_data("[]")
    env = {"PAPERFEED_HF_API_URL": httpserver.url_for("/api")}
    r = pf_here(db_url, "fetch", "hf", "--date-from", "2026-07-01", "--date-to", "2026-07-03", env=env)
    assert r.returncode == 2 and "date=2026-07-02" in r.stderr and "bad upvote count" in r.stderr
    assert "nothing imported" not in r.stderr
    assert "this page was not stored (the 1 page before it was stored); run again with --skip-bad" in r.stderr
    assert _papers(db_url) == 30  # 1 July's, as it said
    r = pf_here(db_url, "fetch", "hf", "--date-from", "2026-07-01", "--date-to", "2026-07-03", "--skip-bad", env=env)
    assert r.returncode == 0 and "resumed from {'day': '2026-07-02'}" in r.stdout


def test_an_expired_oai_resume_point_says_to_restart(db_url, httpserver):
    page1 = (FIXTURES / "arxiv-oai-listrecords-oaidc-2023-page1.xml").read_bytes()
    expired = (
        b'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        b'<responseDate>2023-03-08T00:00:00Z</responseDate><request verb="ListRecords">http://export.arxiv.org/oai2'
        b'</request><error code="badResumptionToken">Invalid or expired resumptionToken</error></OAI-PMH>'
    )
    last = (FIXTURES / "arxiv-oai-listrecords-oaidc-2023-page3-last.xml").read_bytes()
    answers = iter([(200, page1), (503, b"busy"), (503, b"busy"), (200, expired), (200, last)])
    httpserver.expect_request("/oai").respond_with_handler(
        lambda req: Response(*next(answers)[::-1], content_type="text/xml")
    )
    env = {"PAPERFEED_ARXIV_OAI_URL": httpserver.url_for("/oai")}
    args = ("fetch", "oai", "--format", "oai_dc", "--date-from", "2023-03-07")
    assert pf_here(db_url, *args, env=env).returncode == 1  # page 2 failed: page 1 stored, its token saved
    r = pf_here(db_url, *args, env=env)
    assert r.returncode == 1 and "badResumptionToken" in r.stderr
    assert "the resume point has expired; run the same command with --restart" in r.stderr
    assert pf_here(db_url, *args, "--restart", env=env).returncode == 0
    restart = httpserver.log[-1][0].args
    assert restart.get("resumptionToken") is None and restart["metadataPrefix"] == "oai_dc"


def test_fetch_by_id_names_the_ids_arxiv_did_not_return(db_url, httpserver):
    """arXiv answers an id list with the papers it has: 1707.00001 is not among them."""
    httpserver.expect_request("/api/query").respond_with_data(
        (FIXTURES / "arxiv-api-idlist-partial-2026.atom.xml").read_bytes(), content_type="application/atom+xml"
    )
    env = {"PAPERFEED_ARXIV_API_URL": httpserver.url_for("/api/query")}
    r = pf_here(db_url, "fetch", "arxiv", "--id", "1707.08567", "--id", "arXiv:1707.00001v2", env=env)
    assert r.returncode == 1
    assert "arXiv has no paper 1707.00001v2 (1 of the 2 ids asked for was stored)" in r.stderr
    assert _papers(db_url) == 1
    r = pf_here(db_url, "fetch", "arxiv", "--id", "1707.08567v1", env=env)
    assert r.returncode == 0, r.stderr
