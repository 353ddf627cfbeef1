"""``GET /api/for-you`` and ``/api/follows``: the recommendations and follows of the signed-in user.

Authentication as in ``api.community``: an API token (``Authorization: Bearer pf_...``) or a session
cookie (plus ``X-CSRF-Token`` to write). No user -> 401. "Not interested" is ``POST /api/papers/{id}/vote``
with ``{"value": -1}``; "more like this" is an upvote.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from ..http.auth import CSRF, LOGIN, RequireUser
from ..http.openapi import api
from ..index.embed import model_key
from ..rank.recommend import MAX_DAYS, MAX_LIMIT, for_you
from ..store import follows as store_follows
from .schemas import ApiIn, HFPaper, UtcTime
from .shape import hf_paper

router = APIRouter(tags=["paperfeed"])
WRITE = [LOGIN, CSRF]


class PickOut(HFPaper):
    reasons: list[str] = Field(description="Why this paper: the signals it is close to or comes from")
    score: float = Field(description="The ranking score (model score in standard deviations plus follow boosts)")


class ModelOut(BaseModel):
    cold_start: bool = Field(description="True: no upvote or save yet; picks follow your follows and popularity")
    embedding_model: str
    trained_at: UtcTime | None = Field(None, description="When the model was trained (absent at cold start)")
    positives: int
    negatives: int
    since: str | None = Field(None, description="First day of the papers ranked (YYYY-MM-DD)")
    until: str | None = Field(None, description="Last day of the papers ranked")


class ForYouOut(BaseModel):
    papers: list[PickOut]
    model: ModelOut


class FollowIn(ApiIn):
    kind: Literal["author", "category"]
    value: str = Field(max_length=1000, description="An author's name or an arXiv category, as on paper pages")


class FollowOut(BaseModel):
    kind: str
    value: str
    created_at: UtcTime | None = None
    following: bool = True


@router.get(
    "/for-you",
    response_model=ForYouOut,
    response_model_exclude_none=True,
    summary="Recent papers ranked for you, with the reasons",
    description="New papers of the last `days` days (default: the server's `recommend_days`), never one you "
    "voted on, saved or got in a digest. Needs authentication.",
)
def get_for_you(
    request: Request,
    user: RequireUser,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 30,
    days: Annotated[int | None, Query(ge=1, le=MAX_DAYS)] = None,
) -> ForYouOut:
    page = for_you(request.app.state.store, request.app.state.settings, user.id, limit=limit, days=days)
    papers = [
        PickOut.model_validate({**hf_paper(p.paper).model_dump(by_alias=True), "reasons": p.reasons,
                                "score": p.score}, strict=False)
        for p in page.picks
    ]  # fmt: skip
    model = ModelOut(
        cold_start=page.cold_start, trained_at=page.trained_at,
        embedding_model=model_key(request.app.state.settings.embed_model),
        positives=page.positives, negatives=page.negatives,
        since=page.since.isoformat() if page.since else None, until=page.until.isoformat() if page.until else None,
    )  # fmt: skip
    return ForYouOut(papers=papers, model=model)


@router.get("/follows", response_model=list[FollowOut], summary="The authors and categories you follow")
def list_follows(request: Request, user: RequireUser) -> list[FollowOut]:
    with request.app.state.store.read() as conn:
        return [FollowOut(kind=f.kind, value=f.value, created_at=f.created_at)
                for f in store_follows.follows_of(conn, user.id)]  # fmt: skip


@router.post(
    "/follows",
    dependencies=WRITE,
    response_model=FollowOut,
    status_code=201,
    responses={200: {"description": "Already followed", "model": FollowOut}, **api(400, 403)},
    summary="Follow an author or a category",
    description="400 when this server has no paper by that author or in that category. Following again is "
    "harmless (200).",
)
def add_follow(request: Request, response: Response, user: RequireUser, body: FollowIn) -> FollowOut:
    with request.app.state.store.transaction() as conn:
        name, new = store_follows.follow(conn, user_id=user.id, kind=body.kind, value=body.value)
    if not new:
        response.status_code = 200
    return FollowOut(kind=body.kind, value=name)


@router.delete(
    "/follows",
    dependencies=WRITE,
    response_model=FollowOut,
    responses=api(400, 403, 404),
    summary="Stop following an author or a category",
    description="404 when you did not follow it.",
)
def remove_follow(
    request: Request,
    user: RequireUser,
    kind: Annotated[Literal["author", "category"], Query()],
    value: Annotated[str, Query(max_length=1000)],
) -> FollowOut:
    with request.app.state.store.transaction() as conn:
        if not store_follows.unfollow(conn, user_id=user.id, kind=kind, value=value):
            raise HTTPException(404, f"you do not follow {value[:80]!r}")
    return FollowOut(kind=kind, value=" ".join(value.split()), following=False)
