"""A real HTTP server for tests: uvicorn serving an app on a free 127.0.0.1 port, in a background thread.

    with live_server(app) as base_url:
        httpx.get(base_url + "/")

The socket is bound before the thread starts (port 0: the kernel picks a free port), so there is no race
for the port and the URL is known at once; the context waits until uvicorn accepts requests and stops it
on exit. Used by the concurrency test (tests/web) and the browser tests (tests/browser).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn


@contextlib.contextmanager
def live_server(app, *, startup_timeout: float = 10.0) -> Iterator[str]:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and without
    # it every keep-alive response waits ~40 ms for a delayed ACK (Nagle)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # timeout_keep_alive: uvicorn closes a connection idle 5 s by default; a test's client thread starved that
    # long on a loaded machine then sends its next request as the server closes it ("Server disconnected")
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2, timeout_keep_alive=120
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the test server on 127.0.0.1:{port} did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
