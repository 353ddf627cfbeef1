"""Reports to the moderators (``/api/...``, included by ``api.routes``): a signed-in reader reports a paper or
a comment, as the report forms of the pages do (``actions.reports``). 201 for a new report; 200 when the
reader's report of it is open already, or a moderator already took the item down."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..actions import reports as actions
from ..http.auth import CSRF, LOGIN, RequireUser
from ..http.openapi import api
from ..http.params import DbId
from .schemas import ReportIn, ReportOut

router = APIRouter(tags=["paperfeed"])
WRITE = [LOGIN, CSRF]  # in this order: no user is 401 before a missing CSRF header is 403
ABOUT = (
    f"`reason`: one of {', '.join(actions.REASONS)}; `note` optional ({actions.MAX_NOTE} characters at most). "
    "One open report per reader and item: reporting it again answers `already-reported` (200). An item a "
    f"moderator already took down answers `handled` (200). At most {actions.REPORTS_PER_HOUR} reports an hour "
    "per user (429 with Retry-After)."
)


def _filed(request: Request, response: Response, user, kind: str, target: str, paper_id: str, body: ReportIn):
    filed = actions.report(request.app.state.store, user, kind, target, body.reason, body.note, paper_id=paper_id)
    if filed.status != "open":
        response.status_code = 200
    return ReportOut(id=filed.id, kind=kind, target=filed.target, paper_id=filed.paper_id, status=filed.status,
                     message=filed.message)  # fmt: skip


# the comment's route first: the paper's would take "ID/comments/7" for a paper id
@router.post(
    "/papers/{paper_id:path}/comments/{comment_id}/report",
    dependencies=WRITE,
    response_model=ReportOut,
    status_code=201,
    responses={200: {"description": "Reported already, or handled", "model": ReportOut}, **api(400, 403, 404, 429)},
    summary="Report a comment to the moderators",
    description=ABOUT + " Your own comment cannot be reported (400).",
)
def report_comment(
    request: Request, response: Response, user: RequireUser, paper_id: str, comment_id: DbId, body: ReportIn
) -> ReportOut:
    return _filed(request, response, user, "comment", str(comment_id), paper_id, body)


@router.post(
    "/papers/{paper_id:path}/report",
    dependencies=WRITE,
    response_model=ReportOut,
    status_code=201,
    responses={200: {"description": "Reported already, or handled", "model": ReportOut}, **api(400, 403, 404, 429)},
    summary="Report a paper to the moderators",
    description=ABOUT,
)
def report_paper(request: Request, response: Response, user: RequireUser, paper_id: str, body: ReportIn) -> ReportOut:
    return _filed(request, response, user, "paper", paper_id, paper_id, body)
