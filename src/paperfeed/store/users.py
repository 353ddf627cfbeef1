"""Accounts, API tokens and the event log behind the login limit (and the sign-up, subscription and
submission limits). Passwords arrive already hashed (store.passwords hashes).

An account's address is confirmed by its owner before it counts: a typed address waits in
``pending_email`` until the link mailed to it is opened (``confirm_email``); ``email`` holds confirmed
addresses only, so nothing is ever linked or shown by an address nobody proved to own.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utc
from ..errors import PaperfeedError
from .models import api_tokens, auth_failures, ended_sessions, users

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,38}[A-Za-z0-9_]$")
EMAIL_RE = re.compile(r"^[^@\s\r\n]{1,64}@[^@\s\r\n]{1,255}\.[^@\s\r\n.]{2,63}$")


class AccountError(PaperfeedError):
    """A user-facing problem with account data (taken name, bad email...)."""


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    email: str | None  # confirmed by mail
    is_admin: bool
    banned: bool
    session_epoch: int
    created_at: datetime
    pending_email: str | None = None  # typed, not confirmed yet


def _view(row) -> UserView:
    return UserView(
        row.id,
        row.username,
        row.email,
        row.is_admin,
        row.banned,
        row.session_epoch,
        utc(row.created_at),
        row.pending_email,
    )


def check_username(name: str) -> str:
    if not USERNAME_RE.match(name or ""):
        raise AccountError("usernames are 3-40 letters, digits, '_', '-' or '.', starting with a letter or digit")
    return name


def check_email(email: str) -> str:
    email = (email or "").strip()
    if len(email) > 320 or not EMAIL_RE.match(email):
        raise AccountError("that is not a valid email address")
    return email


def check_new_account(conn: Connection, *, username: str, email: str | None = None) -> str | None:
    """Raise ``AccountError`` unless an account could be made with these (cheap: sign-up asks before it
    hashes the password); returns the address checked, or None."""
    check_username(username)
    email = check_email(email) if email else None
    taken = conn.execute(select(users.c.id).where(func.lower(users.c.username) == username.lower())).first()
    if taken:
        raise AccountError(f"the username {username!r} is taken")
    return email


def create_user(
    conn: Connection,
    *,
    username: str,
    password_hash: str,
    email: str | None = None,
    is_admin: bool = False,
    email_confirmed: bool = False,
) -> UserView:
    """Create an account. ``email`` waits for its owner's confirmation (``confirm_email``) unless
    ``email_confirmed`` (an operator creating the account on the command line vouches for it)."""
    email = check_new_account(conn, username=username, email=email)
    try:
        with conn.begin_nested():
            uid = conn.execute(
                users.insert()
                .values(
                    username=username,
                    email=(email or None) if email_confirmed else None,
                    pending_email=None if email_confirmed else (email or None),
                    password_hash=password_hash,
                    is_admin=is_admin,
                    banned=False,
                    session_epoch=0,
                    created_at=datetime.now(UTC),
                )
                .returning(users.c.id)
            ).scalar_one()
    except IntegrityError:
        raise AccountError("that username or email is already registered") from None
    return get_user(conn, uid)  # type: ignore[return-value]


def get_user(conn: Connection, user_id: int) -> UserView | None:
    """The account, or None (also for a deleted one: its sessions sign nobody in; ``store.accounts``)."""
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.deleted_at.is_(None))).first()
    return _view(row) if row else None


def set_pending_email(conn: Connection, user_id: int, email: str) -> str:
    """Record the address the user typed; it counts once confirmed. Returns it checked."""
    email = check_email(email)
    conn.execute(update(users).where(users.c.id == user_id).values(pending_email=email))
    return email


def confirm_email(conn: Connection, user_id: int, email: str) -> UserView:
    """Make ``email`` the account's confirmed address: the link mailed to it was opened.

    The link carries the address it was sent to, so an older link for an address changed since does not
    confirm the new one. An address another account confirmed first stays that account's.
    """
    user = get_user(conn, user_id)
    if user is None:
        raise AccountError("This link is not valid any more: the account no longer exists.")
    if user.email and user.email.lower() == email.lower() and not user.pending_email:
        return user  # opened twice
    if not user.pending_email:
        raise AccountError(
            "This link is not valid any more: the account waits for no new address (a password change cancels "
            "one). Type the address again on your profile to get a new link."
        )
    if user.pending_email.lower() != email.lower():
        raise AccountError("This link is not valid any more: the account now waits for another address.")
    owner = conn.execute(
        select(users.c.id).where(func.lower(users.c.email) == email.lower(), users.c.id != user_id)
    ).scalar()
    if owner is not None:
        raise AccountError("This address already belongs to another account.")
    try:
        with conn.begin_nested():
            confirmed = {"email": user.pending_email, "pending_email": None}
            conn.execute(update(users).where(users.c.id == user_id).values(**confirmed))
    except IntegrityError:  # confirmed by another account at the same moment
        raise AccountError("This address already belongs to another account.") from None
    return get_user(conn, user_id)  # type: ignore[return-value]


def get_user_by_name(conn: Connection, username: str) -> UserView | None:
    """The account of this name, any case, or None (also for a deleted one, whose name stays taken)."""
    named = func.lower(users.c.username) == (username or "").lower()
    row = conn.execute(select(users).where(named, users.c.deleted_at.is_(None))).first()
    return _view(row) if row else None


def get_user_by_email(conn: Connection, email: str) -> UserView | None:
    """The account whose *confirmed* address is ``email``, any case, or None (a pending address is nobody's)."""
    mine = func.lower(users.c.email) == (email or "").strip().lower()
    row = conn.execute(select(users).where(mine, users.c.deleted_at.is_(None)).order_by(users.c.id)).first()
    return _view(row) if row else None


def password_hash(conn: Connection, user_id: int) -> str | None:
    return conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar()


def set_password(conn: Connection, user_id: int, new_hash: str, *, epoch: int | None = None) -> bool:
    """Store a new password hash and end every other session (the epoch changes). ``epoch``: only if the
    account is still at that epoch (a reset link, made at it, works once); returns whether it was stored.
    A pending address change is cancelled too (its link stops working): an owner who takes the account back
    by a reset, or changes the password after someone else got in, is not left with the intruder's address
    waiting to be confirmed and then to receive the next reset link."""
    mine = users.c.id == user_id
    if epoch is not None:
        mine = mine & (users.c.session_epoch == epoch) & users.c.deleted_at.is_(None)
    done = conn.execute(
        update(users)
        .where(mine)
        .values(password_hash=new_hash, session_epoch=users.c.session_epoch + 1, pending_email=None)
    )
    return done.rowcount == 1


def rehash_password(conn: Connection, user_id: int, old_hash: str, new_hash: str) -> None:
    """The same password hashed at a new cost: sessions go on (the epoch stays), and a password changed
    meanwhile (the hash is no longer ``old_hash``) is left alone."""
    conn.execute(
        update(users).where(users.c.id == user_id, users.c.password_hash == old_hash).values(password_hash=new_hash)
    )


def set_admin(conn: Connection, user_id: int, is_admin: bool) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(is_admin=is_admin))


def set_banned(conn: Connection, user_id: int, banned: bool) -> None:
    """Ban (or unban) a user; a ban also ends their sessions."""
    conn.execute(
        update(users).where(users.c.id == user_id).values(banned=banned, session_epoch=users.c.session_epoch + 1)
    )


# --- API tokens --------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_PREFIX = "pf_"  # every API token starts so: a token without it is somebody else's (an HF token)


def create_token(conn: Connection, user_id: int, name: str) -> str:
    """Create an API token and return it; only its hash is stored, so it is shown once."""
    name = " ".join((name or "").split())[:100] or "token"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        api_tokens.insert().values(
            user_id=user_id, name=name, token_hash=_token_hash(token), created_at=datetime.now(UTC)
        )
    )
    return token


def token_is_valid(conn: Connection, token: str) -> bool:
    """Whether ``token`` is the API token of an account in good standing (a read: nothing is recorded)."""
    row = conn.execute(
        select(users.c.banned)
        .select_from(api_tokens.join(users, users.c.id == api_tokens.c.user_id))
        .where(api_tokens.c.token_hash == _token_hash(token))
    ).first()
    return row is not None and not row.banned


def user_for_token(conn: Connection, token: str) -> UserView | None:
    row = conn.execute(
        select(api_tokens.c.id, api_tokens.c.user_id).where(api_tokens.c.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    conn.execute(update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=datetime.now(UTC)))
    return get_user(conn, row.user_id)


def list_tokens(conn: Connection, user_id: int) -> list[dict]:
    q = (
        select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at, api_tokens.c.last_used_at)
        .where(api_tokens.c.user_id == user_id)
        .order_by(api_tokens.c.id)
    )
    return [
        {**r._mapping, "created_at": utc(r.created_at), "last_used_at": utc(r.last_used_at)} for r in conn.execute(q)
    ]


def delete_token(conn: Connection, user_id: int, token_id: int) -> bool:
    res = conn.execute(delete(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.user_id == user_id))
    return res.rowcount > 0


# --- login rate limit --------------------------------------------------------------------------------


EVENTS_KEPT = timedelta(days=2)  # longer than any window that reads them (a day at most)


def note_failure(conn: Connection, key: str) -> None:
    """Record an event under ``key`` (a failed login, a sign-up, a mail sent...); events older than
    ``EVENTS_KEPT`` go at the same time, so the table holds about two days of them."""
    now = datetime.now(UTC)
    conn.execute(delete(auth_failures).where(auth_failures.c.at < now - EVENTS_KEPT))
    conn.execute(auth_failures.insert().values(key=key[:200], at=now))


def recent_failures(conn: Connection, key: str, *, window: timedelta) -> int:
    since = datetime.now(UTC) - window
    return conn.execute(
        select(func.count()).where(auth_failures.c.key == key[:200], auth_failures.c.at >= since)
    ).scalar_one()


def take_quota(conn: Connection, key: str, *, limit: int, window: timedelta) -> int:
    """Count one event under ``key`` and return 0; or, when ``limit`` were counted in the last ``window``,
    count nothing and return the seconds until the oldest of them leaves it (the sign-up, subscription
    and submission limits: the login limiter's event log, so that they hold across workers)."""
    now = datetime.now(UTC)
    q = (
        select(auth_failures.c.at)
        .where(auth_failures.c.key == key[:200], auth_failures.c.at >= now - window)
        .order_by(auth_failures.c.at.desc())
        .limit(limit)
    )
    recent = conn.execute(q).scalars().all()
    if len(recent) >= limit:
        return max(1, math.ceil((utc(recent[-1]) + window - now).total_seconds()))
    note_failure(conn, key)
    return 0


def clear_failures(conn: Connection, key: str) -> None:
    conn.execute(delete(auth_failures).where(auth_failures.c.key == key[:200]))


# --- ended sessions ---------------------------------------------------------------------------------


SESSION_LIFE = timedelta(days=30)  # the session cookie's max_age (app.py): an ended one is kept that long


def end_session(conn: Connection, sid: str) -> None:
    """Record that the session ``sid`` was logged out of (its cookie signs nobody in any more); stored
    hashed, as API tokens are."""
    now = datetime.now(UTC)
    conn.execute(delete(ended_sessions).where(ended_sessions.c.ended_at < now - SESSION_LIFE))
    if not session_ended(conn, sid):
        conn.execute(ended_sessions.insert().values(sid=_token_hash(sid), ended_at=now))


def session_ended(conn: Connection, sid: str) -> bool:
    found = conn.execute(select(ended_sessions.c.sid).where(ended_sessions.c.sid == _token_hash(sid))).first()
    return found is not None
