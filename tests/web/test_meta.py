"""What crawlers, Google Scholar and link previews read: canonical URLs from base_url, descriptions, the
paper page's citation_*, OpenGraph and JSON-LD tags, all escaped; and the page cache still answers 304."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from paperfeed.store import keywords as store_keywords
from paperfeed.store import summaries
from tests.helpers.web import add_papers, browser, make_app, paper

BASE = "https://papers.example.org"
HOSTILE = '</script><script>alert(1)</script> "quoted" & <b>bold</b>'


class Head(HTMLParser):
    """The ``<meta>`` tags by name/property, the links by rel and the JSON-LD scripts' text of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.meta, self.links, self.jsonld, self._in = {}, {}, [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or a.get("property")):
            self.meta.setdefault(a.get("name") or a.get("property"), []).append(a.get("content"))
        elif tag == "link":
            self.links.setdefault(a.get("rel"), []).append(a.get("href"))
        self._in = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in:
            self.jsonld.append(data)

    def handle_endtag(self, tag):
        self._in = False


@pytest.fixture
def app(store, tmp_path):
    add_papers(
        store,
        paper(
            1,
            day=date(2024, 1, 2),
            upvotes=5,
            title=HOSTILE,
            authors=["Ada Q. Lovelace", "Jean-Luc O'Brien"],
            abstract="We study branes. " * 30,
            published=datetime(2024, 1, 1, 12, tzinfo=UTC),
            doi="10.1000/xyz",
        ),
        paper(2, day=date(2024, 1, 2), upvotes=3),
        paper(
            3, day=date(2024, 1, 3), upvotes=1, arxiv_id=None, title="A paper from elsewhere", authors=["Zoë Ångström"]
        ),
        paper(4, day=date(2024, 1, 3), upvotes=0),
    )
    with store.transaction() as conn:
        summaries.save_summaries(conn, [("2401.00002", "h", "Paper 2 in one line.")], "test")
        store_keywords.save_keywords(conn, [(f"2401.{n:05d}", [("images", 0.9)]) for n in (2, 4)])
    return make_app(store, tmp_path, base_url=BASE + "/", page_items=1)


def test_paper_page_has_scholar_opengraph_and_jsonld_tags_escaped(app):
    with browser(app) as b:
        r = b.get("/papers/2401.00001")
    assert r.status_code == 200
    head = Head(r.text)
    assert head.meta["citation_title"] == [HOSTILE]  # the parser unescaped it: the page held it escaped
    assert head.meta["citation_author"] == ["Ada Q. Lovelace", "Jean-Luc O'Brien"]
    assert head.meta["citation_publication_date"] == ["2024/01/01"]
    assert head.meta["citation_arxiv_id"] == ["2401.00001"]
    assert head.meta["citation_pdf_url"] == ["https://arxiv.org/pdf/2401.00001"]
    assert head.meta["citation_doi"] == ["10.1000/xyz"]
    assert head.meta["og:type"] == ["article"] and head.meta["og:title"] == [HOSTILE]
    assert head.meta["og:url"] == [f"{BASE}/papers/2401.00001"] == head.links["canonical"]
    assert head.meta["twitter:card"] == ["summary"]
    description = head.meta["description"][0]
    assert description.startswith("We study branes. We study") and description.endswith("…") and len(description) < 210
    assert head.meta["og:description"] == [description]
    # the hostile title never closes a tag: one script of ours opens, none of the title's
    assert r.text.count("<script>alert(1)") == 0 and "</script><script>alert" not in r.text
    (ld,) = head.jsonld
    assert "</" not in ld
    article = json.loads(ld)
    assert article["@type"] == "ScholarlyArticle" and article["name"] == HOSTILE
    assert [a["name"] for a in article["author"]] == ["Ada Q. Lovelace", "Jean-Luc O'Brien"]
    assert article["url"] == f"{BASE}/papers/2401.00001" and article["datePublished"] == "2024-01-01"
    assert article["sameAs"] == ["https://arxiv.org/abs/2401.00001", "https://doi.org/10.1000/xyz"]


def test_a_paper_described_by_its_one_line_summary_and_one_from_elsewhere(app):
    with browser(app) as b:
        two = Head(b.get("/papers/2401.00002").text)
        stable = b.get("/papers/date/2024-01-03").text.split('href="/papers/pf-')[1].split('"')[0]
        other = Head(b.get(f"/papers/pf-{stable}").text)
    assert two.meta["description"] == ["Paper 2 in one line."] == two.meta["og:description"]
    assert "citation_arxiv_id" not in other.meta and other.meta["citation_author"] == ["Zoë Ångström"]
    assert other.links["canonical"] == [f"{BASE}/papers/pf-{stable}"]


def test_canonical_urls_come_from_base_url_never_the_host_header(app):
    with browser(app) as b:
        r = b.get("/papers/2401.00001?similar=method", headers={"Host": "evil.example"})
    assert Head(r.text).links["canonical"] == [f"{BASE}/papers/2401.00001"]  # no tab, no other host
    assert "evil.example" not in r.text


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", "/papers/date/2024-01-03"),  # the front page names its day's page: that one stays
        ("/?sort=newest&p=1", "/papers/date/2024-01-03"),  # the search's name of the order (published: its alias)
        ("/papers/date/2024-01-02", "/papers/date/2024-01-02"),
        ("/papers/date/2024-01-02?p=2&sort=upvotes", "/papers/date/2024-01-02?p=2"),
        ("/papers/week/2024-W01", "/papers/week/2024-W01"),
        ("/trending?category=cs.LG&p=1", "/trending?category=cs.LG"),
        ("/authors/ada%20q.%20lovelace", "/authors/Ada%20Q.%20Lovelace"),  # as the papers write the name
        ("/keywords/IMAGES", "/keywords/images"),
        ("/search?q=branes&sort=newest", "/search?q=branes"),
        ("/login", "/login"),
    ],
)
def test_every_page_names_one_canonical_url(app, path, canonical):
    with browser(app) as b:
        r = b.get(path)
    assert r.status_code == 200, path
    head = Head(r.text)
    assert head.links["canonical"] == [BASE + canonical] == head.meta["og:url"]
    assert head.meta["twitter:card"] == ["summary"] and head.meta["description"][0]


def test_error_pages_name_no_canonical_url(app):
    with browser(app) as b:
        r = b.get("/papers/2401.99999")
    assert r.status_code == 404 and 'rel="canonical"' not in r.text


def test_lists_say_what_they_are_in_title_and_description(app):
    with browser(app) as b:
        day = b.get("/papers/date/2024-01-02?p=2")
        front = b.get("/")
        author = b.get("/authors/Ada%20Lovelace?p=2")
        keyword = b.get("/keywords/images?p=2")
    assert "<title>Papers of Tue 02 Jan 2024 · page 2 · paperfeed</title>" in day.text
    assert Head(day.text).meta["description"][0].startswith("2 research papers picked on Tue 02 Jan 2024")
    assert "<title>Papers of Wed 03 Jan 2024 · paperfeed</title>" in front.text
    assert "<title>Papers by Ada Lovelace · page 2 · paperfeed</title>" in author.text
    assert "<title>Papers on images · page 2 · paperfeed</title>" in keyword.text
    assert Head(author.text).meta["description"][0].startswith("2 research papers by Ada Lovelace")


def test_the_copy_button_waits_for_the_script_that_makes_it_work(app):
    with browser(app) as b:
        page = b.get("/papers/2401.00002").text
        script = b.get("/static/app.js").text
    assert re.search(r'<button type="button" data-copy="#bibtex" hidden>', page)
    assert 'querySelectorAll("button[data-copy][hidden]")' in script


def test_tagged_paper_pages_are_still_cached_and_revalidated(app):
    with browser(app) as b:
        first = b.get("/papers/2401.00001")
        hit = b.get("/papers/2401.00001")
        assert hit.headers["x-cache"] == "hit" and Head(hit.text).meta == Head(first.text).meta
        again = b.get("/papers/2401.00001", headers={"If-None-Match": hit.headers["etag"]})
        assert again.status_code == 304
