"""Helpers for the MCP tests: the SDK's own client, driven from synchronous tests.

    with connect(stdio("sqlite:///...", token=...)) as c:       # spawns `python -m paperfeed mcp`
    with connect(http(base_url + "/mcp", token=...)) as c:      # streamable HTTP, e.g. to a live_server
        c.call("paper", paper_id="2401.01234")      # the tool's JSON answer (fails the test on a tool error)
        c.error("paper", paper_id="nope")           # the tool error's text (fails the test on success)
        c.read("paperfeed://papers/2401.01234")     # a resource's text

The client runs in a blocking portal (an event loop in a thread), so one session can serve several tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import httpx2
from anyio.from_thread import start_blocking_portal
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


class SyncClient:
    def __init__(self, portal, client: Client):
        self.portal, self.client = portal, client

    def tools(self) -> dict:
        return {t.name: t for t in self.portal.call(self.client.list_tools).tools}

    def raw(self, tool: str, args: dict):
        return self.portal.call(self.client.call_tool, tool, args)

    def call(self, tool: str, **args: Any) -> Any:
        r = self.raw(tool, args)
        text = r.content[0].text if r.content else ""
        assert not r.is_error, f"{tool}({args}) failed: {text}"
        return json.loads(text)

    def error(self, tool: str, **args: Any) -> str:
        r = self.raw(tool, args)
        text = r.content[0].text if r.content else ""
        assert r.is_error, f"{tool}({args}) did not fail: {text[:300]}"
        return text

    def read(self, uri: str) -> str:
        return self.portal.call(self.client.read_resource, uri).contents[0].text

    def templates(self) -> list[str]:
        return [t.uri_template for t in self.portal.call(self.client.list_resource_templates).resource_templates]


def stdio(db_url: str, *, data_dir, token: str | None = None, args: tuple[str, ...] = ()) -> Client:
    env = {
        "PAPERFEED_DATABASE_URL": db_url,
        "PAPERFEED_DATA_DIR": str(data_dir),
        "PAPERFEED_LOG_LEVEL": "WARNING",
        "PAPERFEED_ARXIV_API_URL": "http://127.0.0.1:9/api/query",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    if token:
        env["PAPERFEED_MCP_TOKEN"] = token
    params = StdioServerParameters(command=sys.executable, args=["-m", "paperfeed", "mcp", *args], env=env)
    return Client(params, read_timeout_seconds=120)


@contextlib.asynccontextmanager
async def _http_client(url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=120) as http:
        async with Client(streamable_http_client(url, http_client=http), read_timeout_seconds=120) as client:
            yield client


def http(url: str, *, token: str | None = None):
    return _http_client(url, token)


@contextlib.contextmanager
def connect(client) -> Iterator[SyncClient]:
    """A session with ``client`` (``stdio(...)`` or ``http(...)``) for the duration of the block."""
    try:
        with start_blocking_portal() as portal:
            with portal.wrap_async_context_manager(client) as connected:
                yield SyncClient(portal, connected)
    except BaseExceptionGroup as group:  # the client's task groups wrap a failing test's exception: unwrap it
        leaf: BaseException = group
        while isinstance(leaf, BaseExceptionGroup) and len(leaf.exceptions) == 1:
            leaf = leaf.exceptions[0]
        raise leaf from None
