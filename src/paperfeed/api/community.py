"""paperfeed's own API: votes, comments, collections, submissions (``/api/...``, included by ``api.routes``).

Writing needs a signed-in user: an API token (``Authorization: Bearer pf_...``, created on the profile
page) or a session cookie plus the ``X-CSRF-Token`` header. No user -> 401, missing CSRF header -> 403;
someone else's private collection is indistinguishable from a missing one (404). The actions are the
same store calls the pages make (``web.community``), so both surfaces behave alike.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request, Response

from ..ids import parse_arxiv_id
from ..store import collections as store_collections
from ..store import community as store_community
from ..store import papers as store_papers
from ..store import users as store_users
from ..web import cache
from ..web.auth import CSRF, LOGIN, CurrentUser, LoginRequired, RequireUser
from ..web.community import cast_vote, own_collection, paper_or_404, submit_paper
from .schemas import (
    CollectionDetail,
    CollectionIn,
    CollectionOut,
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
    view = cast_vote(request, user, paper_id, value)
    return VoteOut(id=view.id, upvotes=view.upvotes, vote=value)


@router.post(
    "/papers/{paper_id:path}/vote",
    dependencies=WRITE,
    response_model=VoteOut,
    summary="Vote on a paper",
    description="`value`: 1 upvote, 0 remove your vote, -1 not interested (hidden from your recommendations). "
    "One vote per user and paper; voting again replaces it. No body means an upvote.",
)
def vote(request: Request, user: RequireUser, paper_id: str, body: VoteIn | None = None) -> VoteOut:
    return _vote(request, user, paper_id, body.value if body else 1)


@router.delete("/papers/{paper_id:path}/vote", dependencies=WRITE, response_model=VoteOut, summary="Remove your vote")
def unvote(request: Request, user: RequireUser, paper_id: str) -> VoteOut:
    return _vote(request, user, paper_id, 0)


def _comment_out(c: store_community.CommentView) -> CommentOut:
    return CommentOut(id=c.id, paper_id=c.paper_id, user=c.username, parent_id=c.parent_id, body=c.body,
                      created_at=c.created_at)  # fmt: skip


@router.get("/papers/{paper_id:path}/comments", response_model=list[CommentOut], summary="A paper's comments")
def comments(request: Request, paper_id: str) -> list[CommentOut]:
    with request.app.state.store.read() as conn:
        view = paper_or_404(conn, paper_id)
        return [_comment_out(c) for c in store_community.comments_for(conn, view.id)]


@router.post(
    "/papers/{paper_id:path}/comments",
    dependencies=WRITE,
    response_model=CommentOut,
    status_code=201,
    summary="Comment on a paper (or reply to a comment)",
)
def add_comment(request: Request, user: RequireUser, paper_id: str, body: CommentIn) -> CommentOut:
    with request.app.state.store.transaction() as conn:
        view = paper_or_404(conn, paper_id)
        cid = store_community.add_comment(
            conn, user_id=user.id, paper_id=view.id, body=body.body, parent_id=body.parent_id
        )
        made = next(c for c in store_community.comments_for(conn, view.id) if c.id == cid)
    cache.clear(request)
    return _comment_out(made)


# --- collections --------------------------------------------------------------------------------------


def _collection_out(c: store_collections.CollectionView) -> CollectionOut:
    return CollectionOut(id=c.id, name=c.name, owner=c.owner, description=c.description, public=c.is_public,
                         size=c.size, created_at=c.created_at)  # fmt: skip


@router.get(
    "/collections",
    response_model=list[CollectionOut],
    summary="Collections: yours, or another user's public ones",
    description="Without `user`: your own collections, private ones included (needs authentication).",
)
def collections(
    request: Request, viewer: CurrentUser, user: str | None = Query(None, max_length=100)
) -> list[CollectionOut]:
    with request.app.state.store.read() as conn:
        if user is None:
            if viewer is None:
                raise LoginRequired()
            owner = viewer
        else:
            owner = store_users.get_user_by_name(conn, user)
            if owner is None:
                raise HTTPException(404, f"No user {user[:40]!r}")
        found = store_collections.for_user(conn, owner.id, viewer_id=viewer.id if viewer else None)
    return [_collection_out(c) for c in found]


@router.post(
    "/collections", dependencies=WRITE, response_model=CollectionOut, status_code=201, summary="Create a collection"
)
def create_collection(request: Request, user: RequireUser, body: CollectionIn) -> CollectionOut:
    with request.app.state.store.transaction() as conn:
        first = paper_or_404(conn, body.paper).id if body.paper else None
        cid = store_collections.create(
            conn, user_id=user.id, name=body.name, description=body.description, is_public=body.public
        )
        if first:
            store_collections.add_paper(conn, cid, first)
        return _collection_out(store_collections.get(conn, cid, viewer_id=user.id))


@router.get(
    "/collections/{collection_id}",
    response_model=CollectionDetail,
    response_model_exclude_none=True,
    summary="A collection and its papers (in the HF paper shape)",
)
def collection(request: Request, viewer: CurrentUser, collection_id: int) -> CollectionDetail:
    with request.app.state.store.read() as conn:
        coll = store_collections.get(conn, collection_id, viewer_id=viewer.id if viewer else None)
        if coll is None:  # someone else's private collection looks like a missing one
            raise HTTPException(404, "no such collection")
        ids = store_collections.paper_ids(conn, coll.id)
        papers = [p for p in store_papers.get_papers(conn, ids) if not p.hidden]
    out = _collection_out(coll).model_dump()
    return CollectionDetail(**out, papers=[hf_paper(p) for p in papers])


@router.delete("/collections/{collection_id}", dependencies=WRITE, status_code=204, summary="Delete a collection")
def delete_collection(request: Request, user: RequireUser, collection_id: int) -> Response:
    with request.app.state.store.transaction() as conn:
        store_collections.remove(conn, own_collection(conn, collection_id, user).id)
    return Response(status_code=204)


@router.post(
    "/collections/{collection_id}/papers/{paper_id:path}",
    dependencies=WRITE,
    response_model=CollectionOut,
    summary="Add a paper to your collection",
)
def add_to_collection(request: Request, user: RequireUser, collection_id: int, paper_id: str) -> CollectionOut:
    with request.app.state.store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        store_collections.add_paper(conn, coll.id, paper_or_404(conn, paper_id).id)
        return _collection_out(store_collections.get(conn, coll.id, viewer_id=user.id))


@router.delete(
    "/collections/{collection_id}/papers/{paper_id:path}",
    dependencies=WRITE,
    response_model=CollectionOut,
    summary="Remove a paper from your collection",
)
def remove_from_collection(request: Request, user: RequireUser, collection_id: int, paper_id: str) -> CollectionOut:
    with request.app.state.store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        parsed = parse_arxiv_id(paper_id)
        if not store_collections.remove_paper(conn, coll.id, parsed[0] if parsed else paper_id):
            raise HTTPException(404, f"{paper_id[:80]!r} is not in this collection")
        return _collection_out(store_collections.get(conn, coll.id, viewer_id=user.id))


# --- submissions --------------------------------------------------------------------------------------


@router.post(
    "/submit",
    dependencies=WRITE,
    response_model=SubmitOut,
    response_model_exclude_none=True,
    status_code=201,
    summary="Submit an arXiv paper to today's list",
    description="Looks the paper up on arXiv when this server does not have it yet. A paper already on a "
    "daily list is refused (400).",
)
def submit(request: Request, user: RequireUser, body: SubmitIn) -> SubmitOut:
    paper_id, day = submit_paper(request, user, body.paper)
    with request.app.state.store.read() as conn:
        view = store_papers.get_paper(conn, paper_id)
    return SubmitOut(id=paper_id, date=day, paper=hf_paper(view))
