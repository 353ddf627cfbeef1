"""Papers in Hugging Face's shape: ``PaperView`` -> ``HFPaper`` / ``HFDailyItem``.

HF identifies authors, users and discussions by 24-hex-digit ids; paperfeed has no such objects, so
their ``_id`` is a hash of what they stand for (paper and author position, user name, paper): the same
on every request and every server.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta

from ..ids import arxiv_month
from ..store.papers import FeaturedDay, PaperView
from .schemas import HFAuthor, HFDailyItem, HFPaper, HFUser


def synth_id(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]


def timestamp(value: datetime | date) -> str:
    """HF's timestamp format: UTC, milliseconds, ``Z``."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), UTC)
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def hf_user(username: str) -> HFUser:
    """A user as HF's paper objects embed it (daily items leave out ``user``)."""
    return HFUser(id_=synth_id("user", username), name=username, fullname=username, user=username,
                  type="user", isPro=False)  # fmt: skip


def featuring(view: PaperView, within: tuple[date, date] | None = None) -> FeaturedDay | None:
    """The paper's last featuring ``within`` a listed period, else its first (when it reached a list)."""
    if within is not None:
        inside = [f for f in view.featured if within[0] <= f.day <= within[1]]
        if inside:
            return inside[-1]
    return view.featured[0] if view.featured else None


def _published(view: PaperView) -> str:
    """The same on every endpoint (as HF's): the paper's date, not the day a list featured it. A paper known
    only from a listing (an RSS replacement or cross-list of an old paper) is dated by its arXiv id's month
    when its day is not in it (or the next): the day it reached this site is not when it came out."""
    if view.published_at is not None:
        return timestamp(view.published_at)
    day, month = view.day, arxiv_month(view.id)
    if month is not None and (day is None or not month <= day < month + timedelta(days=62)):
        day = month
    return timestamp(day or view.updated_at or datetime.now(UTC))


def hf_paper(view: PaperView, *, within: tuple[date, date] | None = None) -> HFPaper:
    f = featuring(view, within)
    return HFPaper(
        id=view.id,
        title=view.title,
        summary=view.abstract,
        authors=[
            HFAuthor(id_=synth_id("author", view.id, n), name=a, hidden=False) for n, a in enumerate(view.authors)
        ],
        publishedAt=_published(view),
        upvotes=view.upvotes,
        discussionId=synth_id("discussion", view.id),
        ai_keywords=list(view.keywords or view.keyphrases),  # HF's own when imported, else extracted
        ai_summary=view.summary or None,  # one sentence made by the index job (index/summaries.py), no LLM
        submittedOnDailyAt=timestamp(f.day) if f else None,
        submittedOnDailyBy=hf_user(f.submitted_by) if f and f.submitted_by else None,
        githubRepo=view.code_url,
        projectPage=view.project_url,
        numComments=view.num_comments,
        withdrawn=view.withdrawn or None,
    )


def hf_item(view: PaperView, *, within: tuple[date, date] | None = None) -> HFDailyItem:
    paper = hf_paper(view, within=within)
    return HFDailyItem(
        paper=paper,
        title=paper.title,
        summary=paper.summary,
        publishedAt=paper.publishedAt,
        numComments=view.num_comments,
        isAuthorParticipating=False,  # paperfeed does not link accounts to authors
        submittedBy=paper.submittedOnDailyBy.model_copy(update={"user": None}) if paper.submittedOnDailyBy else None,
    )
