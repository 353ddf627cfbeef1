"""Account actions, the same for every surface: change a password, download one's data, delete one's account.

The owner proves it is them with the account's password (a session or an API token alone deletes
nothing and changes no password: a copied cookie or a leaked token must not be able to wipe or take over
an account); the operator's ``paperfeed admin delete-user`` and ``set-password`` need none, and are
recorded in the moderation log. Deleting happens in one transaction (``store.accounts``) and is
announced to every process (``store.events``), whose page caches then expire, as after a vote. A new
password ends the account's other sessions and queues the "your password was changed" notice to its
confirmed address in the same transaction (``mail.notices``); the surface sends it after its answer
(``notices.sender``), and the outbox retries it if the SMTP server is down.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..mail import notices
from ..settings import Settings
from ..store import Store, events, modlog
from ..store import accounts as store_accounts
from ..store import users as store_users
from ..store.accounts import Deleted
from ..store.passwords import hash_password, verify_password
from ..store.users import AccountError, UserView
from .community import CommunityError, NotFound

__all__ = ["AccountError", "Deleted", "PasswordSet", "WrongPassword"]


class WrongPassword(AccountError):
    """The password given to confirm a change or a deletion is not the account's: nothing changed."""


@dataclass(frozen=True)
class PasswordSet:
    user: UserView  # as after the change: its session epoch moved on
    notice: int | None  # the outbox id of the "your password was changed" mail; None: no confirmed address


def change_own_password(store: Store, settings: Settings, user: UserView, current: str, new: str) -> PasswordSet:
    """The owner's change (the profile's form): ``WrongPassword`` unless ``current`` is the account's
    password, ``ValueError`` for a new one the sign-up rules refuse; nothing changes on either."""
    with store.read() as conn:
        stored = store_users.password_hash(conn, user.id)
    if not verify_password(stored, current or ""):
        raise WrongPassword("Your current password is wrong.")
    return _set_password(store, settings, user.id, new, how="profile")


def set_user_password(
    store: Store, settings: Settings, username: str, password: str, *, actor: str, reason: str | None = None
) -> PasswordSet:
    """The operator's (``paperfeed admin set-password``), for a reader who cannot reset it by mail: no old
    password asked; ``NotFound``, ``ValueError`` (the rules) or ``CommunityError`` (a reason too long)
    change nothing. Every session of the account ends; logged as ``actor``'s ``set-password``."""
    reason = _reason(reason)
    with store.read() as conn:
        user = store_users.get_user_by_name(conn, username)
    if user is None:
        raise NotFound(f"No user {username[:40]!r}")
    return _set_password(store, settings, user.id, password, how="operator", log=(actor, reason))


def _set_password(
    store: Store,
    settings: Settings,
    user_id: int,
    password: str,
    *,
    how: str,
    log: tuple[str, str | None] | None = None,
) -> PasswordSet:
    hashed = hash_password(password, settings)  # ValueError before anything is written
    with store.transaction() as conn:
        store_users.set_password(conn, user_id, hashed)
        user = store_users.get_user(conn, user_id)
        if log:
            modlog.record(conn, actor=log[0], action="set-password", target=user.username, reason=log[1])
        return PasswordSet(user, notices.queue_password_changed(conn, settings, user, how=how))


def _reason(reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if reason and len(reason) > modlog.MAX_REASON:
        raise CommunityError(f"a reason is at most {modlog.MAX_REASON} characters (this one has {len(reason)})")
    return reason


def delete_own_account(store: Store, user: UserView, password: str) -> Deleted:
    """Delete ``user``'s account after checking ``password`` (``WrongPassword``: nothing deleted)."""
    with store.read() as conn:
        stored = store_users.password_hash(conn, user.id)
    if not verify_password(stored, password or ""):
        raise WrongPassword("that is not your password: nothing was deleted")
    return _delete(store, user.id)


def delete_user(store: Store, username: str, *, actor: str, reason: str | None = None) -> Deleted:
    """The operator's delete (``paperfeed admin delete-user``): no password asked; logged as ``actor``'s."""
    reason = _reason(reason)
    with store.read() as conn:
        user = store_users.get_user_by_name(conn, username)
    if user is None:
        raise NotFound(f"No user {username[:40]!r}")
    return _delete(store, user.id, log=(actor, reason))


def _delete(store: Store, user_id: int, *, log: tuple[str, str | None] | None = None) -> Deleted:
    with store.transaction() as conn:
        gone = store_accounts.delete_account(conn, user_id)
        if log:
            modlog.record(conn, actor=log[0], action="delete-user", target=gone.username, reason=log[1])
    events.publish(store)  # votes and comments left the pages
    return gone


def export(store: Store, user: UserView) -> dict:
    """Everything ``user``'s account holds, as JSON values (``store.accounts.export_account``)."""
    with store.read() as conn:
        return store_accounts.export_account(conn, user.id)
