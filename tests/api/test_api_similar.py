"""``GET /api/papers/{id}/similar``: HF-shaped papers, as a whole or by facet; bad facets are 422, unknown
papers 404. SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from paperfeed.api.schemas import HFPaper
from tests.helpers.facets import QUERY, SHARES, index_facet_papers
from tests.helpers.web import make_app


def test_similar_api_by_facet(store, settings, encoder):
    index_facet_papers(store, settings, encoder)
    app = make_app(store, settings.data_dir, database_url=settings.database_url, search_refresh_seconds=0)
    with TestClient(app) as client:
        whole = client.get(f"/api/papers/{QUERY}/similar", params={"limit": 3})
        assert whole.status_code == 200 and len(whole.json()) == 3
        for facet, sharer in SHARES.items():
            r = client.get(f"/api/papers/arXiv:{QUERY}v1/similar", params={"facet": facet})
            assert r.status_code == 200, r.text
            items = r.json()
            assert items[0]["id"] == sharer and items[0]["why"].startswith(f"similar {facet}")
            assert QUERY not in {i["id"] for i in items}
            assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
            plain = [{k: v for k, v in i.items() if k not in ("score", "why")} for i in items]
            TypeAdapter(list[HFPaper]).validate_python(plain)  # the HF paper shape, strictly
        bad = client.get(f"/api/papers/{QUERY}/similar", params={"facet": "methods"})
        assert bad.status_code == 422 and "facet" in bad.json()["error"]
        assert client.get("/api/papers/9999.99999/similar", params={"facet": "method"}).status_code == 404
        assert client.get(f"/api/papers/{QUERY}/similar", params={"limit": 0}).status_code == 422
        assert client.get(f"/api/papers/{QUERY}").json()["id"] == QUERY  # the paper itself is still there
