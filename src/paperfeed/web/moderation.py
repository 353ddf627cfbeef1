"""Readers' reports and the moderators' pages: the report forms beside a comment and on a paper page, the
queue of open reports (/admin/reports, in pages; ``?reporter=ID``: one reader's, with a button that
dismisses them all) and what is hidden (/admin/hidden). Every POST checks CSRF.

The actions are ``actions.reports``' and ``actions.community``'s, shared with the API and the CLI; a
report answers with a flash message on the paper page (also when the reader had reported it already),
never an error page for what a reader could not know."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..actions import community as community_actions
from ..actions import reports as actions
from ..http import cache
from ..http.auth import CSRF, LOGIN, RequireAdmin, RequireUser
from ..http.openapi import page
from ..http.params import MAX_DB_ID, DbId
from .render import flash, render

router = APIRouter(default_response_class=HTMLResponse)
FORM = page(303, 400, 401, 403, 404, 422, 429)

ReasonCode = Annotated[
    Literal["spam", "abuse", "off-topic", "not-a-paper"],
    Form(description="spam, abuse, off-topic or not-a-paper (not a paper / other)"),
]
Note = Annotated[str, Form(max_length=actions.MAX_NOTE, description="Anything the moderators should know")]
Reason = Annotated[str, Form(max_length=500, description="Why, kept in the moderation log")]
QUEUE_PAGE = 50  # reported items a page of /admin/reports


def _filed(request: Request, user, kind: str, target: str, paper_id: str, reason: str, note: str) -> Response:
    filed = actions.report(request.app.state.store, user, kind, target, reason, note, paper_id=paper_id)
    flash(request, filed.message)
    with request.app.state.store.read() as conn:
        try:  # back to the item; a hidden paper's page is not there for a reader: the front page then
            pid = community_actions.visible_paper(conn, filed.paper_id).id
        except actions.NotFound:
            return RedirectResponse("/", status_code=303)
    anchor = f"#comment-{filed.target}" if kind == "comment" else ""
    return RedirectResponse(f"/papers/{pid}{anchor}", status_code=303)


# the comment's route first: the paper's would take "ID/comments/7" for a paper id
@router.post(
    "/papers/{paper_id:path}/comments/{comment_id}/report",
    dependencies=[LOGIN, CSRF],
    responses=FORM,
    summary="Report a comment to the moderators",
)
def report_comment(
    request: Request, user: RequireUser, paper_id: str, comment_id: DbId, reason: ReasonCode, note: Note = ""
) -> Response:
    return _filed(request, user, "comment", str(comment_id), paper_id, reason, note)


@router.post(
    "/papers/{paper_id:path}/report",
    dependencies=[LOGIN, CSRF],
    responses=FORM,
    summary="Report a paper to the moderators",
)
def report_paper(request: Request, user: RequireUser, paper_id: str, reason: ReasonCode, note: Note = "") -> Response:
    return _filed(request, user, "paper", paper_id, paper_id, reason, note)


@router.get(
    "/admin/reports", responses=page(303, 401, 403, 404, 422), summary="Admin: open reports, by item, newest first"
)
def report_queue(
    request: Request,
    admin: RequireAdmin,
    p: Annotated[int, Query(ge=1, le=100_000, description="Page number")] = 1,
    reporter: Annotated[int | None, Query(ge=1, le=MAX_DB_ID, description="Only this reader's reports")] = None,
) -> Response:
    store = request.app.state.store
    name = actions.reporter(store, user_id=reporter)[1] if reporter is not None else None  # 404: no such user
    groups, total = actions.queue(store, limit=QUEUE_PAGE, offset=(p - 1) * QUEUE_PAGE, reporter=reporter)
    pages = max(1, -(-total // QUEUE_PAGE))
    return render(request, "admin_reports.html", groups=groups, total=total, page=p, pages=pages,
                  reporter=reporter, reporter_name=name)  # fmt: skip


@router.post(
    "/admin/reports/reporters/{user_id}/dismiss",
    dependencies=[LOGIN, CSRF],
    responses=page(303, 401, 403, 404, 422),
    summary="Admin: dismiss every open report of one reader (a flood)",
)
def dismiss_reporter(request: Request, admin: RequireAdmin, user_id: DbId, reason: Reason = "") -> Response:
    store = request.app.state.store
    _, name = actions.reporter(store, user_id=user_id)
    n = actions.dismiss_from(store, user_id, actor=admin.username, reason=reason)
    flash(request, f"{n} open report{'' if n == 1 else 's'} from {name} dismissed.")
    return RedirectResponse("/admin/reports", status_code=303)


@router.post(
    "/admin/reports/{report_id}/resolve",
    dependencies=[LOGIN, CSRF],
    responses=page(303, 401, 403, 404, 422),
    summary="Admin: hide a reported item, or dismiss its reports",
)
def resolve(
    request: Request,
    admin: RequireAdmin,
    report_id: DbId,
    action: Annotated[Literal["hide", "dismiss"], Form(description="hide the item, or dismiss its reports")],
    reason: Reason = "",
) -> Response:
    hide = action == "hide"
    try:
        kind, target = actions.resolve(request.app.state.store, report_id, hide=hide, actor=admin.username,
                                       reason=reason)  # fmt: skip
    except actions.CommunityError as exc:  # closed meanwhile (another moderator, a second click)
        flash(request, str(exc), "error")
        return RedirectResponse("/admin/reports", status_code=303)
    if hide:
        cache.clear(request)
    what = f"Paper {target}" if kind == "paper" else f"Comment {target}"
    flash(request, f"{what} is hidden; its reports are closed." if hide else f"Reports of {what.lower()} dismissed.")
    return RedirectResponse("/admin/reports", status_code=303)


@router.get("/admin/hidden", responses=page(303, 401, 403), summary="Admin: hidden papers and comments")
def hidden(request: Request, admin: RequireAdmin) -> Response:
    papers, comments = community_actions.hidden(request.app.state.store)
    return render(request, "admin_hidden.html", papers=papers, comments=comments)
