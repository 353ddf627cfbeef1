"""What a page tells crawlers and link previews beyond what it shows.

Every page names its one URL in ``<link rel="canonical">``, built from the ``base_url`` setting (as the
sitemaps are), never from the request's ``Host``: the path as the page is reached, with only the query
parameters that change what it lists (a page number past the first, a category, a keyword, a period or a
search). A sort order, ``?p=1`` or a paper page's similar-papers tab are the same page. The front page
names its day's page (``/papers/date/...``): ``/`` changes every day, the day page stays.

Every page's canonical link, OpenGraph and Twitter card tags are written by base.html (a page may set
``page_url``, ``og_type`` and ``og_title``). A paper page adds Google Scholar's ``citation_*`` tags and a
schema.org ``ScholarlyArticle`` as JSON-LD (``scholarly_article`` here, written by Jinja's ``tojson``, which
escapes ``<``, ``>`` and ``&``: no title can close the script).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import Request

# the query parameters that make a different page of the same path; any other (sort, similar) does not
CANONICAL_PARAMS = frozenset({"p", "category", "keyword", "month", "week", "date", "q"})


def canonical_url(request: Request, path: str | None = None, params=CANONICAL_PARAMS) -> str:
    """The page's canonical URL: ``base_url`` + ``path`` (default: the request's) + the request's query
    parameters among ``params`` (a page number only past the first)."""
    base = request.app.state.settings.base_url.rstrip("/")
    query = [(k, v) for k, v in request.query_params.multi_items() if k in params and v and (k, v) != ("p", "1")]
    return f"{base}{quote(path if path is not None else request.url.path)}{'?' + urlencode(query) if query else ''}"


def scholarly_article(paper, url: str, title: str, description: str) -> dict:
    """The paper as a schema.org ``ScholarlyArticle`` (for ``tojson`` in a ``<script type=application/ld+json>``)."""
    article = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": title[:110],  # Google's limit for a headline
        "name": title,
        "url": url,
        "author": [{"@type": "Person", "name": a} for a in paper.authors],
        "description": description,
    }
    if paper.day:
        article["datePublished"] = paper.day.isoformat()
    same_as = [f"https://arxiv.org/abs/{paper.id}"] if paper.is_arxiv else []
    if paper.is_arxiv:
        article["identifier"] = f"arXiv:{paper.id}"
    if paper.doi:
        same_as.append(f"https://doi.org/{paper.doi}")
    if same_as:
        article["sameAs"] = same_as
    if paper.keyphrases:
        article["keywords"] = ", ".join(paper.keyphrases)
    return article
