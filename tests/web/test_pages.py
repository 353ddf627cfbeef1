"""The pages `paperfeed serve` shows: daily list, day navigation, paper page, errors — escaped, never a 500."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from paperfeed.app import create_app
from paperfeed.ingest import import_items
from paperfeed.records import Featured, PaperRecord, checked
from paperfeed.settings import Settings


def paper(n: int, day: date, upvotes: int, **kw) -> PaperRecord:
    return checked(
        PaperRecord(
            title=kw.pop("title", f"Paper number {n}"),
            abstract=kw.pop("abstract", f"Abstract {n}."),
            arxiv_id=f"2401.{n:05d}v1",
            authors=kw.pop("authors", ["Ada Lovelace", "Alan Turing"]),
            categories=["cs.LG"],
            upvotes=upvotes,
            source="hf",
            featured=[Featured(day, "akhaliq", upvotes)],
            **kw,
        )
    )


@pytest.fixture
def client(store, tmp_path):
    import_items(
        store,
        [
            paper(1, date(2024, 1, 2), 10),
            paper(2, date(2024, 1, 2), 30),
            paper(3, date(2024, 1, 3), 5, code_url="https://github.com/org/repo"),
            paper(
                4,
                date(2024, 1, 1),
                1,
                title='<script>alert(1)</script> "><img src=x onerror=alert(2)> $\\alpha < \\beta$',
                abstract="<b>bold?</b> & $x^2$",
            ),
        ],
    )
    app = create_app(Settings(data_dir=tmp_path, page_items=1), store=store)
    with TestClient(app) as c:
        yield c


def test_front_page_shows_latest_day(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Wed 03 Jan 2024" in r.text and "Paper number 3" in r.text
    assert 'href="https://github.com/org/repo"' in r.text
    assert 'href="/papers/date/2024-01-02"' in r.text  # previous day


def test_day_page_orders_by_upvotes_and_paginates(client):
    r = client.get("/papers/date/2024-01-02")
    assert r.status_code == 200 and "2 papers featured" in r.text
    assert "Paper number 2" in r.text and "Paper number 1" not in r.text  # one per page, most upvoted first
    assert "page 1 of 2" in r.text
    r2 = client.get("/papers/date/2024-01-02?p=2")
    assert "Paper number 1" in r2.text and "submitted by akhaliq" in r2.text


def test_paper_page(client):
    r = client.get("/papers/2401.00003")
    assert r.status_code == 200
    assert 'href="/authors/Ada%20Lovelace">Ada Lovelace</a>' in r.text and "arXiv:2401.00003v1" in r.text
    assert client.get("/papers/2401.00003v1").status_code == 200  # a versioned id finds the paper


@pytest.mark.parametrize(
    "path",
    [
        "/papers/9999.99999",
        "/papers/date/not-a-date",
        "/papers/date/2024-13-45",
        "/papers/date/3024-01-01",
        "/papers/%3Cscript%3E",
        "/nope",
    ],
)
def test_bad_ids_give_404_pages(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "<script>" not in r.text and "Back to today" in r.text


def test_card_and_paper_page_show_the_one_line_summary(client, store):
    from paperfeed.store import summaries as store_summaries

    with store.transaction() as conn:  # as the index job stores it (index/summaries.py)
        store_summaries.save_summaries(conn, [("2401.00003", "h", "Graphs <i>route</i> & scale.")], "m")
    front = client.get("/").text  # the newest day: paper 3
    assert '<p class="summary tldr"' in front and "Graphs &lt;i&gt;route&lt;/i&gt; &amp; scale." in front
    assert "Abstract 3." not in front  # the summary stands in for the abstract's opening
    page = client.get("/papers/2401.00003").text
    assert 'id="summary"' in page and "Graphs &lt;i&gt;route&lt;/i&gt; &amp; scale." in page
    assert "Abstract 3." in page  # the abstract stays on the paper page
    other = client.get("/papers/2401.00001").text
    assert 'id="summary"' not in other  # no summary yet: nothing shown
    assert "Abstract 1." in client.get("/papers/date/2024-01-02?p=2").text  # its card shows the abstract


def test_bad_page_number_is_422_not_500(client):
    assert client.get("/?p=0").status_code == 422
    assert client.get("/?p=abc").status_code == 422


def test_hostile_text_is_escaped(client):
    for path in ("/papers/date/2024-01-01", "/papers/2401.00004"):
        r = client.get(path)
        assert "<script>alert(1)</script>" not in r.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        assert "<img src=x" not in r.text
        assert "α &lt; β" in r.text  # the title's math shown as text (latex.math_to_text), still escaped


def test_empty_database(store, tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as c:
        r = c.get("/")
    assert r.status_code == 200 and "paperfeed demo" in r.text


def test_search_says_about_when_its_total_is_a_lower_bound(client, store, tmp_path):
    count = re.compile(r'<p class="count">(about )?(\d+) results?')
    page = client.get("/search?q=paper").text
    assert "keyword matching only" in page  # no paper has a vector here
    plain = count.search(page)  # three papers: the ranking ran out before its depth and counted them
    assert plain and plain.group(1) is None and plain.group(2) == "3"
    newest = count.search(client.get("/search?q=paper&sort=newest").text)
    assert newest and newest.group(1) is None and newest.group(2) == "3"  # every match listed: counted
    import_items(store, [paper(n, date(2024, 1, 4), 1) for n in range(10, 22)])
    app = create_app(Settings(data_dir=tmp_path / "shallow", page_items=1, search_candidates=10), store=store)
    with TestClient(app) as c:  # 15 matches, a ranking of 10: pruned, estimated
        plain = count.search(c.get("/search?q=paper").text)
    assert plain and plain.group(1) == "about " and 10 <= int(plain.group(2)) <= 15


def test_search_never_says_about_0(client, monkeypatch):
    """A lower bound of 0 is no count: the page says there are no results, not "about 0"."""
    import paperfeed.rank.search as S

    monkeypatch.setattr(S, "search", lambda *a, **kw: S.SearchResult([], 0, False, 0, total_is_estimate=True))
    page = client.get("/search?q=hep-th/9901001").text
    assert '<p class="count">0 results' in page and "about 0" not in page and "No papers match" in page


def test_a_page_past_the_end_of_a_search_is_not_found_and_links_back(client, monkeypatch):
    """One paper a page and three papers with "paper": page 4 of any sort is a 404 linking to pages 1 and 3,
    not "page 4 of 3" with only a Previous link; the first page of an empty search is still a page."""
    for sort in ("newest", "relevance"):
        assert client.get(f"/search?q=paper&sort={sort}&p=3").status_code == 200
        r = client.get(f"/search?q=paper&sort={sort}&p=4")
        assert r.status_code == 404 and "page 4 is past the end: this search has 3 pages" in r.text, sort
        links = re.findall(r'<a href="\?([^"]+)">', r.text)
        assert f"q=paper&amp;sort={sort}&amp;p=1" in links and f"q=paper&amp;sort={sort}&amp;p=3" in links
        assert "No papers match" not in r.text
    r = client.get("/search?q=zzzzunmatched")
    assert r.status_code == 200 and "No papers match" in r.text
    assert client.get("/search?q=zzzzunmatched&p=2").status_code == 404
    # past the deepest page search serves (offset 10,000): what to do, not "offset must be between ..."
    import paperfeed.rank.search as S

    monkeypatch.setattr(S, "MAX_OFFSET", 1)  # pages 1 and 2 at one paper a page
    r = client.get("/search?q=paper&sort=newest&p=3")
    assert r.status_code == 404 and "search results stop at page 2: narrow the query" in r.text
    assert 'href="?q=paper&amp;sort=newest&amp;p=2"' in r.text and "offset" not in r.text


def test_a_page_far_past_the_end_of_a_search_says_so(store, tmp_path):
    """At 30 a page, page 999 starts past the deepest offset search serves: it once answered 400 "offset
    must be between 0 and 10,000"."""
    import_items(store, [paper(1, date(2024, 1, 2), 1)])
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as c:
        r = c.get("/search?q=paper&p=999")
    assert r.status_code == 404 and "page 999 is past the end: this search has 1 page" in r.text
    assert "offset" not in r.text


def test_search_counts_papers_not_yet_embedded_without_calling_it_keywords_only(seeded, settings):
    """With one paper left to embed among embedded ones, the page says that one paper is found by its words
    only (singular), not that the search matched keywords only."""
    rec = PaperRecord(title="Quokka gaits", abstract="Quokka-inspired gait controllers.", arxiv_id="2607.00001",
                      authors=["Ada Lovelace"], source="test")  # fmt: skip
    import_items(seeded, [rec])
    with TestClient(create_app(settings, store=seeded)) as c:
        page = c.get("/search?q=quokka+gait").text
    assert "keyword matching only" not in page
    assert "1 paper not yet indexed for meaning: found by their words only" in page


def test_previous_and_next_lead_to_the_nearest_lists_with_papers(store, tmp_path):
    """Day, week and month lists link to the nearest period with papers, never into a run of empty ones."""
    import_items(store, [paper(1, date(2024, 1, 2), 1), paper(2, date(2024, 3, 5), 1), paper(3, date(2024, 6, 4), 1)])
    nav = re.compile(r'<a class="nav (prev|next)" href="([^"]+)"')
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as c:
        paths = ("/papers/date/2024-03-05", "/papers/week/2024-W10", "/papers/month/2024-03", "/papers/month/2024-06")
        links = {path: dict(nav.findall(c.get(path).text)) for path in paths}
    assert links["/papers/date/2024-03-05"] == {"prev": "/papers/date/2024-01-02", "next": "/papers/date/2024-06-04"}
    assert links["/papers/week/2024-W10"] == {"prev": "/papers/week/2024-W01", "next": "/papers/week/2024-W23"}
    assert links["/papers/month/2024-03"] == {"prev": "/papers/month/2024-01", "next": "/papers/month/2024-06"}
    assert links["/papers/month/2024-06"] == {"prev": "/papers/month/2024-03"}  # nothing later: no link


def test_filters_alone_search_without_words(client):
    """An author, a category or "has code" with no words lists the papers that pass, newest first; the bare
    page (nothing asked) is the form alone."""
    count = re.compile(r'<p class="count">(\d+) results?')
    code = client.get("/search?q=&has_code=true").text
    assert count.search(code).group(1) == "1" and "/papers/2401.00003" in code
    by = client.get("/search", params={"q": "", "author": "Ada Lovelace"}).text
    assert int(count.search(by).group(1)) >= 3 and 'class="card"' in by
    none = client.get("/search", params={"author": "Nobody Atall"}).text
    assert count.search(none).group(1) == "0" and "No papers match" in none
    assert 'class="count"' not in client.get("/search").text


def test_bad_periods_say_how_to_write_them_and_empty_days_read_right(client):
    for path, says in [
        ("/papers/date/tomorrow", "days are written YYYY-MM-DD"),
        ("/papers/date/2024-02-30", "there is no day 2024-02-30"),
        ("/papers/week/2024-W60", "2024 has no week 60"),
        ("/papers/month/2024-13", "there is no month 13"),
    ]:
        r = client.get(path)
        assert r.status_code == 404 and says in r.text and "isoformat" not in r.text, path
    assert "No papers were featured on Fri 05 Jan 2024." in client.get("/papers/date/2024-01-05").text
    assert "No papers were featured in Week 10, 2024" in client.get("/papers/week/2024-W10").text


def test_a_page_past_the_end_of_a_list_is_not_found(client):
    """One paper a page here: the day of 2 January has two pages, the front page (3 January) one."""
    assert client.get("/papers/date/2024-01-02?p=2").status_code == 200
    for path, pages in [("/?p=99", 1), ("/papers/date/2024-01-02?p=3", 2), ("/trending?p=50", 4),
                        ("/authors/Ada%20Lovelace?p=9", 4)]:  # fmt: skip
        r = client.get(path)
        assert r.status_code == 404 and f"this list has {pages} page" in r.text, path


def test_a_paper_page_gives_its_date(client):
    """A paper known only from a daily list (no publication or announcement date) says when it was listed."""
    page = client.get("/papers/2401.00001").text
    assert 'Listed <a href="/papers/date/2024-01-02">02 Jan 2024</a>' in page


def test_search_form_with_empty_and_bad_dates(client):
    r = client.get("/search?q=paper&date_from=&date_to=&category=")
    assert r.status_code == 200
    r = client.get("/search?q=&author=%20%20&category=%20")  # blank filters are no search, not every paper
    assert r.status_code == 200 and not re.search(r"\d+ results?", r.text)  # was: every paper, "4 results"
    for bad in ("yesterday", "20240101", "2024-W01"):  # the API's search refuses the same (http.params.SearchDay)
        r = client.get(f"/search?q=paper&date_from={bad}")
        assert r.status_code == 422 and "YYYY-MM-DD" in r.text, bad


def test_cards_shorten_long_author_lists_and_escape_names(store, tmp_path):
    many = ["Ada Lovelace", "Alan Turing", "<b>Grace</b> Hopper", "Edsger Dijkstra", "Barbara Liskov"]
    import_items(store, [paper(1, date(2024, 1, 2), 0, authors=many), paper(2, date(2024, 1, 2), 0, authors=many[:4])])
    with TestClient(create_app(Settings(data_dir=tmp_path), store=store)) as c:
        page = c.get("/papers/date/2024-01-02").text
    assert '<p class="authors">Ada Lovelace, Alan Turing, &lt;b&gt;Grace&lt;/b&gt; Hopper et al.</p>' in page
    assert '<p class="authors">Ada Lovelace, Alan Turing, &lt;b&gt;Grace&lt;/b&gt; Hopper, Edsger Dijkstra</p>' in page
    assert "<b>Grace" not in page
