"""The MCP server's tools (``register``): finding papers (``search``, ``similar``, ``paper``), the lists
(``daily_papers``, ``weekly_papers``, ``monthly_papers``, ``trending``) and the caller's own (``for_you``,
``upvote``, ``collections``, ``collection``, ``create_collection``, ``add_to_collection``). They read what
the JSON API reads and write through ``actions``. What the caller can fix (an unknown paper, a query with
nothing to search, a date outside arXiv's years, a missing token) comes back as a tool error saying what
to change (``_tool_errors``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from .. import periods
from ..actions import collections as collection_actions
from ..actions import community as actions
from ..errors import PaperfeedError
from ..http.params import MAX_DB_ID
from ..rank import sorts
from ..rank import trending as rank_trending
from ..store import days as store_days
from ..store import papers as store_papers
from . import shape
from .backend import Backend

READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False)

# argument types (module level: the SDK resolves the tools' annotations in this module's namespace)
PaperId = Annotated[
    str,
    Field(min_length=1, max_length=300, description="arXiv id (2401.01234; versions and arXiv URLs work too) "
          "or a paperfeed id (pf-...)"),
]  # fmt: skip
Limit = Annotated[int, Field(ge=1, le=50, description="How many papers to return (1-50)")]
Offset = Annotated[int, Field(ge=0, le=10_000, description="Skip this many first (to page through)")]
Keyword = Annotated[str | None, Field(max_length=200, description="Only papers with this keyword")]
Category = Annotated[str | None, Field(max_length=40, description="Only this arXiv category, e.g. cs.CL")]
Query = Annotated[
    str,
    Field(
        max_length=1000,
        description='Words, "exact phrase", -exclude, field prefixes ti: abs: au: cat: (e.g. `diffusion '
        "transformer cat:cs.CV -survey`); an arXiv id or an exact title finds that paper first",
    ),
]
SearchSort = Annotated[Literal[sorts.SEARCH], Field(description="Order of the results")]  # rank.sorts
ListSort = Annotated[
    Literal[sorts.accepted(sorts.LIST)],
    Field(
        description="newest first, most upvoted first, or by the time-decayed trending score "
        "(published and publishedAt: aliases of newest)"
    ),
]
CollectionId = Annotated[int, Field(ge=1, le=MAX_DB_ID, description="A collection's id (from `collections`)")]

PERIOD_CAP = 2_000  # papers of one period ranked in memory for sort=trending (as the API)


def _tool_errors(fn: Callable) -> Callable:
    """Errors the caller can act on (``PaperfeedError``: not found, bad query, refused input) become tool
    errors carrying their message; anything else stays a crash, which the SDK reports without details."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():  # PostgreSQL refuses a NUL in any text: say so before it does
            if isinstance(value, str) and "\x00" in value:
                raise ToolError(f"{name} must not contain a NUL character")
        try:
            return fn(*args, **kwargs)
        except PaperfeedError as exc:
            raise ToolError(str(exc)) from None

    return wrapper


def register(server: MCPServer, backend: Backend) -> None:
    """Add the tools to ``server``, in the order clients list them."""
    store, settings, base = backend.store, backend.settings, backend.settings.base_url
    caller, wrote, papers = backend.caller, backend.wrote, backend.papers

    # --- finding papers -----------------------------------------------------------------------------

    @server.tool(annotations=READ)
    @_tool_errors
    def search(
        ctx: Context,
        query: Query = "",
        category: Category = None,
        author: Annotated[str | None, Field(max_length=200, description="Only papers by this author")] = None,
        date_from: Annotated[date | None, Field(description="Only papers from this day on (YYYY-MM-DD)")] = None,
        date_to: Annotated[date | None, Field(description="Only papers up to this day (YYYY-MM-DD)")] = None,
        has_code: Annotated[bool, Field(description="Only papers with a code link")] = False,
        keyword: Keyword = None,
        sort: SearchSort = "relevance",
        limit: Limit = 10,
        offset: Offset = 0,
    ) -> dict:
        """Search the papers: keywords and meaning (hybrid), exact ids and titles first, with filters.

        Answers the total number of matches (`total_is_estimate`: a lower bound) and the papers, each with
        `why` it matched (exact id, exact title, keywords, semantic)."""
        from ..rank.search import search as run_search  # loaded on first search: the model is large

        caller(ctx, required=False)
        if date_from and date_to and date_from > date_to:
            raise PaperfeedError(f"date_from ({date_from}) is after date_to ({date_to})")
        result = run_search(
            store, settings, query, category=category or None, date_from=date_from, date_to=date_to,
            author=author or None, has_code=has_code, keyword=keyword or None, sort=sort, limit=limit, offset=offset,
        )  # fmt: skip
        views = {v.id: v for v in papers([h.paper_id for h in result.hits])}
        return {
            "query": query,
            "total": result.total,
            "total_is_estimate": result.total_is_estimate,
            "lexical_only": result.lexical_only,
            "papers": [shape.brief(views[h.paper_id], base, why=h.why) for h in result.hits if h.paper_id in views],
        }

    @server.tool(annotations=READ)
    @_tool_errors
    def similar(
        ctx: Context,
        paper_id: PaperId,
        facet: Annotated[
            Literal["background", "method", "result"] | None,
            Field(
                description="Similar in what they set out to do (background), how they do it (method) or what "
                "they find (result); none: as a whole"
            ),
        ] = None,
        limit: Limit = 10,
    ) -> dict:
        """Papers similar to a paper (by meaning and shared distinctive words), never the paper itself or its
        duplicates; with `facet`, similar in background, method or result."""
        from ..rank.similar import similar as find_similar

        caller(ctx, required=False)
        with store.read() as conn:
            view = actions.visible_paper(conn, paper_id)
        hits = find_similar(store, settings, view.id, limit=limit, **({"facet": facet} if facet else {}))
        views = {v.id: v for v in papers([h.paper_id for h in hits])}
        return {
            "paper": {"id": view.id, "title": view.title},
            **({"facet": facet} if facet else {}),
            "papers": [shape.brief(views[h.paper_id], base, why=h.why) for h in hits if h.paper_id in views],
        }

    @server.tool(annotations=READ)
    @_tool_errors
    def paper(ctx: Context, paper_id: PaperId) -> dict:
        """One paper in full: title, authors, abstract, its one-line summary when it has one, categories,
        keywords, upvotes, links (arXiv, PDF, code, project page, paperfeed) and a BibTeX entry."""
        caller(ctx, required=False)
        with store.read() as conn:
            return shape.full(actions.visible_paper(conn, paper_id), base)

    # --- lists ----------------------------------------------------------------------------------------

    def period_list(kind: str, value: str | None, sort: str, keyword: str | None, limit: int, offset: int) -> dict:
        """Papers featured in a day, week or month (HF featuring, community submissions, admin picks), as
        ``/api/daily_papers`` lists them; without ``value``, the period of the latest featured day."""
        with store.read() as conn:
            if value:
                try:
                    period = periods.parse(kind, value.strip(), today=datetime.now(UTC).date())
                except ValueError as exc:
                    raise PaperfeedError(f"bad {'date' if kind == 'day' else kind} {value[:40]!r}: {exc}") from None
            else:
                latest = store_days.latest_featured_day(conn)
                if latest is None:
                    return {"period": None, "total": 0, "papers": [], "note": "no paper has been featured yet"}
                period = periods.period_of(kind, latest)
            start, end = period.start, period.end
            if sort == "trending":
                views, total = store_papers.featured_between(conn, start, end, keyword=keyword, limit=PERIOD_CAP)
                views = rank_trending.in_period(views, start, end, settings.trending_gravity)[offset:][:limit]
            else:
                order = sorts.store_order(sort)
                views, total = store_papers.featured_between(
                    conn, start, end, keyword=keyword, order=order, limit=limit, offset=offset
                )
            before, after = store_days.neighbours(conn, period)  # the nearest periods with papers, as the pages
        return {
            "period": {"kind": kind, "key": period.key, "label": period.label, "start": start.isoformat(),
                       "end": end.isoformat(), "previous": before.key if before else None,
                       "next": after.key if after else None},
            "total": total,
            "papers": [shape.brief(v, base) for v in views],
        }  # fmt: skip

    @server.tool(annotations=READ)
    @_tool_errors
    def daily_papers(
        ctx: Context,
        day: Annotated[
            str | None, Field(max_length=10, description="YYYY-MM-DD; default: the latest day with papers")
        ] = None,
        sort: ListSort = "upvotes",
        keyword: Keyword = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict:
        """The papers featured on a day (like Hugging Face's daily papers), with the period's previous/next keys."""
        caller(ctx, required=False)
        return period_list("day", day, sort, keyword, limit, offset)

    @server.tool(annotations=READ)
    @_tool_errors
    def weekly_papers(
        ctx: Context,
        week: Annotated[
            str | None,
            Field(
                max_length=8,
                description="ISO week YYYY-Www (2026-W07); default: the week of the latest day with papers",
            ),
        ] = None,
        sort: ListSort = "upvotes",
        keyword: Keyword = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict:
        """The papers featured in an ISO week, with the previous/next weeks' keys."""
        caller(ctx, required=False)
        return period_list("week", week, sort, keyword, limit, offset)

    @server.tool(annotations=READ)
    @_tool_errors
    def monthly_papers(
        ctx: Context,
        month: Annotated[
            str | None, Field(max_length=7, description="YYYY-MM; default: the month of the latest day with papers")
        ] = None,
        sort: ListSort = "upvotes",
        keyword: Keyword = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict:
        """The papers featured in a month, with the previous/next months' keys."""
        caller(ctx, required=False)
        return period_list("month", month, sort, keyword, limit, offset)

    @server.tool(annotations=READ)
    @_tool_errors
    def trending(ctx: Context, category: Category = None, limit: Limit = 20, offset: Offset = 0) -> dict:
        """Trending papers: upvotes decayed by age (the /trending page), optionally in one arXiv category."""
        caller(ctx, required=False)
        with store.read() as conn:
            ranked = rank_trending.trending(
                conn, gravity=settings.trending_gravity, window_days=settings.trending_window_days,
                category=category or None,
            )  # fmt: skip
            page = ranked[offset:][:limit]
            views = {v.id: v for v in store_papers.get_papers(conn, [t.paper_id for t in page]) if not v.hidden}
        return {
            "total": len(ranked),
            "papers": [shape.brief(views[t.paper_id], base, score=round(t.score, 6)) for t in page
                       if t.paper_id in views],
        }  # fmt: skip

    # --- the caller's own ---------------------------------------------------------------------------

    @server.tool(annotations=READ)
    @_tool_errors
    def for_you(
        ctx: Context,
        limit: Limit = 20,
        days: Annotated[
            int | None,
            Field(ge=1, le=90, description="Papers of the last N days (default: the server's recommend_days)"),
        ] = None,
    ) -> dict:
        """Recent papers ranked for the token's user by what they upvote and save and whom they follow, each
        with its reasons. Needs an API token."""
        from ..rank.recommend import for_you as rank_for_you

        user = caller(ctx, required=True)
        page = rank_for_you(store, settings, user.id, limit=limit, days=days)
        return {
            "user": user.username,
            "cold_start": page.cold_start,
            "since": page.since.isoformat() if page.since else None,
            "until": page.until.isoformat() if page.until else None,
            "papers": [shape.brief(p.paper, base, reasons=p.reasons, score=round(p.score, 4)) for p in page.picks],
        }

    @server.tool(annotations=WRITE)
    @_tool_errors
    def upvote(
        ctx: Context,
        paper_id: PaperId,
        remove: Annotated[bool, Field(description="Take your upvote back instead")] = False,
    ) -> dict:
        """Upvote a paper as the token's user (or take the upvote back); it also teaches their "for you"
        ranking. Needs an API token."""
        user = caller(ctx, required=True)
        view = actions.vote(store, user, paper_id, 0 if remove else 1)
        wrote()
        return {"id": view.id, "title": view.title, "upvotes": view.upvotes, "upvoted": not remove}

    @server.tool(annotations=READ)
    @_tool_errors
    def collections(
        ctx: Context,
        user: Annotated[
            str | None,
            Field(
                max_length=100,
                description="Whose collections (public ones); default: your own, private ones too (needs an API token)",
            ),
        ] = None,
    ) -> dict:
        """Collections of saved papers: yours (with an API token), or another user's public ones."""
        viewer = caller(ctx, required=user is None)
        found = collection_actions.collections_of(store, user or None, viewer)
        return {"collections": [shape.collection(c, base) for c in found]}

    @server.tool(annotations=READ)
    @_tool_errors
    def collection(ctx: Context, collection_id: CollectionId) -> dict:
        """A collection and its papers (a private one only for its owner's token)."""
        coll, views = collection_actions.collection_papers(store, collection_id, caller(ctx, required=False))
        return {"collection": shape.collection(coll, base), "papers": [shape.brief(v, base) for v in views]}

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False))
    @_tool_errors
    def create_collection(
        ctx: Context,
        name: Annotated[str, Field(min_length=1, max_length=100, description="The collection's name")],
        description: Annotated[str, Field(max_length=2000)] = "",
        public: Annotated[bool, Field(description="Visible to everyone (default: only you)")] = False,
        paper_id: Annotated[str | None, Field(max_length=300, description="A first paper to put in it")] = None,
    ) -> dict:
        """Create a collection of the token's user, optionally with a first paper. Needs an API token."""
        user = caller(ctx, required=True)
        coll = collection_actions.create_collection(store, user, name=name, description=description, public=public,
                                                    paper_id=paper_id or None)  # fmt: skip
        wrote()
        return {"collection": shape.collection(coll, base)}

    @server.tool(annotations=WRITE)
    @_tool_errors
    def add_to_collection(ctx: Context, collection_id: CollectionId, paper_id: PaperId) -> dict:
        """Save a paper to one of the token's user's collections (see `collections` for their ids). Needs an
        API token."""
        user = caller(ctx, required=True)
        coll, added = collection_actions.add_to_collection(store, user, collection_id, paper_id)
        wrote()
        return {"collection": shape.collection(coll, base), "added": added,
                **({} if added else {"note": "the paper was in this collection already"})}  # fmt: skip
