"""The paper page's similar-papers tabs: whole paper, background, method, result as plain links
(``?similar=method``), each its own cached page; a bad facet is a 400 page. SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.helpers.facets import FACET_PAPERS, QUERY, SHARES, index_facet_papers
from tests.helpers.web import make_app


def _similar_ids(html: str) -> list[str]:
    section = html.split('<section class="similar" id="similar">', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="/papers/([^"]+)">', section)


def test_similar_tabs_are_links_and_each_facet_its_own_cached_page(store, settings, encoder):
    index_facet_papers(store, settings, encoder)
    app = make_app(store, settings.data_dir, database_url=settings.database_url, search_refresh_seconds=0)
    with TestClient(app) as client:
        r = client.get(f"/papers/{QUERY}")
        assert r.status_code == 200
        for facet in SHARES:
            assert f'href="/papers/{QUERY}?similar={facet}#similar"' in r.text
        assert re.search(rf'href="/papers/{QUERY}#similar"[^>]*class="on"[^>]*aria-current="page">Whole paper<', r.text)
        assert "<script" not in r.text.split('id="similar"', 1)[1].split("</section>", 1)[0]  # no JavaScript
        for facet, sharer in SHARES.items():
            page = client.get(f"/papers/{QUERY}?similar={facet}")
            assert page.status_code == 200 and page.headers.get("x-cache") != "hit"
            ids = _similar_ids(page.text)
            assert ids[0] == sharer and QUERY not in ids, (facet, ids)
            tab = facet.capitalize()
            assert re.search(rf'similar={facet}#similar"[^>]*class="on"[^>]*aria-current="page">{tab}<', page.text)
            assert FACET_PAPERS[sharer][0] in page.text
            again = client.get(f"/papers/{QUERY}?similar={facet}")
            assert again.headers.get("x-cache") == "hit" and _similar_ids(again.text) == ids
        bad = client.get(f"/papers/{QUERY}?similar=conclusion")
        assert bad.status_code == 400 and "unknown facet &#39;conclusion&#39;" in bad.text
