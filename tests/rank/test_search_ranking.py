"""Search as a user notices it, with the real model, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from paperfeed.index import engine, job
from paperfeed.index.text import analyze
from paperfeed.ingest import import_items
from paperfeed.rank.search import QueryError, SearchResult, search
from paperfeed.records import PaperRecord
from paperfeed.store import Store
from paperfeed.store import papers as P
from paperfeed.store import vectors as store_vectors
from paperfeed.store.models import papers
from tests.helpers.search import SEED_FILES, load, make_settings


def views(store, result: SearchResult):
    with store.read() as conn:
        return P.get_papers(conn, [h.paper_id for h in result.hits])


def stems(text: str) -> set[str]:
    return set(analyze(text))


def test_exact_arxiv_id_is_first(seeded, settings):
    for q in ("2503.11905", "arXiv:2503.11905v2", "https://arxiv.org/abs/2503.11905"):
        r = search(seeded, settings, q)
        assert r.hits[0].paper_id == "2503.11905" and r.hits[0].why == "exact id", q


def test_exact_title_is_first(seeded, settings):
    title = "Upcycling Text-to-Image Diffusion Models for Multi-Task Capabilities"
    r = search(seeded, settings, title.lower())
    assert r.hits[0].paper_id == "2503.11905" and r.hits[0].why == "exact title"
    assert not r.lexical_only and r.not_embedded == 0


def test_hybrid_finds_by_meaning_and_by_words(seeded, settings):
    r = search(seeded, settings, "making pictures from text prompts with generative models", limit=10)
    assert {"keywords + semantic", "semantic"} & {h.why for h in r.hits}
    r = search(seeded, settings, "Kolmogorov-Arnold hypernetwork color", limit=3)
    assert r.hits[0].paper_id == "2503.11781"


def test_filters_exclude(seeded, settings):
    r = search(seeded, settings, "learning", category="eess.IV", limit=50)
    assert r.hits and all("eess.IV" in v.categories for v in views(seeded, r))
    r = search(seeded, settings, "restoration", date_from=date(2025, 6, 1), date_to=date(2025, 6, 30), limit=50)
    assert [h.paper_id for h in r.hits] == ["2506.02197"]
    r = search(seeded, settings, "image", author="Radu Timofte", limit=50)
    assert {h.paper_id for h in r.hits} == {"2506.02197", "2503.11781"}
    assert all("Radu Timofte" in v.authors for v in views(seeded, r))
    r = search(seeded, settings, "model", has_code=True, limit=50)
    assert r.hits and all(v.code_url for v in views(seeded, r))
    r = search(seeded, settings, "vision cat:cs.CR", limit=50)
    assert [h.paper_id for h in r.hits] == ["2503.11750"]
    with pytest.raises(QueryError):
        search(seeded, settings, "x", date_from=date(2026, 1, 2), date_to=date(2026, 1, 1))


def test_phrase_and_minus(seeded, settings):
    r = search(seeded, settings, '"vision language"', limit=50)
    assert r.hits
    for v in views(seeded, r):
        words = analyze(f"{v.title} {v.abstract} {' '.join(v.authors)}")
        assert any(words[i : i + 2] == ["vision", "languag"] for i in range(len(words))), v.title
    plain = search(seeded, settings, "diffusion", limit=50)
    minus = search(seeded, settings, "diffusion -video", limit=50)
    assert any("video" in stems(f"{v.title} {v.abstract}") for v in views(seeded, plain))
    assert minus.hits
    for v in views(seeded, minus):
        assert "video" not in stems(f"{v.title} {v.abstract}"), v.title
    r = search(seeded, settings, "ti:jailbreaking", limit=50)
    assert [h.paper_id for h in r.hits] == ["2503.11750"]
    r = search(seeded, settings, 'au:"radu timofte" restoration', limit=50)
    # his other paper (colour constancy) is neither about restoration in words nor close in meaning
    assert [h.paper_id for h in r.hits] == ["2506.02197"]


def test_sorts_and_pages(seeded, settings):
    r = search(seeded, settings, "model", sort="newest", limit=50)
    with seeded.read() as conn:
        days = [d.day for d in store_vectors.get_docs(conn, [h.paper_id for h in r.hits])]
    assert r.hits and r.total >= len(r.hits) and days == sorted(days, reverse=True)
    r = search(seeded, settings, "model", sort="upvotes", limit=50)
    with seeded.read() as conn:
        ups = [d.upvotes for d in store_vectors.get_docs(conn, [h.paper_id for h in r.hits])]
    assert r.hits and ups == sorted(ups, reverse=True)
    first = search(seeded, settings, "model", limit=5)
    second = search(seeded, settings, "model", limit=5, offset=5)
    assert len(second.hits) == 5 and not {h.paper_id for h in first.hits} & {h.paper_id for h in second.hits}
    with pytest.raises(QueryError):
        search(seeded, settings, "model", sort="random")


def test_a_paper_not_yet_embedded_is_found_by_its_words(seeded, settings):
    rec = PaperRecord(
        title="Quokka Quadrupeds: Zebrafish Locomotion Benchmarks",
        abstract="We study quokka-inspired gait controllers.",
        arxiv_id="2607.00001",
        authors=["Ada Lovelace"],
        categories=["cs.RO"],
        primary_category="cs.RO",
        source="test",
    )
    import_items(seeded, [rec])
    r = search(seeded, settings, "quokka zebrafish")
    assert r.hits[0].paper_id == "2607.00001" and r.hits[0].why == "keywords"
    # the others still match by meaning: the search is not "keywords only", it counts the one left out
    assert not r.lexical_only and r.not_embedded == 1
    job.run(seeded, settings, encoder=None, embed=False)
    r = search(seeded, settings, "2607.00001")
    assert r.hits[0].paper_id == "2607.00001"


def test_a_list_of_ids_finds_each_paper_in_the_order_given(seeded, settings):
    """A pasted list of arXiv ids (spaces or commas, URLs too) finds those papers, and only them; an id this
    instance does not have is left out."""
    for q in ("2503.11935 2503.11905", "2503.11935, https://arxiv.org/abs/2503.11905v2, 2599.99999"):
        r = search(seeded, settings, q)
        assert [(h.paper_id, h.why) for h in r.hits] == [("2503.11935", "exact id"), ("2503.11905", "exact id")], q


def test_a_query_about_nothing_here_finds_nothing(seeded, settings):
    """Nearest vectors always exist; below ``search_min_similarity`` they are not matches, so gibberish (or a
    topic the corpus lacks) gets no results rather than 100 arbitrary papers."""
    assert search(seeded, settings, "zzzzqqqxx").hits == []
    loose = settings.model_copy(update={"search_min_similarity": -1.0})
    assert len(search(seeded, loose, "zzzzqqqxx").hits) > 0  # what it was: the nearest, however far
    r = search(seeded, settings, "facial expression recognition")
    assert r.hits and any("semantic" in h.why for h in r.hits)  # a real topic still matches by meaning


def test_hidden_papers_never_appear(seeded, settings):
    with seeded.transaction() as conn:
        conn.execute(update(papers).where(papers.c.id == "2503.11905").values(hidden=True))
    for q in ("2503.11905", "Upcycling Text-to-Image Diffusion Models for Multi-Task Capabilities", "diffusion"):
        r = search(seeded, settings, q, limit=100)
        assert "2503.11905" not in {h.paper_id for h in r.hits}, q


def test_a_hyphenated_word_finds_its_paper_and_totals_count_matches(seeded, settings):
    # "text-to-image" is found by its parts in the pruned disjunction, then scored as a phrase
    r = search(seeded, settings, "text-to-image upcycling", limit=5)
    assert r.hits[0].paper_id == "2503.11905"
    # without filters the total is the paper count of the commonest word (every paper with "diffusion")
    import tantivy

    lexical = engine(settings).lexical
    (stem,) = analyze("diffusion")
    with_word = lexical.count(tantivy.Query.term_query(lexical.schema, "abstract", stem))
    assert search(seeded, settings, "diffusion quokka", limit=5).total >= with_word > 5
    # with a filter the total is the exact count of the papers that pass it
    words_only = settings.model_copy(update={"search_vector_weight": 0.0})
    filtered = search(seeded, words_only, "diffusion", category="cs.CV", sort="newest", limit=5).total
    assert search(seeded, words_only, "diffusion", category="cs.CV", limit=5).total == filtered > 0


def test_a_pruned_search_ranks_like_the_exact_one(seeded, settings):
    # without filters the words are a pruned disjunction (hyphenated words re-scored as phrases); with a
    # filter every paper passes, the same words go through one exact query: the rankings agree
    words_only = settings.model_copy(update={"search_vector_weight": 0.0})
    everything = {"date_from": date(1990, 1, 1), "date_to": date(2100, 1, 1)}
    for q in ("text-to-image diffusion models", "Vision-Language Models", "multi-task upcycling", "robot"):
        pruned = [h.paper_id for h in search(seeded, words_only, q, limit=30).hits]
        exact = [h.paper_id for h in search(seeded, words_only, q, limit=30, **everything).hits]
        assert pruned == exact and len(pruned) >= 5, q


def test_a_deleted_paper_never_appears_while_the_indexes_still_hold_it(seeded, settings):
    from sqlalchemy import delete

    from paperfeed.store.models import paper_vectors

    before = search(seeded, settings, "multi-task diffusion models for images", limit=50)
    gone = next(h.paper_id for h in before.hits if "semantic" in h.why)
    with seeded.transaction() as conn:  # straight from the database: both indexes still list it
        conn.execute(delete(paper_vectors).where(paper_vectors.c.paper_id == gone))
        conn.execute(delete(papers).where(papers.c.id == gone))
    after = search(seeded, settings, "multi-task diffusion models for images", limit=50)
    assert gone not in {h.paper_id for h in after.hits}
    rest = [h.paper_id for h in before.hits if h.paper_id != gone]
    assert [h.paper_id for h in after.hits][: len(rest)] == rest  # the others keep their order


def test_paging_embeds_the_query_once_and_pages_continue(seeded, settings, monkeypatch):
    from paperfeed.index import engine

    enc = engine(settings).query_encoder()
    calls = []
    real = enc.encode
    monkeypatch.setattr(enc, "encode", lambda texts: calls.append(texts) or real(texts))
    q = "protein structure prediction with language models"
    first = search(seeded, settings, q, limit=10)
    second = search(seeded, settings, q, limit=10, offset=10)
    both = search(seeded, settings, q, limit=20)
    assert len(calls) <= 1  # at most once (an earlier test may have embedded it already)
    assert [h.paper_id for h in first.hits + second.hits] == [h.paper_id for h in both.hits]
    assert not {h.paper_id for h in first.hits} & {h.paper_id for h in second.hits}


def test_a_lost_index_is_rebuilt_on_the_next_search(seeded, settings):
    import shutil

    from paperfeed.index import forget, index_root

    shutil.rmtree(index_root(settings))
    forget(settings)
    r = search(seeded, settings, "2503.11905")
    assert r.hits[0].paper_id == "2503.11905"


BAD = [
    "",
    "   ",
    "x" * 10_000,
    '"unbalanced quote',
    'diffusion "',
    "NEAR(",
    "NEAR(diffusion, model)",
    "*",
    "diff*",
    "'; DROP TABLE papers; --",
    "1=1 OR 'a'='a'",
    "-",
    "--",
    "-diffusion",
    "ti:",
    'au:""',
    "cat:",
    "title:(a OR b)",
    "a AND b OR NOT c",
    "\x00\x01",
    "ünïcødé 模型 😀",
    "AND",
    "the of and",
    ":::",
    "(((",
    "^2",
    "http://example.com/?q=1&x=%20",
]


def test_bad_queries_give_a_clear_error_or_sane_results(seeded, settings):
    for q in BAD:
        try:
            r = search(seeded, settings, q)
        except QueryError as exc:
            assert str(exc) and len(str(exc)) < 200, q
        else:
            assert isinstance(r, SearchResult) and r.total >= len(r.hits), q
    with pytest.raises(QueryError, match="empty"):
        search(seeded, settings, "")
    with pytest.raises(QueryError, match="empty"):  # blank filters are no filters (MCP, the CLI)
        search(seeded, settings, "", author="  ", category=" ", keyword="\t")
    with pytest.raises(QueryError, match="too long"):
        search(seeded, settings, "x" * 10_000)


def test_identical_results_on_sqlite_and_postgresql(tmp_path, encoder, pg_admin):
    import uuid

    from sqlalchemy import text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg_url = f"{pg_admin.url.render_as_string(hide_password=False)}?options=-csearch_path%3D{schema}"
    urls = {"sqlite": f"sqlite:///{tmp_path / 's.db'}", "postgresql": pg_url}
    results = {}
    try:
        for name, url in urls.items():
            store = Store.open(url)
            settings = make_settings(tmp_path / name, url)
            load(store, *SEED_FILES)
            job.run(store, settings, encoder=encoder)
            results[name] = [
                [(h.paper_id, h.why) for h in search(store, settings, q, limit=20).hits]
                for q in ("diffusion models", '"vision language" -jailbreak', "face recognition", "2503.11905")
            ] + [[(h.paper_id, h.why) for h in search(store, settings, "model", sort="newest", limit=20).hits]]
            store.close()
    finally:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    assert results["sqlite"] == results["postgresql"]


def test_an_exclusion_filters_the_results_by_meaning_instead_of_dropping_them(seeded, settings):
    """A query whose only required clauses are exclusions once matched nothing by meaning (tantivy's boolean
    query of MustNot clauses alone matches nothing): every result turned "keywords"."""
    plain = search(seeded, settings, "diffusion", limit=50)
    assert any("semantic" in h.why for h in plain.hits)
    unused = search(seeded, settings, "diffusion -zzzzunusedword", limit=50)
    assert [(h.paper_id, h.why) for h in unused.hits] == [(h.paper_id, h.why) for h in plain.hits]
    for q, left_out in (("diffusion -video", "video"), ("diffusion -cat:cs.CV", None)):
        r = search(seeded, settings, q, limit=50)
        assert any("semantic" in h.why for h in r.hits), q
        for v in views(seeded, r):
            if left_out:
                assert left_out not in stems(f"{v.title} {v.abstract} {' '.join(v.authors)}"), (q, v.title)
            else:
                assert "cs.CV" not in v.categories, (q, v.title)


def _every_page(store, settings, q: str, per_page: int = 7) -> tuple[list[SearchResult], list[str]]:
    """Each page of a search up to the first empty one, and the papers they showed."""
    results, shown = [], []
    while not results or results[-1].hits:
        results.append(search(store, settings, q, limit=per_page, offset=per_page * len(results)))
        shown += [h.paper_id for h in results[-1].hits]
    return results, shown


def test_counts_never_promise_more_pages_than_there_are(seeded, settings):
    """The pieces of a URL, an id or a hyphenated word ("https", "2503", "text") once counted as results:
    a URL naming one paper said "about 20 results" and "Next" led to empty pages. Now the count is what
    paging shows, or, said "about", no more than that; "Next" never leads to an empty page."""
    from paperfeed.rank import search as S

    shallow = settings.model_copy(update={"search_candidates": 10})  # rankings that stop before the matches do
    queries = ("https://arxiv.org/abs/2503.11905", "2503.11905", "hep-th/9901001", "text-to-image",
               "text-to-image diffusion", "vision-language", '"vision language"', "diffusion", "k-means")  # fmt: skip
    for s in (settings, shallow):
        S._rankings._items.clear()
        for q in queries:
            pages, shown = _every_page(seeded, s, q)
            assert len(shown) == len(set(shown)), q
            for i, r in enumerate(pages[:-1]):
                seen = 7 * i + len(r.hits)
                assert seen <= r.total <= len(shown), (q, i, r.total, len(shown))
                assert r.total_is_estimate or r.total == len(shown), (q, i, r.total, len(shown))
                assert r.total <= seen or pages[i + 1].hits, (q, i)  # "about N" leads on to a page
    url = search(seeded, settings, "https://arxiv.org/abs/2503.11905")
    assert (url.total, [h.paper_id for h in url.hits]) == (1, ["2503.11905"])
    assert search(seeded, settings, "hep-th/9901001").total == 0


def test_a_quoted_word_or_hyphenated_term_is_required(seeded, settings):
    """Quotes once forced only text of several words: "diffusion" and "text-to-image" quoted were optional
    words, and papers found by meaning alone, without them, filled the results."""
    plain = search(seeded, settings, "diffusion", limit=100)
    assert any("diffusion" not in stems(f"{v.title} {v.abstract}") for v in views(seeded, plain))
    quoted = search(seeded, settings, '"diffusion"', limit=100)
    assert quoted.hits and not quoted.total_is_estimate
    for v in views(seeded, quoted):
        assert "diffus" in stems(f"{v.title} {v.abstract}"), v.title
    assert quoted.total == len(quoted.hits)  # every paper with the word, each one a match
    quoted = search(seeded, settings, '"text-to-image" upcycling', limit=100)
    assert quoted.hits[0].paper_id == "2503.11905"
    for v in views(seeded, quoted):
        words = analyze(f"{v.title} {v.abstract}")
        assert any(words[i : i + 2] == ["text", "imag"] for i in range(len(words))), v.title


def test_an_arxiv_doi_finds_its_paper(seeded, settings):
    doi = "10.48550/arXiv.2503.11905"
    for q in (doi, f"https://doi.org/{doi}", f"doi:{doi.upper()}", f"https://dx.doi.org/{doi.lower()}"):
        r = search(seeded, settings, q)
        assert [(h.paper_id, h.why) for h in r.hits[:1]] == [("2503.11905", "exact id")], q


def test_an_offset_past_the_deepest_results_says_what_to_do(store, settings):
    with pytest.raises(QueryError, match="search results stop at offset 10,000.*narrow the query"):
        search(store, settings, "diffusion", offset=10_030)
