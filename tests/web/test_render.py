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
