"""Paper pages read stored similar lists: a page with none ranks one and keeps it, a hidden paper leaves
every page's similar papers at once (the stored lists still name it); on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import select

from paperfeed.index import job
from paperfeed.index.embed import MODEL_NAME
from paperfeed.rank.similar import METHOD, ListRanker
from paperfeed.store import similar_lists as L
from paperfeed.store import users as store_users
from paperfeed.store.models import similar_lists
from tests.helpers.web import browser, make_app, password_hash

FACES = "2503.11935"


def _similar_ids(html: str) -> list[str]:
    section = html.split('<section class="similar" id="similar">', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="/papers/([^"]+)">', section)


def _stored(store, pid: str) -> list[str] | None:
    with store.read() as conn:
        hits = L.get(conn, pid, model=MODEL_NAME, method=METHOD)
    return None if hits is None else [h[0] for h in hits]


def _app(store, settings):
    return make_app(store, settings.data_dir, database_url=settings.database_url, search_refresh_seconds=0)


def test_a_page_without_a_stored_list_ranks_one_and_keeps_it_for_the_job_to_redo(seeded, settings):
    assert _stored(seeded, FACES) is None  # the seed's job ran without the similar step
    with TestClient(_app(seeded, settings)) as client:
        ids = _similar_ids(client.get(f"/papers/{FACES}").text)
        assert len(ids) == 6 and FACES not in ids
        api = client.get(f"/api/papers/{FACES}/similar?limit=6").json()
    assert [p["id"] for p in api] == ids and _stored(seeded, FACES)[:6] == ids
    with seeded.read() as conn:  # a page's list: the job ranks it again, as a new paper's
        assert {t.paper_id: t.new for t in L.next_to_rank(conn, MODEL_NAME, METHOD)}[FACES] is True


def test_a_hidden_paper_leaves_every_pages_similar_papers_at_once(seeded, settings, encoder):
    job.run(seeded, settings, encoder=encoder, similar=ListRanker(seeded, settings))
    with seeded.transaction() as conn:
        store_users.create_user(conn, username="root", password_hash=password_hash("admin password"), is_admin=True)
        listed = list(conn.execute(select(similar_lists.c.paper_id)).scalars())
    shown = {pid: _stored(seeded, pid)[:6] for pid in listed}  # what each page shows
    victim, _ = Counter(p for ids in shown.values() for p in ids).most_common(1)[0]
    pages = [pid for pid, ids in shown.items() if victim in ids]
    assert len(pages) >= 2
    app = _app(seeded, settings)
    with browser(app) as visitor, browser(app) as admin:
        for pid in pages:  # in the page cache now
            assert victim in _similar_ids(visitor.get(f"/papers/{pid}").text)
        admin.login("root", "admin password")
        assert admin.form(f"/admin/papers/{victim}/hide", {"hidden": "true"}, from_page="/").status_code == 303
        for pid in pages:
            ids = _similar_ids(visitor.get(f"/papers/{pid}").text)
            assert victim not in ids and len(ids) == 6, (pid, ids)
            assert victim not in [p["id"] for p in visitor.get(f"/api/papers/{pid}/similar").json()]
    assert all(victim in _stored(seeded, pid) for pid in pages)  # dropped when read, not rewritten
