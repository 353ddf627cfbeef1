"""The request body cap (``http.bodylimit``, setting ``request_max_bytes``): a body over it is a 413 with a
clear message, before any of it is read when its length is declared, as soon as it passes the cap when
it is not (chunked); signed out or in, JSON or a form; library imports keep their own, larger limit."""

from __future__ import annotations

import socket
import time

import pytest

from paperfeed.store import community
from paperfeed.store import users as store_users
from tests.helpers.liveserver import live_server
from tests.helpers.web import add_papers, browser, make_app, paper

MB = 1024 * 1024
PATCH = "/api/papers/2401.00001/comments/{cid}"


@pytest.fixture
def site(lite_store, tmp_path):
    add_papers(lite_store, paper(1))
    with lite_store.transaction() as conn:
        ann = store_users.create_user(conn, username="ann", password_hash="x")
        token = store_users.create_token(conn, ann.id, "cli")
        cid = community.add_comment(conn, user_id=ann.id, paper_id="2401.00001", body="a comment")
    return make_app(lite_store, tmp_path), {"Authorization": f"Bearer {token}"}, cid


def _json_body(size: int) -> bytes:
    return b'{"body": "' + b"a" * size + b'"}'


def test_a_large_body_is_a_413_signed_in_or_not(site):
    app, auth, cid = site
    with browser(app) as client:
        for headers in (auth, {}):
            r = client.patch(PATCH.format(cid=cid), content=_json_body(2 * MB),
                             headers={**headers, "Content-Type": "application/json"})  # fmt: skip
            assert r.status_code == 413, r.text
            assert (
                r.json()["error"] == "the request body (2.0 MB) is over the limit of 1.0 MB (setting request_max_bytes)"
            )
            assert r.headers["connection"] == "close"
        r = client.patch(PATCH.format(cid=cid), json={"body": "small edit"}, headers=auth)
        assert r.status_code == 200  # under the cap: as before

        chunks = (b'{"body": "' if i == 0 else b"a" * 65536 for i in range(40))  # 2.5 MB, no Content-Length
        r = client.patch(PATCH.format(cid=cid), content=chunks, headers={**auth, "Content-Type": "application/json"})
        assert r.status_code == 413 and "over the limit of 1.0 MB" in r.json()["error"]

        r = client.post("/papers/2401.00001/comments", data={"csrf_token": "x", "body": "a" * (2 * MB)})
        assert r.status_code == 413 and "limit of 1.0 MB" in r.text  # a form: the same, as text


def test_the_cap_is_a_setting_and_library_imports_keep_theirs(lite_store, tmp_path, site):
    _, auth, cid = site
    app = make_app(lite_store, tmp_path, request_max_bytes=4096, library_max_bytes=64 * 1024)
    with browser(app) as client:
        r = client.patch(PATCH.format(cid=cid), content=_json_body(5000), headers=auth)
        assert r.status_code == 413 and "limit of 4 KB" in r.json()["error"]
        ids = "\n".join(f"2401.{n:05d}" for n in range(3000)).encode()  # 32 KB: over the cap, not the file limit
        r = client.post("/api/library/import?dry_run=true", content=ids, headers=auth)
        assert r.status_code == 200, r.text
        r = client.post("/api/library/import", content=b"x" * (100 * 1024), headers=auth)
        assert r.status_code == 413 and r.json()["error"].startswith("the file is")  # the import's own answer
        r = client.post("/api/library/import", content=b"x" * (200 * 1024), headers=auth)  # the cap's own answer
        assert r.json()["error"] == "the request body (200 KB) is over the limit of 64 KB (setting library_max_bytes)"


def _ask(base: str, head: bytes, body_chunks=()) -> tuple[bytes, float]:
    """Send ``head`` and then ``body_chunks`` on a raw socket; the start of the answer and how long it took."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except OSError:  # the server answered and closed while the client was still sending
            pass
        answer = b""
        while b"\r\n\r\n" not in answer:
            got = sock.recv(65536)
            if not got:
                break
            answer += got
    return answer, time.monotonic() - started


def test_a_real_server_refuses_before_reading_and_stops_a_chunked_body(site):
    app, auth, cid = site
    path = PATCH.format(cid=cid).encode()
    with live_server(app) as base:
        head = b"PATCH " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        # 200 MB declared, none of it sent: the answer comes at once
        answer, took = _ask(base, head + b"Content-Length: 209715200\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 413") and b"connection: close" in answer.lower() and took < 5

        def chunked(n: int):
            yield b'a\r\n{"body": "\r\n'  # chunk sizes in hex: 10 bytes, then 64 KB each
            for _ in range(n):
                yield b"10000\r\n" + b"a" * 65536 + b"\r\n"

        sent = {"n": 0}

        def counted(n: int):
            for chunk in chunked(n):
                sent["n"] += len(chunk)
                yield chunk

        answer, _ = _ask(
            base,
            head + b"Authorization: " + auth["Authorization"].encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n",
            counted(3200),
        )  # 200 MB, if it were all read
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent["n"] < 100 * MB  # the server stopped taking it long before the end
