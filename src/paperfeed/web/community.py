"""Community actions: upvotes, comments, submissions, collections, moderation. Every POST checks CSRF."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from ..errors import PaperfeedError
from ..export import to_bibtex_entries, to_dict
from ..ids import parse_arxiv_id
from ..ingest import fetch_arxiv_ids
from ..store import collections as store_collections
from ..store import community
from ..store import papers as store_papers
from ..store import users as store_users
from . import cache
from .auth import CSRF, LOGIN, CurrentUser, RequireAdmin, RequireUser, local_path, wants_json
from .render import flash, render

router = APIRouter()


def paper_or_404(conn, paper_id: str):
    parsed = parse_arxiv_id(paper_id)
    view = store_papers.get_paper(conn, parsed[0] if parsed else paper_id)
    if view is None or view.hidden:
        raise HTTPException(404, f"No paper {paper_id[:80]!r} here")
    return view


def _back(request: Request, fallback: str) -> RedirectResponse:
    """Back to the page the form was on (same site only), else ``fallback``."""
    target = local_path(request.headers.get("referer"), host=request.headers.get("host"), default=fallback)
    return RedirectResponse(target, status_code=303)


def cast_vote(request: Request, user, paper_id: str, value: int):
    """Record a user's vote (404 for unknown or hidden papers) and return the paper as it now stands."""
    store = request.app.state.store
    with store.transaction() as conn:
        view = paper_or_404(conn, paper_id)
        community.vote(conn, user_id=user.id, paper_id=view.id, value=value)
    with store.read() as conn:
        view = store_papers.get_paper(conn, view.id)
    cache.clear(request)
    return view


@router.post(
    "/papers/{paper_id:path}/vote", dependencies=[LOGIN, CSRF], summary="Upvote (1), unvote (0) or dismiss (-1)"
)
def vote(request: Request, user: RequireUser, paper_id: str, value: Annotated[int, Form(ge=-1, le=1)] = 1) -> Response:
    view = cast_vote(request, user, paper_id, value)
    if wants_json(request):
        return JSONResponse({"id": view.id, "upvotes": view.upvotes, "vote": value})
    return _back(request, f"/papers/{view.id}")


@router.post("/papers/{paper_id:path}/comments", dependencies=[LOGIN, CSRF], summary="Comment on a paper")
def comment(
    request: Request,
    user: RequireUser,
    paper_id: str,
    body: Annotated[str, Form(max_length=20_000)],
    parent_id: Annotated[int | None, Form()] = None,
) -> Response:
    store = request.app.state.store
    with store.transaction() as conn:
        view = paper_or_404(conn, paper_id)
        try:
            cid = community.add_comment(conn, user_id=user.id, paper_id=view.id, body=body, parent_id=parent_id)
        except community.CommunityError as exc:
            if wants_json(request):
                return JSONResponse({"error": str(exc)}, status_code=400)
            flash(request, str(exc), "error")
            return RedirectResponse(f"/papers/{view.id}#comments", status_code=303)
    cache.clear(request)
    if wants_json(request):
        return JSONResponse({"id": cid, "paper_id": view.id}, status_code=201)
    return RedirectResponse(f"/papers/{view.id}#comment-{cid}", status_code=303)


# --- submissions --------------------------------------------------------------------------------------


@router.get("/submit", summary="Submission form")
def submit_form(request: Request, user: RequireUser) -> Response:
    return render(request, "submit.html")


def submit_paper(request: Request, user, text: str) -> tuple[str, str]:
    """Resolve an id or URL, fetch the paper if needed, feature it today. Returns (paper_id, day)."""
    parsed = parse_arxiv_id(text.strip())
    if parsed is None:
        raise community.CommunityError(f"{text.strip()[:80]!r} is not an arXiv id or URL (e.g. 2401.01234)")
    paper_id = parsed[0]
    store = request.app.state.store
    with store.read() as conn:
        known = store_papers.get_paper(conn, paper_id)
    if known is None:
        try:
            fetch_arxiv_ids(store, request.app.state.settings, [paper_id])
        except PaperfeedError as exc:
            msg = f"could not look up {paper_id} on arXiv right now ({str(exc)[:120]})"
            raise community.CommunityError(msg) from None
        with store.read() as conn:
            known = store_papers.get_paper(conn, paper_id)
        if known is None:
            raise community.CommunityError(f"arXiv has no paper {paper_id}")
    if known.hidden:
        raise community.CommunityError("this paper cannot be submitted")
    day = datetime.now(UTC).date()
    with store.transaction() as conn:
        community.submit(conn, paper_id=paper_id, username=user.username, day=day)
    cache.clear(request)
    return paper_id, day.isoformat()


@router.post("/submit", dependencies=[LOGIN, CSRF], summary="Submit an arXiv paper to today's list")
def submit(request: Request, user: RequireUser, paper: Annotated[str, Form(max_length=300)]) -> Response:
    try:
        paper_id, day = submit_paper(request, user, paper)
    except community.CommunityError as exc:
        return render(request, "submit.html", error=str(exc), paper=paper, status_code=400)
    flash(request, f"Thanks! {paper_id} is on the list of {day}.")
    return RedirectResponse(f"/papers/date/{day}#paper-{paper_id}", status_code=303)


# --- collections --------------------------------------------------------------------------------------


def own_collection(conn, collection_id: int, user):
    coll = store_collections.get(conn, collection_id, viewer_id=user.id)
    if coll is None or coll.user_id != user.id:
        raise HTTPException(404, "no such collection")
    return coll


@router.post("/collections", dependencies=[LOGIN, CSRF], summary="Create a collection (optionally with a first paper)")
def create_collection(
    request: Request,
    user: RequireUser,
    name: Annotated[str, Form(max_length=200)],
    is_public: Annotated[bool, Form()] = False,
    description: Annotated[str, Form(max_length=2000)] = "",
    paper_id: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    with request.app.state.store.transaction() as conn:
        if paper_id:
            paper_id = paper_or_404(conn, paper_id).id
        try:
            cid = store_collections.create(
                conn, user_id=user.id, name=name, description=description, is_public=is_public
            )
        except store_collections.CollectionError as exc:
            flash(request, str(exc), "error")
            return _back(request, f"/users/{user.username}")
        if paper_id:
            store_collections.add_paper(conn, cid, paper_id)
    flash(request, f"Collection {name.strip()!r} created" + (" with this paper." if paper_id else "."))
    return _back(request, f"/collections/{cid}") if paper_id else RedirectResponse(f"/collections/{cid}", 303)


@router.post("/collections/add", dependencies=[LOGIN, CSRF], summary="Add a paper to one of your collections")
def add_to_collection(
    request: Request,
    user: RequireUser,
    collection_id: Annotated[int, Form()],
    paper_id: Annotated[str, Form(max_length=100)],
) -> Response:
    with request.app.state.store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        view = paper_or_404(conn, paper_id)
        added = store_collections.add_paper(conn, coll.id, view.id)
    flash(request, f"Added to {coll.name}." if added else f"Already in {coll.name}.")
    return _back(request, f"/collections/{coll.id}")


@router.post(
    "/collections/{collection_id}/remove", dependencies=[LOGIN, CSRF], summary="Remove a paper from a collection"
)
def remove_from_collection(
    request: Request, user: RequireUser, collection_id: int, paper_id: Annotated[str, Form(max_length=100)]
) -> Response:
    with request.app.state.store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        store_collections.remove_paper(conn, coll.id, paper_id)
    return RedirectResponse(f"/collections/{coll.id}", status_code=303)


@router.post("/collections/{collection_id}/edit", dependencies=[LOGIN, CSRF], summary="Rename or publish a collection")
def edit_collection(
    request: Request,
    user: RequireUser,
    collection_id: int,
    name: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=2000)] = "",
    is_public: Annotated[bool, Form()] = False,
) -> Response:
    with request.app.state.store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        try:
            store_collections.update_meta(conn, coll.id, name=name, description=description, is_public=is_public)
        except store_collections.CollectionError as exc:
            flash(request, str(exc), "error")
    return RedirectResponse(f"/collections/{coll.id}", status_code=303)


@router.post("/collections/{collection_id}/delete", dependencies=[LOGIN, CSRF], summary="Delete a collection")
def delete_collection(request: Request, user: RequireUser, collection_id: int) -> Response:
    with request.app.state.store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        store_collections.remove(conn, coll.id)
    flash(request, f"Deleted {coll.name}.")
    return RedirectResponse(f"/users/{user.username}", status_code=303)


@router.get("/collections/{collection_ref}", summary="A collection (add .bib or .json to export it)")
def show_collection(request: Request, user: CurrentUser, collection_ref: str) -> Response:
    base, _, ext = collection_ref.partition(".")
    if not base.isdigit() or ext not in ("", "bib", "json"):
        raise HTTPException(404, "no such collection")
    with request.app.state.store.read() as conn:
        coll = store_collections.get(conn, int(base), viewer_id=user.id if user else None)
        if coll is None:  # private collections of others are indistinguishable from missing ones
            raise HTTPException(404, "no such collection")
        papers = [p for p in store_papers.get_papers(conn, store_collections.paper_ids(conn, coll.id)) if not p.hidden]
        votes = community.user_votes(conn, user.id, [p.id for p in papers]) if user else {}
    if ext == "bib":
        return PlainTextResponse(
            to_bibtex_entries(papers),
            media_type="application/x-bibtex; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="collection-{coll.id}.bib"'},
        )
    if ext == "json":
        body = {
            "id": coll.id,
            "name": coll.name,
            "owner": coll.owner,
            "description": coll.description,
            "public": coll.is_public,
            "papers": [to_dict(p) for p in papers],
        }
        return Response(orjson.dumps(body, option=orjson.OPT_INDENT_2), media_type="application/json")
    return render(request, "collection.html", collection=coll, papers=papers, votes=votes)


# --- moderation ---------------------------------------------------------------------------------------


@router.post("/admin/papers/{paper_id:path}/hide", dependencies=[LOGIN, CSRF], summary="Admin: hide or unhide a paper")
def hide_paper(
    request: Request, admin: RequireAdmin, paper_id: str, hidden: Annotated[bool, Form()] = True
) -> Response:
    with request.app.state.store.transaction() as conn:
        if not community.hide_paper(conn, paper_id, hidden):
            raise HTTPException(404, f"No paper {paper_id[:80]!r} here")
    cache.clear(request)
    flash(request, f"Paper {paper_id} is now {'hidden' if hidden else 'visible'}.")
    return RedirectResponse(f"/papers/{paper_id}", status_code=303)


@router.post("/admin/papers/{paper_id:path}/feature", dependencies=[LOGIN, CSRF], summary="Admin: pick for today")
def feature_paper(request: Request, admin: RequireAdmin, paper_id: str) -> Response:
    day = datetime.now(UTC).date()
    with request.app.state.store.transaction() as conn:
        view = paper_or_404(conn, paper_id)
        try:
            community.submit(conn, paper_id=view.id, username=admin.username, day=day, source="admin")
        except community.CommunityError as exc:
            flash(request, str(exc), "error")
            return RedirectResponse(f"/papers/{view.id}", status_code=303)
    cache.clear(request)
    flash(request, f"{view.id} is on today's list.")
    return RedirectResponse(f"/papers/date/{day}#paper-{view.id}", status_code=303)


@router.post("/admin/comments/{comment_id}/hide", dependencies=[LOGIN, CSRF], summary="Admin: hide or unhide a comment")
def hide_comment(
    request: Request, admin: RequireAdmin, comment_id: int, hidden: Annotated[bool, Form()] = True
) -> Response:
    with request.app.state.store.transaction() as conn:
        if not community.hide_comment(conn, comment_id, hidden):
            raise HTTPException(404, "no such comment")
    cache.clear(request)
    return _back(request, "/")


@router.post("/admin/users/{username}/ban", dependencies=[LOGIN, CSRF], summary="Admin: ban or unban a user")
def ban_user(request: Request, admin: RequireAdmin, username: str, banned: Annotated[bool, Form()] = True) -> Response:
    with request.app.state.store.transaction() as conn:
        target = store_users.get_user_by_name(conn, username)
        if target is None:
            raise HTTPException(404, f"No user {username[:40]!r}")
        if target.id == admin.id:
            raise HTTPException(400, "you cannot ban yourself")
        store_users.set_banned(conn, target.id, banned)
    flash(request, f"{target.username} is {'banned' if banned else 'no longer banned'}.")
    return RedirectResponse(f"/users/{target.username}", status_code=303)
