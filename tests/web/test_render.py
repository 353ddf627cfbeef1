"""What the templates' own filters make of a reader's text (``web/render.py``)."""

from __future__ import annotations

import pytest

from paperfeed.web.render import linkify

WIKI = "https://en.wikipedia.org/wiki/Adam_(optimizer)"
NOT_LINKS = "no link: javascript:alert(1), www.example.org, http:// alone"


def a(url: str, shown: str | None = None) -> str:
    return f'<a href="{url}" rel="nofollow ugc noopener">{shown or url}</a>'


@pytest.mark.parametrize(
    "text, html",
    [
        ("code at https://github.com/a/b.", f"code at {a('https://github.com/a/b')}."),
        ("(see https://x.org/?q=1&r=2)", f"(see {a('https://x.org/?q=1&amp;r=2')})"),
        (f"{WIKI}, ok", f"{a(WIKI)}, ok"),
        (NOT_LINKS, NOT_LINKS),
    ],
)
def test_addresses_become_links_and_nothing_else(text, html):
    assert str(linkify(text)) == html


def test_markup_in_a_comment_stays_text_even_inside_an_address():
    out = str(linkify('<b>x</b> https://e.org/"onmouseover=alert(1) <script>'))
    assert out == f"&lt;b&gt;x&lt;/b&gt; {a('https://e.org/')}&#34;onmouseover=alert(1) &lt;script&gt;"


def test_titles_with_math_read_as_text_wherever_a_reader_sees_them(store, tmp_path):
    """Pages, feeds and BibTeX keys write "Synth$^2$" as "Synth²"; the API and the BibTeX entry keep the TeX."""
    from fastapi.testclient import TestClient

    from tests.helpers.web import add_papers, make_app, paper

    add_papers(store, paper(1, title=r"Synth$^2$: Boosting $\textit{Vision}$ Models"),
               paper(2, title=r"$\textit{Trans-LoRA}$: data-free transfer", authors=["Runqian Wang"]))  # fmt: skip
    shown = "Synth²: Boosting Vision Models"
    with TestClient(make_app(store, tmp_path)) as client:
        for path in ("/", "/search?q=boosting", "/feeds/daily.atom"):
            text = client.get(path).text
            assert shown in text and "$^2$" not in text, path
        page = client.get("/papers/2401.00001").text
        assert f"<title>{shown} ·" in page and f"<h1>{shown}</h1>" in page
        assert r"title = {{Synth$^2$: Boosting $\textit{Vision}$ Models}}" in page  # the citation keeps TeX
        assert "@misc{wang2024trans," in client.get("/papers/2401.00002.bib").text  # not "wang2024textittrans"
        assert client.get("/api/papers/2401.00001").json()["title"] == r"Synth$^2$: Boosting $\textit{Vision}$ Models"
