"""Text as the indexes see it: the analyzers, the embedded text and its hash, title keys."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from ..ids import normalise_title

EN_ANALYZER = "pf_en"  # words: lower-cased, accents folded, English stop words dropped, Porter-stemmed
NAME_ANALYZER = "pf_name"  # author names: lower-cased, accents folded, nothing dropped or stemmed


@lru_cache(maxsize=1)
def analyzers() -> dict:
    import tantivy as t

    en = (
        t.TextAnalyzerBuilder(t.Tokenizer.simple())
        .filter(t.Filter.remove_long(40))
        .filter(t.Filter.lowercase())
        .filter(t.Filter.ascii_fold())
        .filter(t.Filter.stopword("english"))
        .filter(t.Filter.stemmer("english"))
        .build()
    )
    name = (
        t.TextAnalyzerBuilder(t.Tokenizer.simple())
        .filter(t.Filter.remove_long(40))
        .filter(t.Filter.lowercase())
        .filter(t.Filter.ascii_fold())
        .build()
    )
    return {EN_ANALYZER: en, NAME_ANALYZER: name}


def analyze(text: str, analyzer: str = EN_ANALYZER) -> list[str]:
    return analyzers()[analyzer].analyze(text)


def title_key(title: str) -> str:
    """The exact-title key: the normalised title (see ``ids.normalise_title``)."""
    return normalise_title(title)


_SPACE = re.compile(r"\s+")


def embed_text(title: str, abstract: str) -> str:
    """What the model embeds: title first (the model truncates long texts), then the abstract."""
    title = _SPACE.sub(" ", title).strip()
    abstract = _SPACE.sub(" ", abstract).strip()
    if not abstract:
        return title
    return f"{title}{'' if title.endswith(('.', '?', '!')) else '.'} {abstract}"


FULL_TOKENS = 256  # the token budget whose vectors carry the plain hash (those stored before it was a setting)


def text_hash(title: str, abstract: str, tokens: int = FULL_TOKENS) -> str:
    """What a stored vector was computed from: the embedded text and, unless it is the default 256, the token
    budget. A vector whose hash differs is stale, so changing the budget re-embeds every paper."""
    text = embed_text(title, abstract)
    return hashlib.sha1((text if tokens == FULL_TOKENS else f"{tokens}\n{text}").encode("utf-8")).hexdigest()
