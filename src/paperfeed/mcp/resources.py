"""The MCP server's resources (``register``): ``paperfeed://papers/{paper_id}`` (Markdown with BibTeX) and
``paperfeed://collections/{collection_id}`` (JSON); an unknown one is the SDK's "not found"."""

from __future__ import annotations

import json
from collections.abc import Callable

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError

from ..actions import collections as collection_actions
from ..actions import community as actions
from ..errors import PaperfeedError
from ..export import to_bibtex, to_markdown
from . import shape
from .backend import Backend


def register(server: MCPServer, backend: Backend) -> None:
    """Add the resources to ``server``."""
    store, base, caller = backend.store, backend.settings.base_url, backend.caller

    def resource_call(fn: Callable[[], str]) -> str:
        try:
            return fn()
        except actions.NotFound as exc:
            raise ResourceNotFoundError(str(exc)) from None
        except PaperfeedError as exc:
            raise ResourceError(str(exc)) from None

    @server.resource(
        "paperfeed://papers/{paper_id}",
        name="paper",
        mime_type="text/markdown",
        description="A paper as Markdown (title, authors, links, abstract) with its BibTeX entry",
    )
    def paper_resource(paper_id: str, ctx: Context) -> str:
        def read() -> str:
            caller(ctx, required=False)
            with store.read() as conn:
                view = actions.visible_paper(conn, paper_id)
            summary = getattr(view, "summary", None)
            text = to_markdown(view, base_url=base)
            if summary and summary not in text:
                text = text.replace("## Abstract", f"**Summary:** {summary}\n\n## Abstract", 1)
            return f"{text.rstrip()}\n\n## BibTeX\n\n```bibtex\n{to_bibtex(view).strip()}\n```\n"

        return resource_call(read)

    @server.resource(
        "paperfeed://collections/{collection_id}",
        name="collection",
        mime_type="application/json",
        description="A collection and its papers (a private one only for its owner's token)",
    )
    def collection_resource(collection_id: str, ctx: Context) -> str:
        def read() -> str:
            if not collection_id.isdigit() or len(collection_id) > 18:
                raise actions.NotFound(f"no collection {collection_id[:40]!r}: collection ids are numbers")
            coll, views = collection_actions.collection_papers(store, int(collection_id), caller(ctx, required=False))
            out = {"collection": shape.collection(coll, base), "papers": [shape.brief(v, base) for v in views]}
            return json.dumps(out, ensure_ascii=False, indent=1)

        return resource_call(read)
