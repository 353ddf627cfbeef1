"""Every operation of ``/openapi.json`` (pages, feeds and the JSON API) fuzzed with schemathesis, on SQLite
and PostgreSQL, each example sent signed out or with a valid API token: no answer is a server error (5xx),
every status, media type, header and JSON body is one the schema documents, and invalid input is refused.

Requests go to the app in-process (ASGI). Each database gets one site for the module: a few papers, a
user with an API token, two collections and a comment, so writes (votes, comments, collections, follows)
act on that throwaway store, and generated ids are now and then ones it holds. The anonymous rate limit
is off there: it would answer 429 (documented) to all but the first requests.

20 examples per operation keep the file well under a minute; ``PAPERFEED_FUZZ_EXAMPLES=100`` (or
``bench/fuzz.py``) searches further. ``derandomize`` makes every run the same run, so CI is stable. The
pytest plugin's lazy ``from_fixture`` loader does not run under pytest 9.2 (it sets ``Node._nodeid``):
the schema is read once at collection and each call names the site's app.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import text

from paperfeed.actions import collections as collection_actions
from paperfeed.actions import community as actions
from paperfeed.http.params import MAX_DB_ID
from paperfeed.store import Store
from paperfeed.store import users as store_users
from tests.conftest import PG_URL
from tests.helpers.web import add_papers, make_app, paper, password_hash

EXAMPLES = int(os.environ.get("PAPERFEED_FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _load_schema() -> schemathesis.BaseSchema:
    """The app's own ``/openapi.json`` (it does not depend on the store), read once at collection."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{Path(tmp) / 'schema.db'}")
        try:
            return schemathesis.openapi.from_asgi("/openapi.json", make_app(store, Path(tmp)))
        finally:
            store.close()


schema = _load_schema()
# the bearer token the schema declares is this test's to send (signed in or out, below): generated or
# removed by schemathesis it would be overridden by the test's own header, and a case it means as "no
# token" would go out signed in
schema.config.generation.update(with_security_parameters=False)


@schema.hook
def filter_path_parameters(ctx, path_parameters: dict) -> bool:
    # A newline in a ``{paper_id:path}`` parameter is not routed to the route at all (Starlette's path
    # parameters stop at one), so another route's path answers (a 405 from /papers/{kind}/{value}): the
    # router's doing, not this route's, and no paper id holds a newline.
    return not any("\n" in unquote(str(v)) for v in (path_parameters or {}).values())


class _LifespanRunElsewhere:
    """The app, minus its lifespan: the fixture runs that once for the module. Schemathesis starts and ends
    it around every test, which costs half a second each on PostgreSQL (the listener's poll)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})


class Site:
    """The app over a throwaway store, and the API token of its one user."""

    def __init__(self, store: Store, data_dir: Path):
        self.store = store
        add_papers(store, *[paper(n, date(2024, 1, 2), upvotes=n) for n in range(1, 6)])
        with store.transaction() as conn:
            password = password_hash("correct horse battery")
            self.user_id = store_users.create_user(conn, username="fuzzer", password_hash=password).id
            self.token = store_users.create_token(conn, self.user_id, "fuzz")
        for name, public in (("Reading list", True), ("Private", False)):  # collections 1 and 2
            collection_actions.create_collection(store, self._user(), name=name, description="", public=public,
                                                 paper_id="2401.00001")  # fmt: skip
        actions.comment(store, self._user(), "2401.00001", "A first comment.", None)  # comment 1
        self.served = make_app(store, data_dir, rate_limit_per_minute=0)
        self.app = _LifespanRunElsewhere(self.served)

    def _user(self):
        with self.store.read() as conn:
            return store_users.get_user(conn, self.user_id)

    def signed_in(self) -> dict[str, str]:
        """The Authorization header, with a new token if a fuzzed request revoked the last one (a valid
        ``POST /account/tokens/1/delete`` does)."""
        with self.store.transaction() as conn:
            if store_users.user_for_token(conn, self.token) is None:
                self.token = store_users.create_token(conn, self.user_id, "fuzz")
        return {"Authorization": f"Bearer {self.token}"}


# what the site holds (Site), so that fuzzed requests also reach past "not found": votes, comments and
# collections on real papers, another user's profile and collections
HELD = {
    "paper_id": ["2401.00001", "2401.00002v1", "arxiv.org/abs/2401.00003"],
    "username": ["fuzzer"],
    "name": ["Ada Lovelace"],
    "collection_id": [1, 2],
    "collection_ref": ["1", "1.bib", "1.json"],
    "comment_id": [1],
}


@schema.hook
def flatmap_path_parameters(ctx, path_parameters: dict | None):
    """Now and then a value the site holds in place of a generated one (a valid one: a negative case keeps
    the value that makes it invalid)."""
    options = [st.just(path_parameters)]
    for name, held in HELD.items():
        value = (path_parameters or {}).get(name)
        if isinstance(value, str) or (type(value) is int and 1 <= value <= MAX_DB_ID):
            options.append(st.sampled_from(held).map(lambda v, name=name: {**path_parameters, name: v}))
    return st.one_of(options)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory) -> Iterator[Site]:
    """One site per database for the whole module (the ``store`` fixture is per test)."""
    tmp = tmp_path_factory.mktemp("fuzz")
    url, schema_name = f"sqlite:///{tmp / 'paperfeed.db'}", None
    if request.param == "postgresql":
        pg_admin = request.getfixturevalue("pg_admin")
        schema_name = f"t_{uuid.uuid4().hex[:12]}"
        with pg_admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema_name}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema_name}"
    store = Store.open(url)
    site = Site(store, tmp)
    with TestClient(site.served):  # its lifespan (PostgreSQL: a LISTEN connection), ended before the store
        yield site
    store.close()
    if schema_name:
        with request.getfixturevalue("pg_admin").connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema_name}" CASCADE'))


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported with the request as sent
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@schema.parametrize()
@schema.given(signed_in=st.booleans())
@FUZZ
def test_every_operation_answers_as_documented(case, signed_in, site):
    """Each example is sent signed out or with the API token."""
    headers = site.signed_in() if signed_in else {}
    response = case.call(app=site.app, headers=headers)
    checks = CHECKS
    if not signed_in and response.status_code == 303 and response.headers.get("location", [""])[0].startswith("/login"):
        # a signed-out visitor is sent to log in before the form is read (JSON clients get 401): whether it
        # was valid is not theirs to learn yet; signed in, invalid forms are checked to be refused
        checks = [c for c in CHECKS if c is not negative_data_rejection]
    case.validate_response(response, checks=checks, headers=headers)
