"""Collection actions, the same for every surface: list, read, create, fill, empty, edit and delete a
user's collections.

Like ``community``'s actions, each takes the store, the acting user (or viewer) and plain values, and
answers with store views. ``NotFound`` means an unknown collection, or someone else's private one (the
two are indistinguishable), or an unknown or hidden paper; changing a public collection of someone
else's is ``NotYours``; refused input raises the store's ``CollectionError``. A change to an existing
collection is announced to every process (``store.events``), whose cached pages and feeds then expire.
"""

from __future__ import annotations

from ..ids import parse_arxiv_id
from ..store import Store, events
from ..store import cards as store_cards
from ..store import collections as store_collections
from ..store import papers as store_papers
from ..store import users as store_users
from ..store.collections import CollectionView
from ..store.users import UserView
from .community import NotFound, NotYours, visible_paper


def own_collection(conn, collection_id: int, user: UserView) -> CollectionView:
    coll = store_collections.get(conn, collection_id, viewer_id=user.id)
    if coll is None:  # missing, or someone else's private one: the same answer
        raise NotFound("no such collection")
    if coll.user_id != user.id:  # a public one the caller can read: say why it cannot be changed
        raise NotYours(f"collection {collection_id} is {coll.owner}'s: you can change only your own collections")
    return coll


def visible_collection(conn, collection_id: int, viewer: UserView | None) -> CollectionView:
    coll = store_collections.get(conn, collection_id, viewer_id=viewer.id if viewer else None)
    if coll is None:  # someone else's private collection looks like a missing one
        raise NotFound("no such collection")
    return coll


def collection_papers(
    store: Store, collection_id: int, viewer: UserView | None, *, cards: bool = False
) -> tuple[CollectionView, list]:
    """A collection ``viewer`` may see and its visible papers: their views, or (``cards``: its page) what
    their cards show."""
    with store.read() as conn:
        coll = visible_collection(conn, collection_id, viewer)
        ids = store_collections.paper_ids(conn, coll.id)
        if cards:
            return coll, store_cards.cards(conn, ids)
        papers = store_papers.get_papers(conn, ids)
    return coll, [p for p in papers if not p.hidden]


def collections_of(store: Store, username: str | None, viewer: UserView | None) -> list[CollectionView]:
    """``username``'s collections as ``viewer`` sees them (without a name: the viewer's own)."""
    with store.read() as conn:
        owner = viewer if username is None else store_users.get_user_by_name(conn, username)
        if owner is None:
            raise NotFound(f"No user {(username or '')[:40]!r}")
        return store_collections.for_user(conn, owner.id, viewer_id=viewer.id if viewer else None)


def create_collection(
    store: Store, user: UserView, *, name: str, description: str = "", public: bool = False, paper_id: str | None = None
) -> CollectionView:
    """A new collection of ``user``'s, holding ``paper_id`` if given."""
    with store.transaction() as conn:
        first = visible_paper(conn, paper_id).id if paper_id else None
        cid = store_collections.create(conn, user_id=user.id, name=name, description=description, is_public=public)
        if first:
            store_collections.add_paper(conn, cid, first)
        return store_collections.get(conn, cid, viewer_id=user.id)  # type: ignore[return-value]


def add_to_collection(store: Store, user: UserView, collection_id: int, paper_id: str) -> tuple[CollectionView, bool]:
    """Add a paper to one of ``user``'s collections; says whether it was new there."""
    with store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        added = store_collections.add_paper(conn, coll.id, visible_paper(conn, paper_id).id)
        view = store_collections.get(conn, coll.id, viewer_id=user.id)
    events.publish(store)  # other processes' cached page and feed of the collection
    return view, added  # type: ignore[return-value]


def remove_from_collection(
    store: Store, user: UserView, collection_id: int, paper_id: str
) -> tuple[CollectionView, bool]:
    """Take a paper out of one of ``user``'s collections; says whether it was there."""
    parsed = parse_arxiv_id(paper_id)
    with store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        removed = store_collections.remove_paper(conn, coll.id, parsed[0] if parsed else paper_id)
        view = store_collections.get(conn, coll.id, viewer_id=user.id)
    events.publish(store)
    return view, removed  # type: ignore[return-value]


def edit_collection(
    store: Store, user: UserView, collection_id: int, *, name: str, description: str, public: bool
) -> None:
    with store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        store_collections.update_meta(conn, coll.id, name=name, description=description, is_public=public)
    events.publish(store)


def delete_collection(store: Store, user: UserView, collection_id: int) -> CollectionView:
    with store.transaction() as conn:
        coll = own_collection(conn, collection_id, user)
        store_collections.remove(conn, coll.id)
    events.publish(store)
    return coll
