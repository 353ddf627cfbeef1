"""The "for you" page and follow/unfollow forms (docs/recommend.md). Every POST checks CSRF.

"More like this" on a card is an upvote (the positive signal); "Not interested" is the -1 vote of
``/papers/{id}/vote``. Both are handled by ``web.community``; this module reads the ranking and keeps
follows.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..http.auth import CSRF, LOGIN, RequireUser, local_path, wants_json
from ..http.openapi import page
from ..rank import trending as rank_trending
from ..rank.recommend import MAX_DAYS, for_you
from ..store import cards as store_cards
from ..store import community
from ..store import follows as store_follows
from .render import flash, render

router = APIRouter()
ONBOARDING_PAPERS = 8
SUGGESTED_AUTHORS = 10


def follow_state(request: Request, user, kind: str, value: str) -> bool:
    """Whether the signed-in ``user`` follows ``value`` (False when signed out): for follow buttons."""
    if user is None:
        return False
    with request.app.state.store.read() as conn:
        return store_follows.is_following(conn, user_id=user.id, kind=kind, value=value)


def _onboarding(request: Request, user) -> dict:
    """Trending papers to pick from and authors to follow, for a user the model knows nothing about yet."""
    s = request.app.state.settings
    with request.app.state.store.read() as conn:
        ranked = rank_trending.trending(conn, gravity=s.trending_gravity, window_days=s.trending_window_days)
        papers = store_cards.cards(conn, [t.paper_id for t in ranked[: ONBOARDING_PAPERS * 3]])
        votes = community.user_votes(conn, user.id, [p.id for p in papers])
        followed = {f.value.lower() for f in store_follows.follows_of(conn, user.id) if f.kind == "author"}
    papers = [p for p in papers if p.id not in votes][:ONBOARDING_PAPERS]
    counts = Counter(a for p in papers for a in p.authors[:3] if a.lower() not in followed)
    authors = [a for a, _ in counts.most_common(SUGGESTED_AUTHORS)]
    return {"trending": papers, "suggested_authors": authors}


@router.get(
    "/for-you", response_class=HTMLResponse, responses=page(303, 401, 422), summary="Papers for you (sign-in required)"
)
def for_you_page(
    request: Request, user: RequireUser, days: Annotated[int | None, Query(ge=1, le=MAX_DAYS)] = None
) -> HTMLResponse:
    s = request.app.state.settings
    page = for_you(request.app.state.store, s, user.id, limit=s.page_items, days=days, cards=True)
    with request.app.state.store.read() as conn:
        follows = store_follows.follows_of(conn, user.id)
        votes = community.user_votes(conn, user.id, [p.paper.id for p in page.picks])
    return render(
        request,
        "foryou.html",
        page=page,
        follows=follows,
        votes=votes,
        days=days or s.recommend_days,
        onboarding=_onboarding(request, user) if page.cold_start else None,
    )


def _follow_response(request: Request, kind: str, value: str, following: bool, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"kind": kind, "value": value, "following": following})
    flash(request, message)
    back = local_path(request.headers.get("referer"), host=request.headers.get("host"), default="/for-you")
    return RedirectResponse(back, status_code=303)


# the follow as JSON to a client that accepts it; a browser goes back to the page (303)
FOLLOW = page(303, 400, 401, 403, 422)


@router.post("/follows", dependencies=[LOGIN, CSRF], responses=FOLLOW, summary="Follow an author or a category")
def follow(
    request: Request,
    user: RequireUser,
    kind: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=1000)],
) -> Response:
    with request.app.state.store.transaction() as conn:
        name, _ = store_follows.follow(conn, user_id=user.id, kind=kind, value=value)
    whose = "their" if kind == "author" else "its"
    return _follow_response(
        request, kind, name, True, f"You follow {name} now: “For you” will put {whose} new papers first."
    )


@router.post(
    "/follows/remove", dependencies=[LOGIN, CSRF], responses=FOLLOW, summary="Stop following an author or a category"
)
def unfollow(
    request: Request,
    user: RequireUser,
    kind: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=1000)],
) -> Response:
    with request.app.state.store.transaction() as conn:
        store_follows.unfollow(conn, user_id=user.id, kind=kind, value=value)
    return _follow_response(request, kind, " ".join(value.split()), False, f"You no longer follow {value.strip()}.")
