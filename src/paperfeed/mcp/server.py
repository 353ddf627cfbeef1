"""The MCP server: paperfeed's papers as tools and resources for AI assistants (``build``).

Tools anyone may call: ``search``, ``similar``, ``paper``, ``daily_papers``, ``weekly_papers``,
``monthly_papers``, ``trending``, ``collections`` (a user's public ones), ``collection``. With a user's API
token: ``for_you``, ``upvote``, ``collections`` (your own, private ones too), ``create_collection``,
``add_to_collection``. Resources: ``paperfeed://papers/{paper_id}`` (Markdown with BibTeX) and
``paperfeed://collections/{collection_id}`` (JSON). They read what the JSON API reads and write through
``actions``, so an assistant sees and does what the pages and the API show and do.

This module wires the server: the SDK's server made strict (``StrictServer``), the tools (``tools``) and
resources (``resources``) over one ``backend.Backend`` (the store, the settings, who is calling).

Who is calling: over HTTP, the ``Authorization: Bearer <token>`` header of each request; over stdio, the
token ``paperfeed mcp`` was started with. The tokens are the API's (profile page, "API tokens"). A token
that is not valid fails every call with a tool error, as the API answers 401 to it, rather than quietly
answering as anonymous. What the caller can fix (an unknown paper, a query with nothing to search, a date
outside arXiv's years, a missing token) comes back as a tool error saying what to change; arguments
outside a tool's schema are refused naming the field (``StrictServer``; the SDK alone drops unknown ones).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from .. import __version__
from ..settings import Settings
from ..store import Store
from . import resources, tools
from .backend import Backend

INSTRUCTIONS = """paperfeed is a research-paper front page: arXiv and Hugging Face daily papers with community \
upvotes, hybrid (keyword + meaning) search, similar papers, trending lists and per-user recommendations.
Find papers with `search` (query syntax: words, "exact phrase", -exclude, ti: abs: au: cat: field prefixes) \
or the period lists (`daily_papers`, `weekly_papers`, `monthly_papers`, `trending`); read one with `paper` \
(abstract, links, BibTeX); find related work with `similar`. `for_you`, `upvote` and saving to collections \
act for the user whose API token this server was given. Paper ids are arXiv ids (2401.01234) or pf-... ids."""


_PYDANTIC_LINK = re.compile(r"\n *For further information visit https://errors\.pydantic\.dev\S*")


class StrictServer(MCPServer):
    """The SDK's server, refusing arguments a tool does not take (the SDK drops them silently, so a model
    that misspells ``limit`` would never learn that its limit was not applied), and saying what is wrong
    with an argument without pydantic's pointer to its own documentation."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None):
        tool = self._tool_manager.get_tool(name)
        if tool is not None and arguments:
            known = tool.parameters.get("properties", {})
            unknown = [key for key in arguments if key not in known]
            if unknown:
                raise ToolError(
                    f"{name} takes no argument {', '.join(map(repr, unknown))}: its arguments are {', '.join(known)}"
                )
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            text = _PYDANTIC_LINK.sub("", str(exc))
            if text == str(exc):
                raise
            raise ToolError(text) from None


def build(
    settings: Settings, store: Store, *, token: str | None = None, on_write: Callable[[], None] | None = None
) -> MCPServer:
    """The server over ``store``. ``token`` is the stdio caller's API token (over HTTP each request's own
    header counts); ``on_write`` runs after each write (the app expires its page cache)."""
    base = settings.base_url
    root = logging.getLogger()
    guard = logging.NullHandler()  # the SDK calls logging.basicConfig: leave the app's logging as it is
    root.addHandler(guard)
    try:
        server = StrictServer("paperfeed", title=settings.site_name, instructions=INSTRUCTIONS, version=__version__,
                              website_url=base)  # fmt: skip
    finally:
        root.removeHandler(guard)

    backend = Backend(settings, store, token=token, on_write=on_write)
    tools.register(server, backend)
    resources.register(server, backend)
    return server
