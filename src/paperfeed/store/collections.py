"""Collections: named lists of papers, public or private."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utc
from ..errors import PaperfeedError
from ..records import without_bidi_controls
from .models import collection_items, collections, papers, users


class CollectionError(PaperfeedError):
    pass


@dataclass(frozen=True)
class CollectionView:
    id: int
    user_id: int
    owner: str
    name: str
    description: str
    is_public: bool
    size: int
    created_at: datetime


def _clean_name(name: str) -> str:
    name = " ".join(without_bidi_controls(name or "").split())
    if not name or len(name) > 100:
        raise CollectionError("a collection needs a name of 1-100 characters")
    return name


def _clean_description(description: str | None) -> str:
    return without_bidi_controls(description or "").strip()[:2000]


def _query():
    size = (  # the papers it shows: a paper hidden since it was saved is not counted
        select(func.count())
        .select_from(collection_items.join(papers, papers.c.id == collection_items.c.paper_id))
        .where(collection_items.c.collection_id == collections.c.id, papers.c.hidden.is_(False))
        .correlate(collections)
        .scalar_subquery()
    )
    return select(collections, users.c.username, size.label("size")).join(users, users.c.id == collections.c.user_id)


def _view(r) -> CollectionView:
    return CollectionView(r.id, r.user_id, r.username, r.name, r.description, r.is_public, r.size, utc(r.created_at))


def create(conn: Connection, *, user_id: int, name: str, description: str = "", is_public: bool = False) -> int:
    name = _clean_name(name)
    try:
        with conn.begin_nested():
            return conn.execute(
                collections.insert()
                .values(
                    user_id=user_id,
                    name=name,
                    description=_clean_description(description),
                    is_public=is_public,
                    created_at=datetime.now(UTC),
                )
                .returning(collections.c.id)
            ).scalar_one()
    except IntegrityError:
        raise CollectionError(f"you already have a collection named “{name}”") from None


def get(conn: Connection, collection_id: int, *, viewer_id: int | None) -> CollectionView | None:
    """The collection if it exists and the viewer may see it (public, or their own); else None."""
    row = conn.execute(_query().where(collections.c.id == collection_id)).first()
    if row is None or not (row.is_public or row.user_id == viewer_id):
        return None
    return _view(row)


def for_user(conn: Connection, user_id: int, *, viewer_id: int | None) -> list[CollectionView]:
    q = _query().where(collections.c.user_id == user_id)
    if viewer_id != user_id:
        q = q.where(collections.c.is_public.is_(True))
    return [_view(r) for r in conn.execute(q.order_by(collections.c.name))]


def update_meta(conn: Connection, collection_id: int, *, name: str, description: str, is_public: bool) -> None:
    try:
        with conn.begin_nested():
            conn.execute(
                update(collections)
                .where(collections.c.id == collection_id)
                .values(name=_clean_name(name), description=_clean_description(description), is_public=is_public)
            )
    except IntegrityError:
        raise CollectionError(f"you already have a collection named “{name}”") from None


def remove(conn: Connection, collection_id: int) -> None:
    conn.execute(delete(collections).where(collections.c.id == collection_id))


def add_paper(conn: Connection, collection_id: int, paper_id: str) -> bool:
    """Add a paper; False when it was already there."""
    try:
        with conn.begin_nested():
            conn.execute(
                collection_items.insert().values(
                    collection_id=collection_id, paper_id=paper_id, added_at=datetime.now(UTC)
                )
            )
    except IntegrityError:
        return False
    return True


def remove_paper(conn: Connection, collection_id: int, paper_id: str) -> bool:
    res = conn.execute(
        delete(collection_items).where(
            collection_items.c.collection_id == collection_id, collection_items.c.paper_id == paper_id
        )
    )
    return res.rowcount > 0


def paper_ids(conn: Connection, collection_id: int) -> list[str]:
    q = (
        select(collection_items.c.paper_id)
        .where(collection_items.c.collection_id == collection_id)
        .order_by(collection_items.c.added_at.desc(), collection_items.c.paper_id)
    )
    return list(conn.execute(q).scalars())


def added_at(conn: Connection, collection_id: int) -> dict[str, datetime]:
    """When each of a collection's papers joined it (UTC)."""
    q = select(collection_items.c.paper_id, collection_items.c.added_at).where(
        collection_items.c.collection_id == collection_id
    )
    return {pid: utc(at) for pid, at in conn.execute(q)}


def saved_by(conn: Connection, user_id: int) -> list[str]:
    """Every paper in any of the user's collections (a positive signal for recommendations)."""
    q = (
        select(collection_items.c.paper_id)
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .where(collections.c.user_id == user_id)
        .distinct()
    )
    return list(conn.execute(q).scalars())
