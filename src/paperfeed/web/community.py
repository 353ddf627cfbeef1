"""Community pages and forms: upvotes, comments, submissions, collections, moderation. Every POST checks CSRF.

The actions themselves are ``actions.community``'s and ``actions.collections``', shared with the API, the
CLI and MCP; these views turn their answers into redirects, flash messages and pages, and expire the page
cache after a write.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import orjson
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response

from ..actions import collections as collection_actions
from ..actions import comment_edits
from ..actions import community as actions
from ..export import to_bibtex_entries, to_dict
from ..http import cache
from ..http.auth import CSRF, LOGIN, CurrentUser, RequireAdmin, RequireUser, local_path, wants_json
from ..http.openapi import content, page
from ..http.params import MAX_DB_ID, DbId, FormId
from ..store import collections as store_collections
from ..store import community
from ..store.community import AlreadyListed
from .pages import paper_with_draft
from .render import feed_links, flash, render

router = APIRouter(default_response_class=HTMLResponse)
FORM = page(303, 401, 403, 404, 422)  # a signed-in form about a paper or collection: done (303), or why not


def _back(request: Request, fallback: str, *, card: str | None = None) -> RedirectResponse:
    """Back to the page the form was on (same site only), else ``fallback``; at ``card``'s paper card when
    that page is a list (a vote without JavaScript keeps the reader's place instead of jumping to the top)."""
    target = local_path(request.headers.get("referer"), host=request.headers.get("host"), default=fallback)
    if card and target.partition("#")[0].partition("?")[0] != f"/papers/{card}":
        target = f"{target.partition('#')[0]}#paper-{card}"
    return RedirectResponse(target, status_code=303)


@router.post(
    "/papers/{paper_id:path}/vote",
    dependencies=[LOGIN, CSRF],
    response_class=JSONResponse,  # the vote as JSON to a client that accepts it; a browser goes back (303)
    responses=FORM,
    summary="Upvote (1), unvote (0) or dismiss (-1)",
)
def vote(request: Request, user: RequireUser, paper_id: str, value: Annotated[int, Form(ge=-1, le=1)] = 1) -> Response:
    view = actions.vote(request.app.state.store, user, paper_id, value)
    cache.clear(request)
    if wants_json(request):
        return JSONResponse({"id": view.id, "upvotes": view.upvotes, "vote": value})
    return _back(request, f"/papers/{view.id}", card=view.id)


@router.post(
    "/papers/{paper_id:path}/comments",
    dependencies=[LOGIN, CSRF],
    status_code=201,
    response_class=JSONResponse,  # the new comment's id to a client that accepts JSON; a browser goes to it (303)
    responses={**FORM, **page(400, 429)},
    summary="Comment on a paper",
)
def comment(
    request: Request,
    user: RequireUser,
    paper_id: str,
    body: Annotated[str, Form(max_length=20_000)],
    parent_id: Annotated[int | None, Form(ge=1, le=MAX_DB_ID)] = None,
) -> Response:
    try:
        made = actions.comment(request.app.state.store, user, paper_id, body, parent_id)
    except actions.CommunityError as exc:
        status, headers = 400, {}
        if isinstance(exc, actions.SlowDown):
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        if wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=status, headers=headers)
        # the page again, the reason at the form and what was typed still in it (a redirect would lose both)
        response = paper_with_draft(request, user, paper_id, error=str(exc), draft=body, parent_id=parent_id)
        response.status_code = status
        response.headers.update(headers)
        return response
    cache.clear(request)
    if wants_json(request):
        return JSONResponse({"id": made.id, "paper_id": made.paper_id}, status_code=201)
    return RedirectResponse(f"/papers/{made.paper_id}#comment-{made.id}", status_code=303)


@router.post(
    "/papers/{paper_id:path}/comments/{comment_id}/delete",
    dependencies=[LOGIN, CSRF],
    responses=FORM,
    summary="Delete your own comment",
)
def delete_comment(request: Request, user: RequireUser, paper_id: str, comment_id: DbId) -> Response:
    actions.delete_comment(request.app.state.store, user, paper_id, comment_id)
    cache.clear(request)
    flash(request, "Your comment was deleted.")
    with request.app.state.store.read() as conn:
        return RedirectResponse(f"/papers/{actions.visible_paper(conn, paper_id).id}#comments", status_code=303)


@router.post(
    "/papers/{paper_id:path}/comments/{comment_id}/edit",
    dependencies=[LOGIN, CSRF],
    response_class=JSONResponse,  # the edited comment to a client that accepts JSON; a browser goes to it (303)
    responses={**FORM, **page(400, 429)},
    summary="Edit your own comment (within comment_edit_hours of posting)",
)
def edit_comment(
    request: Request, user: RequireUser, paper_id: str, comment_id: DbId, body: Annotated[str, Form(max_length=20_000)]
) -> Response:
    """Refused text (empty, too long) shows the edit form again with the reason and the text typed (400; too
    many edits: 429); someone else's, a hidden, a reported or a too old comment is 403, a deleted one 404."""
    store, settings = request.app.state.store, request.app.state.settings
    try:
        edited = comment_edits.edit_comment(store, settings, user, paper_id, comment_id, body)
    except actions.NotYours:
        raise
    except actions.CommunityError as exc:
        status, headers = 400, {}
        if isinstance(exc, actions.SlowDown):
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        if wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=status, headers=headers)
        with store.read() as conn:
            view = actions.visible_paper(conn, paper_id)
        response = render(request, "comment_edit.html", paper=view, comment_id=comment_id, draft=body,
                          error=str(exc), status_code=status)  # fmt: skip
        response.headers.update(headers)
        return response
    cache.clear(request)
    if wants_json(request):
        return JSONResponse({"id": edited.id, "paper_id": edited.paper_id, "edited_at": edited.edited_at.isoformat()})
    flash(request, "Your comment was edited.")
    return RedirectResponse(f"/papers/{edited.paper_id}#comment-{edited.id}", status_code=303)


# --- submissions --------------------------------------------------------------------------------------


@router.get("/submit", responses=page(303, 401), summary="Submission form")
def submit_form(request: Request, user: RequireUser) -> Response:
    return render(request, "submit.html")


@router.post(
    "/submit",
    dependencies=[LOGIN, CSRF],
    responses={**FORM, **page(400, 429, 503)},
    summary="Submit an arXiv paper to today's list",
)
def submit(request: Request, user: RequireUser, paper: Annotated[str, Form(max_length=300)]) -> Response:
    try:
        view, day = actions.submit(request.app.state.store, request.app.state.settings, user, paper)
    except actions.SlowDown as exc:
        response = render(request, "submit.html", error=str(exc), paper=paper, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except actions.CommunityError as exc:
        status = 503 if isinstance(exc, actions.ArxivUnavailable) else 400
        listed = exc if isinstance(exc, AlreadyListed) else None  # link to the paper and its day
        return render(request, "submit.html", error=str(exc), paper=paper, listed=listed, status_code=status)
    cache.clear(request)
    flash(request, f"Thanks! {view.id} is on the list of {day}.")
    return RedirectResponse(f"/papers/date/{day}#paper-{view.id}", status_code=303)


# --- collections --------------------------------------------------------------------------------------


@router.post(
    "/collections",
    dependencies=[LOGIN, CSRF],
    responses=FORM,
    summary="Create a collection (optionally with a first paper)",
)
def create_collection(
    request: Request,
    user: RequireUser,
    name: Annotated[str, Form(max_length=200)],
    is_public: Annotated[bool, Form()] = False,
    description: Annotated[str, Form(max_length=2000)] = "",
    paper_id: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    store = request.app.state.store
    try:
        coll = collection_actions.create_collection(
            store, user, name=name, description=description, public=is_public, paper_id=paper_id or None
        )
    except store_collections.CollectionError as exc:
        flash(request, str(exc), "error")
        return _back(request, f"/users/{user.username}")
    flash(request, f"Collection “{coll.name}” created" + (" with this paper." if paper_id else "."))
    return _back(request, f"/collections/{coll.id}") if paper_id else RedirectResponse(f"/collections/{coll.id}", 303)


@router.post(
    "/collections/add", dependencies=[LOGIN, CSRF], responses=FORM, summary="Add a paper to one of your collections"
)
def add_to_collection(
    request: Request,
    user: RequireUser,
    collection_id: FormId,
    paper_id: Annotated[str, Form(max_length=100)],
) -> Response:
    coll, added = collection_actions.add_to_collection(request.app.state.store, user, collection_id, paper_id)
    cache.clear(request)  # its page and feed
    flash(request, f"Added to “{coll.name}”." if added else f"Already in “{coll.name}”.")
    return _back(request, f"/collections/{coll.id}")


@router.post(
    "/collections/{collection_id}/remove",
    dependencies=[LOGIN, CSRF],
    responses=FORM,
    summary="Remove a paper from a collection",
)
def remove_from_collection(
    request: Request, user: RequireUser, collection_id: DbId, paper_id: Annotated[str, Form(max_length=100)]
) -> Response:
    coll, removed = collection_actions.remove_from_collection(request.app.state.store, user, collection_id, paper_id)
    cache.clear(request)
    if removed:
        flash(request, f"Removed {paper_id} from “{coll.name}”.")
    return RedirectResponse(f"/collections/{coll.id}", status_code=303)


@router.post(
    "/collections/{collection_id}/edit",
    dependencies=[LOGIN, CSRF],
    responses=FORM,
    summary="Rename or publish a collection",
)
def edit_collection(
    request: Request,
    user: RequireUser,
    collection_id: DbId,
    name: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=2000)] = "",
    is_public: Annotated[bool, Form()] = False,
) -> Response:
    store = request.app.state.store
    try:
        collection_actions.edit_collection(
            store, user, collection_id, name=name, description=description, public=is_public
        )
    except store_collections.CollectionError as exc:
        flash(request, str(exc), "error")
    else:
        cache.clear(request)  # a collection made private leaves anonymous readers' cached page at once
        flash(request, "Saved.")
    return RedirectResponse(f"/collections/{collection_id}", status_code=303)


@router.post(
    "/collections/{collection_id}/delete", dependencies=[LOGIN, CSRF], responses=FORM, summary="Delete a collection"
)
def delete_collection(request: Request, user: RequireUser, collection_id: DbId) -> Response:
    coll = collection_actions.delete_collection(request.app.state.store, user, collection_id)
    cache.clear(request)
    flash(request, f"Deleted the collection “{coll.name}”.")
    return RedirectResponse(f"/users/{user.username}", status_code=303)


@router.get(
    "/collections/{collection_ref}",
    responses={**content("text/html", "application/x-bibtex", "application/json"), **page(404, 422)},
    summary="A collection (add .bib or .json to export it)",
)
@cache.cached_page  # anonymous readers of a public collection: the page cache, ETag and Last-Modified
def show_collection(request: Request, user: CurrentUser, collection_ref: str) -> Response:
    base, _, ext = collection_ref.partition(".")
    if not base.isdigit() or len(base) > 10 or int(base) > MAX_DB_ID or ext not in ("", "bib", "json"):
        raise HTTPException(404, "no such collection")
    coll, papers = collection_actions.collection_papers(request.app.state.store, int(base), user, cards=not ext)
    with request.app.state.store.read() as conn:
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
    feeds = feed_links(f"/feeds/collection/{coll.id}", f"Collection: {coll.name}") if coll.is_public else []
    return render(request, "collection.html", collection=coll, papers=papers, votes=votes, feeds=feeds)


# --- moderation (each action is recorded in the moderation log, /admin/log) ----------------------------

Reason = Annotated[str, Form(max_length=500, description="Why, kept in the moderation log")]


@router.post(
    "/admin/papers/{paper_id:path}/hide",
    dependencies=[LOGIN, CSRF],
    responses={**FORM, **page(400)},
    summary="Admin: hide or unhide a paper",
)
def hide_paper(
    request: Request, admin: RequireAdmin, paper_id: str, hidden: Annotated[bool, Form()] = True, reason: Reason = ""
) -> Response:
    try:
        actions.hide_paper(request.app.state.store, paper_id, hidden, actor=admin.username, reason=reason)
    except actions.CommunityError as exc:
        raise HTTPException(400, str(exc)) from None
    cache.clear(request)
    flash(request, f"Paper {paper_id} is now {'hidden' if hidden else 'visible'}.")
    return _back(request, f"/papers/{paper_id}")  # the paper's page, or the list of hidden ones (/admin/hidden)


@router.post(
    "/admin/papers/{paper_id:path}/feature", dependencies=[LOGIN, CSRF], responses=FORM, summary="Admin: pick for today"
)
def feature_paper(request: Request, admin: RequireAdmin, paper_id: str, reason: Reason = "") -> Response:
    try:
        view, day = actions.feature(request.app.state.store, paper_id, by=admin.username, reason=reason)
    except actions.CommunityError as exc:
        flash(request, str(exc), "error")
        with request.app.state.store.read() as conn:
            return RedirectResponse(f"/papers/{actions.visible_paper(conn, paper_id).id}", status_code=303)
    cache.clear(request)
    flash(request, f"{view.id} is on today's list.")
    return RedirectResponse(f"/papers/date/{day}#paper-{view.id}", status_code=303)


@router.post(
    "/admin/papers/{paper_id:path}/unfeature",
    dependencies=[LOGIN, CSRF],
    responses=page(303, 401, 403, 404, 422),
    summary="Admin: take a pick or a submission off a day's list",
)
def unfeature_paper(
    request: Request,
    admin: RequireAdmin,
    paper_id: str,
    day: Annotated[date, Form(description="The list to take it off (YYYY-MM-DD)")],
    reason: Reason = "",
) -> Response:
    try:
        view = actions.unfeature(request.app.state.store, paper_id, day, actor=admin.username, reason=reason)
    except actions.CommunityError as exc:  # not on that list, or listed by an import
        flash(request, str(exc), "error")
        return _back(request, f"/papers/{paper_id}")
    cache.clear(request)
    flash(request, f"{view.id} is off the list of {day:%d %b %Y}.")
    return RedirectResponse(f"/papers/{view.id}", status_code=303)


@router.post(
    "/admin/comments/{comment_id}/hide",
    dependencies=[LOGIN, CSRF],
    responses={**FORM, **page(400)},
    summary="Admin: hide or unhide a comment",
)
def hide_comment(
    request: Request, admin: RequireAdmin, comment_id: DbId, hidden: Annotated[bool, Form()] = True, reason: Reason = ""
) -> Response:
    try:
        actions.hide_comment(request.app.state.store, comment_id, hidden, actor=admin.username, reason=reason)
    except actions.CommunityError as exc:
        raise HTTPException(400, str(exc)) from None
    cache.clear(request)
    flash(request, f"Comment {comment_id} is now {'hidden' if hidden else 'visible'}.")
    return _back(request, "/")


@router.post(
    "/admin/users/{username}/ban",
    dependencies=[LOGIN, CSRF],
    responses={**FORM, **page(400)},
    summary="Admin: ban or unban a user (and hide their comments); not another admin",
)
def ban_user(
    request: Request,
    admin: RequireAdmin,
    username: str,
    banned: Annotated[bool, Form()] = True,
    hide_comments: Annotated[bool, Form()] = False,
    reason: Reason = "",
) -> Response:
    try:
        target, hidden = actions.ban(
            request.app.state.store, username, banned, by=admin, reason=reason, hide_comments=hide_comments
        )
    except actions.NotYours:  # another admin: the shell's to do (403, the reason on the page)
        raise
    except actions.CommunityError as exc:
        raise HTTPException(400, str(exc)) from None
    cache.clear(request)
    said = f"{target.username} is {'banned' if banned else 'no longer banned'}"
    if hide_comments:
        said += f"; {len(hidden)} comment{'' if len(hidden) == 1 else 's'} of theirs hidden"
    flash(request, said + ".")
    return RedirectResponse(f"/users/{target.username}", status_code=303)


LOG_PAGE = 50  # entries a page of /admin/log


@router.get("/admin/log", responses=page(303, 401, 403, 422), summary="Admin: the moderation log, newest first")
def moderation_log(
    request: Request,
    admin: RequireAdmin,
    p: Annotated[int, Query(ge=1, le=100_000, description="Page number")] = 1,
) -> Response:
    entries, total = actions.moderation_log(request.app.state.store, limit=LOG_PAGE, offset=(p - 1) * LOG_PAGE)
    pages = max(1, -(-total // LOG_PAGE))
    return render(request, "admin_log.html", entries=entries, total=total, page=p, pages=pages)
