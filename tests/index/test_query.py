"""The search box syntax: what each piece of a query becomes."""

from __future__ import annotations

import pytest

from paperfeed.index.query import MAX_QUERY_CHARS, Clause, QueryError, parse


def test_words_phrases_fields_and_exclusions():
    p = parse('diffusion "chain of thought" -survey -"large language" ti:video au:"Geoffrey Hinton" cat:cs.CL')
    assert p.clauses == [
        Clause("diffusion"),
        Clause("chain of thought", phrase=True),
        Clause("survey", negate=True),
        Clause("large language", phrase=True, negate=True),
        Clause("video", field="title"),
        Clause("Geoffrey Hinton", field="authors", phrase=True),
    ]
    assert p.categories == ["cs.cl"]
    assert p.semantic_text == "diffusion chain of thought video"


def test_quoted_text_is_required_even_one_word_or_a_hyphenated_term():
    p = parse('"transformer" "text-to-image" -"survey" ti:"video" diffusion')
    assert p.clauses == [
        Clause("transformer", phrase=True),
        Clause("text-to-image", phrase=True),
        Clause("survey", phrase=True, negate=True),
        Clause("video", field="title", phrase=True),
        Clause("diffusion"),
    ]


def test_odd_input_is_text():
    assert parse('"unbalanced quote').clauses == [Clause("unbalanced quote", phrase=True)]
    assert parse("NEAR(foo").clauses == [Clause("NEAR(foo")]
    assert parse("http://arxiv.org/abs/2401.00001").clauses == [Clause("http://arxiv.org/abs/2401.00001")]
    assert parse("x:y").clauses == [Clause("x:y")]
    assert parse('""').clauses == []
    assert parse("-cat:cs.CV").not_categories == ["cs.cv"]


def test_limits():
    with pytest.raises(QueryError, match="too long"):
        parse("a" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(QueryError, match="too many"):
        parse(" ".join(f"w{i}" for i in range(100)))


def test_has_terms_tells_a_query_that_looks_for_something():
    """What the digest's alerts ask: a query of exclusions, empty quotes, symbols or stop words alone would
    match every paper its date range holds."""
    from paperfeed.index.query import has_terms

    for q in ("-survey", '""', '"', "∇", "🤗", "^", "*", "-cat:cs.LG", "ti:the", '-"large language"'):
        assert not has_terms(parse(q)), q
    for q in ("diffusion -survey", "cat:cs.LG", "au:hinton", '"the"', "the", "x-ray", "$\\beta$-VAE"):
        assert has_terms(parse(q)), q
