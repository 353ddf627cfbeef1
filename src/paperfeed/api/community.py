"""paperfeed's own API: votes, comments, collections, submissions (``/api/...``, included by ``api.routes``).

Writing needs a signed-in user: an API token (``Authorization: Bearer pf_...``, created on the profile
page) or a session cookie plus the ``X-CSRF-Token`` header. No user -> 401, missing CSRF header -> 403;
someone else's private collection is indistinguishable from a missing one (404). The actions are
``actions.community``'s and ``actions.collections``', the same the pages, the CLI and MCP call, so every
surface behaves alike.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request, Response

from ..actions import collections as collection_actions
from ..actions import comment_edits
from ..actions import community as actions
from ..http import cache
from ..http.auth import CSRF, LOGIN, CurrentUser, LoginRequired, RequireUser
from ..http.openapi import api
from ..http.params import DbId
from ..store import collections as store_collections
from ..store import community as store_community
from .schemas import (
    CollectionDetail,
    CollectionIn,
    CollectionOut,
    CommentEditIn,
    CommentIn,
    CommentOut,
    SubmitIn,
    SubmitOut,
    VoteIn,
    VoteOut,
)
from .shape import hf_paper

router = APIRouter(tags=["paperfeed"])
WRITE = [LOGIN, CSRF]  # in this order: no user is 401 before a missing CSRF header is 403


def _vote(request: Request, user, paper_id: str, value: int) -> VoteOut:
    view = actions.vote(request.app.state.store, user, paper_id, value)
    cache.clear(request)
    return VoteOut(id=view.id, upvotes=view.upvotes, vote=value)


@router.post(
    "/papers/{paper_id:path}/vote",
    dependencies=WRITE,
    response_model=VoteOut,
    responses=api(400, 403, 404),  # 400: a body that is not UTF-8 JSON
    summary="Vote on a paper",
    description="`value`: 1 upvote, 0 remove your vote, -1 not interested (hidden from your recommendations). "
    "One vote per user and paper; voting again replaces it. No body means an upvote.",
)
def vote(request: Request, user: RequireUser, paper_id: str, body: VoteIn | None = None) -> VoteOut:
    return _vote(request, user, paper_id, body.value if body else 1)


@router.delete(
    "/papers/{paper_id:path}/vote",
    dependencies=WRITE,
    response_model=VoteOut,
    responses=api(403, 404),
    summary="Remove your vote",
)
def unvote(request: Request, user: RequireUser, paper_id: str) -> VoteOut:
    return _vote(request, user, paper_id, 0)


def _comment_out(c: store_community.CommentView) -> CommentOut:
    return CommentOut(id=c.id, paper_id=c.paper_id, user=c.username, parent_id=c.parent_id, body=c.body,
                      created_at=c.created_at, removed=c.removed, edited_at=c.edited_at)  # fmt: skip


@router.get(
    "/papers/{paper_id:path}/comments",
    response_model=list[CommentOut],
    responses=api(404),
    summary="A paper's comments",
    description="Oldest first, each reply after its parent. A comment deleted by its author or removed by a "
    "moderator that has replies stays in the list as a placeholder, so that every `parent_id` is an `id` of "
    'the list: `removed` is "deleted" or "removed", `user` is null and `body` empty. Placeholders are not '
    "counted in a paper's `numComments`; a removed comment without replies is left out.",
)
def comments(request: Request, paper_id: str) -> list[CommentOut]:
    return [_comment_out(c) for c in actions.comments(request.app.state.store, paper_id)]


@router.post(
    "/papers/{paper_id:path}/comments",
    dependencies=WRITE,
    response_model=CommentOut,
    status_code=201,
    responses=api(400, 403, 404, 429),
    summary="Comment on a paper (or reply to a comment)",
    description=f"At most {actions.COMMENTS_PER_HOUR} comments an hour per user (429 with Retry-After); a "
    "refused comment does not count.",
)
def add_comment(request: Request, user: RequireUser, paper_id: str, body: CommentIn) -> CommentOut:
    made = actions.comment(request.app.state.store, user, paper_id, body.body, body.parent_id)
    cache.clear(request)
    return _comment_out(made)


@router.patch(
    "/papers/{paper_id:path}/comments/{comment_id}",
    dependencies=WRITE,
    response_model=CommentOut,
    responses=api(400, 403, 404, 429),
    summary="Edit your own comment",
    description="The new `body` is checked as a new comment's is (400 for one that is blank). Only the author "
    "edits, within `comment_edit_hours` of posting (24 by default): 403 for someone else's comment, a comment "
    "hidden by a moderator, one with open reports (until a moderator has looked) or an older one; 404 for an "
    f"unknown or deleted one; at most {comment_edits.EDITS_PER_HOUR} edits an hour per user (429 with "
    "Retry-After). The answer's `edited_at` says when.",
)
def edit_comment(
    request: Request, user: RequireUser, paper_id: str, comment_id: DbId, body: CommentEditIn
) -> CommentOut:
    store, settings = request.app.state.store, request.app.state.settings
    edited = comment_edits.edit_comment(store, settings, user, paper_id, comment_id, body.body)
    cache.clear(request)
    return _comment_out(edited)


@router.delete(
    "/papers/{paper_id:path}/comments/{comment_id}",
    dependencies=WRITE,
    status_code=204,
    responses=api(403, 404),
    summary="Delete your own comment",
    description="Its text is gone for good. With replies it stays in the paper's comments as a placeholder "
    '(`removed`: "deleted"); without, it leaves the list. 403 for someone else\'s comment, 404 for an unknown '
    "or already deleted one.",
)
def delete_comment(request: Request, user: RequireUser, paper_id: str, comment_id: DbId) -> Response:
    actions.delete_comment(request.app.state.store, user, paper_id, comment_id)
    cache.clear(request)
    return Response(status_code=204)


# --- collections --------------------------------------------------------------------------------------


def _collection_out(c: store_collections.CollectionView) -> CollectionOut:
    return CollectionOut(id=c.id, name=c.name, owner=c.owner, description=c.description, public=c.is_public,
                         size=c.size, created_at=c.created_at)  # fmt: skip


@router.get(
    "/collections",
    response_model=list[CollectionOut],
    responses=api(404),
    summary="Collections: yours, or another user's public ones",
    description="Without `user`: your own collections, private ones included (needs authentication).",
)
def collections(
    request: Request, viewer: CurrentUser, user: str | None = Query(None, max_length=100)
) -> list[CollectionOut]:
    if user is None and viewer is None:
        raise LoginRequired()
    return [_collection_out(c) for c in collection_actions.collections_of(request.app.state.store, user, viewer)]


@router.post(
    "/collections",
    dependencies=WRITE,
    response_model=CollectionOut,
    status_code=201,
    responses=api(400, 403, 404),
    summary="Create a collection",
)
def create_collection(request: Request, user: RequireUser, body: CollectionIn) -> CollectionOut:
    coll = collection_actions.create_collection(
        request.app.state.store, user, name=body.name, description=body.description, public=body.public,
        paper_id=body.paper or None,
    )  # fmt: skip
    cache.clear(request)  # the owner's profile lists a public one
    return _collection_out(coll)


@router.get(
    "/collections/{collection_id}",
    response_model=CollectionDetail,
    response_model_exclude_none=True,
    responses=api(404),
    summary="A collection and its papers (in the HF paper shape)",
)
def collection(request: Request, viewer: CurrentUser, collection_id: DbId) -> CollectionDetail:
    coll, papers = collection_actions.collection_papers(request.app.state.store, collection_id, viewer)
    out = _collection_out(coll).model_dump()
    return CollectionDetail(**out, papers=[hf_paper(p) for p in papers])


@router.delete(
    "/collections/{collection_id}",
    dependencies=WRITE,
    status_code=204,
    responses=api(403, 404),
    summary="Delete a collection",
)
def delete_collection(request: Request, user: RequireUser, collection_id: DbId) -> Response:
    collection_actions.delete_collection(request.app.state.store, user, collection_id)
    cache.clear(request)  # this process's cached page and feed of it (others: actions' events)
    return Response(status_code=204)


@router.post(
    "/collections/{collection_id}/papers/{paper_id:path}",
    dependencies=WRITE,
    response_model=CollectionOut,
    responses=api(400, 403, 404),
    summary="Add a paper to your collection",
)
def add_to_collection(request: Request, user: RequireUser, collection_id: DbId, paper_id: str) -> CollectionOut:
    coll, _ = collection_actions.add_to_collection(request.app.state.store, user, collection_id, paper_id)
    cache.clear(request)
    return _collection_out(coll)


@router.delete(
    "/collections/{collection_id}/papers/{paper_id:path}",
    dependencies=WRITE,
    response_model=CollectionOut,
    responses=api(403, 404),
    summary="Remove a paper from your collection",
)
def remove_from_collection(request: Request, user: RequireUser, collection_id: DbId, paper_id: str) -> CollectionOut:
    coll, removed = collection_actions.remove_from_collection(request.app.state.store, user, collection_id, paper_id)
    if not removed:
        raise HTTPException(404, f"{paper_id[:80]!r} is not in this collection")
    cache.clear(request)
    return _collection_out(coll)


# --- submissions --------------------------------------------------------------------------------------


@router.post(
    "/submit",
    dependencies=WRITE,
    response_model=SubmitOut,
    response_model_exclude_none=True,
    status_code=201,
    responses=api(400, 403, 404, 429, 503),
    summary="Submit an arXiv paper to today's list",
    description="Looks the paper up on arXiv when this server does not have it yet (503 with Retry-After "
    "when arXiv does not answer, or another lookup is under way). A paper already on a daily list is "
    f"refused (400). At most {actions.SUBMISSIONS_PER_HOUR} submissions an hour per user (429 with Retry-After).",
)
def submit(request: Request, user: RequireUser, body: SubmitIn) -> SubmitOut:
    view, day = actions.submit(request.app.state.store, request.app.state.settings, user, body.paper)
    cache.clear(request)
    return SubmitOut(id=view.id, date=day.isoformat(), paper=hf_paper(view))
