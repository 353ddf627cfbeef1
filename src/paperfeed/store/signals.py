"""What the recommender learns from and keeps: each user's signals, and the trained ``user_models``.

Signals of a user: upvotes (+1), "not interested" votes (-1), papers in any of the user's collections
(saves, imported libraries included), followed authors and categories, and the papers already sent to the
user in a digest (through ``subscribers.user_id``). ``signals_for`` reads them for many users at once:
one query per kind, whatever the number of users (chunked by ``CHUNK`` ids).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import Connection, delete, func, insert, or_, select

from ..clock import utc
from .days import listed_days
from .db import chunked, select_in
from .models import (
    collection_items,
    collections,
    featured,
    follows,
    paper_vectors,
    papers,
    sent_papers,
    subscribers,
    user_models,
    users,
    votes,
)

CHUNK = 2_000  # users (or papers) per IN (...)


@dataclass
class Signals:
    user_id: int
    upvoted: list[str] = field(default_factory=list)  # newest first
    downvoted: list[str] = field(default_factory=list)  # "not interested", newest first
    saved: list[str] = field(default_factory=list)  # in any of the user's collections, newest first
    follows: list[tuple[str, str]] = field(default_factory=list)  # (author | category, value)
    sent: set[str] = field(default_factory=set)  # already in one of the user's digests

    @property
    def positives(self) -> list[str]:
        """Upvoted, then saved papers (each once): what the model learns to find."""
        return list(dict.fromkeys(self.upvoted + self.saved))

    @property
    def seen(self) -> set[str]:
        """Papers never to recommend again: voted on (either way), saved, or sent in a digest."""
        return set(self.upvoted) | set(self.downvoted) | set(self.saved) | self.sent

    def digest(self, model: str, recipe: str) -> str:
        """A hash of what a model trained on these signals depends on: unchanged hash, no retraining."""
        h = hashlib.sha1(f"{model}\x1f{recipe}".encode())
        for part in (sorted(self.positives), sorted(self.downvoted)):
            h.update(b"\x1e" + "\x1f".join(part).encode())
        return h.hexdigest()


def signals_for(conn: Connection, user_ids: Iterable[int]) -> dict[int, Signals]:
    """Every signal of each of ``user_ids`` (one query per kind and chunk of users)."""
    ids = sorted(set(user_ids))
    out = {uid: Signals(uid) for uid in ids}
    for part in chunked(ids, CHUNK):
        # a hidden paper (spam, taken down) is no positive to learn from nor to name in a reason
        q = (
            select(votes.c.user_id, votes.c.paper_id, votes.c.value)
            .join(papers, papers.c.id == votes.c.paper_id)
            .where(votes.c.user_id.in_(part), or_(votes.c.value < 0, papers.c.hidden.is_(False)))
            .order_by(votes.c.user_id, votes.c.created_at.desc(), votes.c.paper_id)
        )
        for uid, pid, value in conn.execute(q):
            (out[uid].upvoted if value > 0 else out[uid].downvoted).append(pid)
        q = (
            select(collections.c.user_id, collection_items.c.paper_id, func.max(collection_items.c.added_at))
            .join(collections, collections.c.id == collection_items.c.collection_id)
            .join(papers, papers.c.id == collection_items.c.paper_id)
            .where(collections.c.user_id.in_(part), papers.c.hidden.is_(False))
            .group_by(collections.c.user_id, collection_items.c.paper_id)
            .order_by(collections.c.user_id, func.max(collection_items.c.added_at).desc(), collection_items.c.paper_id)
        )
        for uid, pid, _ in conn.execute(q):
            out[uid].saved.append(pid)
        q = (
            select(follows.c.user_id, follows.c.kind, follows.c.value)
            .where(follows.c.user_id.in_(part))
            .order_by(follows.c.user_id, follows.c.kind, follows.c.value)
        )
        for uid, kind, value in conn.execute(q):
            out[uid].follows.append((kind, value))
        q = (
            select(subscribers.c.user_id, sent_papers.c.paper_id)
            .join(subscribers, subscribers.c.id == sent_papers.c.subscriber_id)
            .where(subscribers.c.user_id.in_(part))
        )
        for uid, pid in conn.execute(q):
            out[uid].sent.add(pid)
    return out


def users_with_signals(conn: Connection) -> list[int]:
    """Users (not banned) with at least one vote, saved paper or follow: those a model is trained for."""
    voted = select(votes.c.user_id)
    saved = select(collections.c.user_id).join(collection_items, collection_items.c.collection_id == collections.c.id)
    followed = select(follows.c.user_id)
    q = select(users.c.id).where(
        users.c.banned.is_(False), or_(users.c.id.in_(voted), users.c.id.in_(saved), users.c.id.in_(followed))
    )
    return sorted(conn.execute(q).scalars())


# --- trained models -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredModel:
    user_id: int
    model: str  # the embedding model the weights belong to
    weights: np.ndarray  # float32: dim weights, then the bias
    signals: str
    positives: int
    negatives: int
    trained_at: datetime


def get_models(conn: Connection, user_ids: Iterable[int], model: str) -> dict[int, StoredModel]:
    """The stored models of ``user_ids`` for the embedding ``model`` (others are stale: not returned)."""
    out = {}
    q = select(user_models).where(user_models.c.model == model)
    for r in select_in(conn, q, user_models.c.user_id, sorted(set(user_ids)), size=CHUNK):
        w = np.frombuffer(bytes(r.weights), dtype="<f4").astype(np.float32)
        out[r.user_id] = StoredModel(r.user_id, r.model, w, r.signals, r.positives, r.negatives, utc(r.trained_at))
    return out


def save_models(conn: Connection, rows: Sequence[StoredModel]) -> None:
    """Store (replace) trained models."""
    if not rows:
        return
    for part in chunked([r.user_id for r in rows], CHUNK):
        conn.execute(delete(user_models).where(user_models.c.user_id.in_(part)))
    conn.execute(
        insert(user_models),
        [
            {
                "user_id": r.user_id, "model": r.model, "weights": np.asarray(r.weights, dtype="<f4").tobytes(),
                "signals": r.signals, "positives": r.positives, "negatives": r.negatives, "trained_at": r.trained_at,
            }
            for r in rows
        ],
    )  # fmt: skip


def save_models_safely(store, rows: Sequence[StoredModel]) -> bool:
    """``save_models`` in its own transaction; False when another worker saved the same users' models at the
    same moment (theirs are kept: trained on the same signals)."""
    from sqlalchemy.exc import IntegrityError

    try:
        with store.transaction() as conn:
            save_models(conn, rows)
    except IntegrityError:
        return False
    return True


def delete_models(conn: Connection, user_ids: Iterable[int]) -> int:
    """Forget trained models (a user whose signals are all gone)."""
    n = 0
    for part in chunked(sorted(set(user_ids)), CHUNK):
        n += conn.execute(delete(user_models).where(user_models.c.user_id.in_(part))).rowcount
    return n


# --- what the model reads -----------------------------------------------------------------------------


def vectors_of(conn: Connection, model: str, ids: Iterable[str], dim: int) -> tuple[list[str], np.ndarray]:
    """``(ids that have a vector, float32 matrix of their vectors)`` in the order of ``ids``."""
    wanted = list(dict.fromkeys(ids))
    v = paper_vectors
    q = select(v.c.paper_id, v.c.vector).where(v.c.model == model)
    found = {pid: bytes(b) for pid, b in select_in(conn, q, v.c.paper_id, wanted, size=CHUNK)}
    have = [p for p in wanted if p in found]
    if not have:
        return [], np.zeros((0, dim), dtype=np.float32)
    mat = np.frombuffer(b"".join(found[p] for p in have), dtype="<f4").reshape(len(have), dim)
    return have, mat.astype(np.float32)


def titles_of(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """``{id: title}`` of the visible ones of ``ids`` (a reason never names a hidden paper)."""
    q = select(papers.c.id, papers.c.title).where(papers.c.hidden.is_(False))
    return {k: " ".join((v or "").split()) for k, v in select_in(conn, q, papers.c.id, dict.fromkeys(ids), size=CHUNK)}


def latest_listed_day(conn: Connection, on_or_before: date | None = None) -> date | None:
    """The newest day a visible paper was announced or featured (publication day when neither)."""
    visible = papers.c.hidden.is_(False)
    days = []
    q_ann = select(func.max(papers.c.announced_on)).where(visible)
    q_feat = listed_days().order_by(featured.c.day.desc()).limit(1)  # of a visible paper
    q_pub = select(func.max(papers.c.published_at)).where(visible)
    if on_or_before is not None:
        q_ann = q_ann.where(papers.c.announced_on <= on_or_before)
        q_feat = q_feat.where(featured.c.day <= on_or_before)
        end = datetime.combine(on_or_before, datetime.max.time(), UTC)
        q_pub = q_pub.where(papers.c.published_at <= end)
    for q in (q_ann, q_feat):
        d = conn.execute(q).scalar()
        if d is not None:
            days.append(d)
    pub = utc(conn.execute(q_pub).scalar())
    if pub is not None:
        days.append(pub.date())
    return max(days) if days else None
