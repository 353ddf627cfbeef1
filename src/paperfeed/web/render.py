"""Rendering pages: one Jinja2 environment, the context every page gets, flash messages."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape

from ..actions.comment_edits import editable
from ..http.auth import csrf_token, current_user
from ..http.headers import shared_page_headers
from ..latex import math_to_text
from ..store import reports as store_reports
from . import meta

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["merge_query"] = lambda params, **kw: urlencode(
    {k: v for k, v in {**params, **kw}.items() if v not in (None, "")}
)


def authors_short(authors: list[str]) -> str:
    """A card's author line: all of up to four authors, else the first three and "et al." (a filter, not a
    template macro: 30 macro calls were a tenth of a list page's rendering)."""
    return ", ".join(authors) if len(authors) <= 4 else ", ".join(authors[:3]) + " et al."


def submitter(featured: list, day=None) -> str | None:
    """Who put the paper on the daily list (on ``day``; else on its first day someone did), for its card; a
    filter, not a loop in the card: the loop's state cost more than the rest of the line."""
    return next((f.submitted_by for f in featured if f.submitted_by and (day is None or f.day == day)), None)


templates.env.filters["authors_short"] = authors_short
templates.env.filters["submitter"] = submitter
templates.env.filters["math_text"] = math_to_text  # "Synth$^2$" reads "Synth²" (latex.math_to_text)
templates.env.globals["canonical_url"] = meta.canonical_url  # every page's <link rel="canonical">
templates.env.globals["scholarly_article"] = meta.scholarly_article  # a paper page's JSON-LD

_URL = re.compile(r"\bhttps?://[^\s<>\"']+")


def _url_end(url: str) -> str:
    """A sentence's punctuation after an address is not part of it; a closing bracket is when the address
    opened one (``https://en.wikipedia.org/wiki/Adam_(optimizer)``)."""
    while url and url[-1] in ".,;:!?)]'":
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def linkify(text: str) -> Markup:
    """A reader's text (comments) escaped, its http(s) addresses made links that pass no ranking and no
    window (``rel="nofollow ugc noopener"``); nothing else of it becomes markup."""
    text = text or ""
    out, last = [], 0
    for m in _URL.finditer(text):
        url = _url_end(m.group(0))
        if len(url) <= len("https://"):
            continue
        out += [escape(text[last : m.start()]), Markup('<a href="{0}" rel="nofollow ugc noopener">{0}</a>').format(url)]
        last = m.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


templates.env.filters["linkify"] = linkify


@pass_context
def comment_editable(ctx, comment) -> bool:
    """Whether a comment is still within the site's edit window (its author's "Edit" shows)."""
    return editable(ctx["request"].app.state.settings, comment.created_at)


templates.env.globals["comment_editable"] = comment_editable
templates.env.globals["report_reasons"] = store_reports.REASONS  # the report forms' choices, code -> label


def flash(request: Request, message: str, kind: str = "info") -> None:
    request.session.setdefault("flash", []).append([kind, message])


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    feeds: list | None = None,
    shared: bool = True,
    **context,
) -> HTMLResponse:
    """Render a template with the signed-in user, the CSRF token, flash messages and feed links. A signed-in
    reader's page is ``no-store``: Back shows their votes as they are, not as the browser kept the page.

    An anonymous reader's page (a GET's 200) may be kept by shared caches (``http.headers.shared_page_headers``)
    unless it is this visitor's own: a form on it carries their CSRF token (log in, sign up, subscribe), or
    ``shared`` is False (a page of a signed link)."""
    messages = request.session.pop("flash", []) if "session" in request.scope else []
    if messages:
        request.state.per_visitor = True  # this visitor's own: the page cache must not keep it
    user = current_user(request) if "session" in request.scope else None
    ctx = {
        "user": user,
        "csrf_token": (lambda: _form_token(request)) if "session" in request.scope else (lambda: ""),
        "messages": messages,
        "feeds": feeds or [],
        "site_name": request.app.state.settings.site_name,
        **context,
    }
    if user is not None and user.is_admin:  # the admins' "Reports (N)" link: one count, when a page shows it
        ctx.setdefault("open_reports", lambda: _open_reports(request))
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if user is not None or messages:
        # this reader's own page (their votes, a flash): the browser must not show a stale copy on Back
        response.headers["Cache-Control"] = "private, no-store"
    elif not shared or getattr(request.state, "form_token", False):
        response.headers["Cache-Control"] = "private"
        request.state.per_visitor = True  # nor may the page cache keep it: every hit would say `public`
    elif status_code == 200 and request.method in ("GET", "HEAD"):
        response.headers.update(shared_page_headers(request.app.state.settings.public_cache_seconds))
    return response


def _form_token(request: Request) -> str:
    """The CSRF token for a form on the page being rendered, which is then this visitor's own page."""
    request.state.form_token = True
    return csrf_token(request)


def _open_reports(request: Request) -> int:
    """How many items wait in the report queue (counted once a request: the header and the page both show it)."""
    if getattr(request.state, "open_reports", None) is None:
        with request.app.state.store.read() as conn:
            request.state.open_reports = store_reports.open_count(conn)
    return request.state.open_reports


def feed_links(kind: str, name: str, **params: str) -> list[dict]:
    """The feeds a page advertises in its ``<head>``, titled so a reader's list tells them apart."""
    query = f"?{urlencode(params)}" if params else ""
    path = {"daily": "/feeds/daily", "trending": "/feeds/trending"}.get(kind, kind)
    return [
        {"type": "application/atom+xml", "title": f"{name} (Atom)", "href": f"{path}.atom{query}"},
        {"type": "application/rss+xml", "title": f"{name} (RSS)", "href": f"{path}.rss{query}"},
    ]
