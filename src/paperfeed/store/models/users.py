"""Accounts and what hangs on them: API tokens, failed logins, ended sessions, the authors and categories an
account follows and its trained "for you" model (docs/recommend.md). Never written by imports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # confirmed by its owner only
    pending_email: Mapped[str | None] = mapped_column(String(320))  # typed, waiting for its confirmation mail
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    banned: Mapped[bool] = mapped_column(default=False)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)  # bumped to log out every session
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # by its owner: a tombstone


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = {"sqlite_autoincrement": True}  # a revoked token's id is never given to a new one


class AuthFailure(Base):
    """Failed logins, for the login rate limit (shared by every worker through the database)."""

    __tablename__ = "auth_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class EndedSession(Base):
    """A signed-in session its owner logged out of: the cookie, if kept or copied, signs nobody in. The
    cookie itself is stateless (signed, 30 days), so this list is what ends one; rows go after 30 days."""

    __tablename__ = "ended_sessions"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the session's random id
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Follow(Base):
    """An author or category a user follows: a signal for "for you" and a reason shown beside a pick."""

    __tablename__ = "follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # author | category
    value: Mapped[str] = mapped_column(String(1000), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserModel(Base):
    """A user's trained linear model over paper vectors; derived data, retrained when signals change."""

    __tablename__ = "user_models"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(100))  # the embedding model the weights belong to
    weights: Mapped[bytes] = mapped_column(LargeBinary)  # float32 little-endian: dim weights then the bias
    signals: Mapped[str] = mapped_column(String(40))  # hash of the signals trained on: retrain when it changes
    positives: Mapped[int] = mapped_column(Integer, default=0)
    negatives: Mapped[int] = mapped_column(Integer, default=0)
    trained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


users = User.__table__
api_tokens = ApiToken.__table__
auth_failures = AuthFailure.__table__
ended_sessions = EndedSession.__table__
follows = Follow.__table__
user_models = UserModel.__table__
