"""``GET /api/papers/{id}/similar``: papers like this one, as a whole or by facet (background, method,
result), in the Hugging Face paper shape plus the score and the reason (docs/search.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field

from ..actions.community import visible_paper
from ..http.cache import cached_json
from ..http.openapi import api
from ..store import papers as store_papers
from .schemas import HFPaper
from .shape import hf_paper

router = APIRouter(tags=["paperfeed"])


class SimilarOut(HFPaper):
    score: float = Field(description="Similarity score (standardised over the candidates; higher is closer)")
    why: str = Field(description='Why it is listed, e.g. "similar method + similar topic + shared terms"')


@router.get(
    "/papers/{paper_id:path}/similar",
    response_model=list[SimilarOut],
    response_model_exclude_none=True,
    responses=api(404),
    summary="Similar papers, as a whole or by facet",
    description="Papers like this one, most similar first (never itself, its duplicates or hidden papers). "
    "`facet=background` (what they set out to do), `method` (how they do it) or `result` (what they find) "
    "ranks them by that facet's sentences as well; without it, by the whole paper. 404 for an unknown paper, "
    "422 for another facet.",
)
@cached_json(list[SimilarOut])
def similar(
    request: Request,
    paper_id: str,
    facet: Annotated[
        Literal["background", "method", "result"] | None, Query(description="background, method or result")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50, description="How many papers")] = 10,
) -> list[SimilarOut]:
    from ..rank.similar import similar as find_similar  # loaded on first use: the search stack is large

    store = request.app.state.store
    with store.read() as conn:
        view = visible_paper(conn, paper_id)
    hits = find_similar(store, request.app.state.settings, view.id, limit=limit, facet=facet)
    with store.read() as conn:
        views = {v.id: v for v in store_papers.get_papers(conn, [h.paper_id for h in hits])}
    return [
        SimilarOut.model_validate(
            {**hf_paper(views[h.paper_id]).model_dump(by_alias=True), "score": h.score, "why": h.why}, strict=False
        )
        for h in hits
        if h.paper_id in views and not views[h.paper_id].hidden
    ]
