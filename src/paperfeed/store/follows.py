"""Followed authors and categories: a signal for "for you" and a reason shown beside a pick.

A follow names something this server has papers of: an author is stored with the spelling its papers
use (matched case-insensitively), a category as arXiv writes it (``cs.LG``). Anything else is refused
with a ``FollowError`` that says why (the web and API answer 400).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.exc import IntegrityError

from ..errors import PaperfeedError
from ..ids import author_key
from .models import follows, paper_authors, paper_categories

KINDS = ("author", "category")
MAX_VALUE_CHARS = 300
MAX_FOLLOWS = 500  # per user
_CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FollowError(PaperfeedError):
    """A refused follow (unknown author, bad category, too long...): the message is shown as is."""


@dataclass(frozen=True)
class FollowView:
    kind: str
    value: str
    created_at: datetime


def check(kind: str, value: str | None) -> tuple[str, str]:
    """``(kind, value)`` cleaned (one line, spaces collapsed), or ``FollowError``."""
    if kind not in KINDS:
        raise FollowError(f"you can follow an {' or a '.join(KINDS)}, not {str(kind)[:20]!r}")
    value = value or ""
    if _CONTROL.search(value):
        raise FollowError("a followed name is one line, without control characters")
    value = " ".join(value.split())
    if not value:
        raise FollowError(f"name the {kind} to follow")
    if len(value) > MAX_VALUE_CHARS:
        raise FollowError(f"a followed {kind} is at most {MAX_VALUE_CHARS} characters")
    if kind == "category" and not _CATEGORY.match(value):
        raise FollowError(f"{value[:80]!r} is not an arXiv category (like cs.LG)")
    return kind, value


def _canonical(conn: Connection, kind: str, value: str) -> str | None:
    """The spelling this server's papers use, or None when no paper has that author or category."""
    if kind == "author":
        q = select(paper_authors.c.name).where(paper_authors.c.name_key == author_key(value))
    else:
        q = select(paper_categories.c.category).where(func.lower(paper_categories.c.category) == value.lower())
    return conn.execute(q.limit(1)).scalar()


def follow(conn: Connection, *, user_id: int, kind: str, value: str, now: datetime | None = None) -> tuple[str, bool]:
    """Follow an author or category: ``(stored value, newly followed)``; ``FollowError`` when unknown."""
    kind, value = check(kind, value)
    name = _canonical(conn, kind, value)
    if name is None:
        what = f"no papers by {value[:80]!r}" if kind == "author" else f"no papers in {value[:40]!r}"
        raise FollowError(f"{what} here: nothing to follow")
    if is_following(conn, user_id=user_id, kind=kind, value=name):
        return name, False
    count = conn.execute(select(func.count()).where(follows.c.user_id == user_id)).scalar_one()
    if count >= MAX_FOLLOWS:
        raise FollowError(f"you follow {MAX_FOLLOWS} authors and categories already: unfollow some first")
    try:
        with conn.begin_nested():
            conn.execute(
                follows.insert().values(user_id=user_id, kind=kind, value=name, created_at=now or datetime.now(UTC))
            )
    except IntegrityError:  # a concurrent request followed first
        return name, False
    return name, True


def unfollow(conn: Connection, *, user_id: int, kind: str, value: str) -> bool:
    """Stop following (case-insensitive); False when it was not followed."""
    kind, value = check(kind, value)
    q = delete(follows).where(
        follows.c.user_id == user_id, follows.c.kind == kind, func.lower(follows.c.value) == value.lower()
    )
    return conn.execute(q).rowcount > 0


def is_following(conn: Connection, *, user_id: int, kind: str, value: str) -> bool:
    q = select(follows.c.value).where(
        follows.c.user_id == user_id, follows.c.kind == kind, func.lower(follows.c.value) == (value or "").lower()
    )
    return conn.execute(q.limit(1)).first() is not None


def follows_of(conn: Connection, user_id: int) -> list[FollowView]:
    """The user's follows: authors first, then categories, each alphabetical."""
    q = select(follows.c.kind, follows.c.value, follows.c.created_at).where(follows.c.user_id == user_id)
    rows = conn.execute(q.order_by(follows.c.kind, func.lower(follows.c.value))).all()
    return [FollowView(k, v, c) for k, v, c in rows]
