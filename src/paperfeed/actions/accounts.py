"""Account actions, the same for every surface: download one's data, delete one's account.

The owner proves it is them with the account's password (a session or an API token alone deletes
nothing: a copied cookie or a leaked token must not be able to wipe an account); the operator's
``paperfeed admin delete-user`` needs none, and is recorded in the moderation log. Deleting happens in
one transaction (``store.accounts``) and is announced to every process (``store.events``), whose page
caches then expire, as after a vote.
"""

from __future__ import annotations

from ..store import Store, events, modlog
from ..store import accounts as store_accounts
from ..store import users as store_users
from ..store.accounts import Deleted
from ..store.passwords import verify_password
from ..store.users import AccountError, UserView
from .community import CommunityError, NotFound

__all__ = ["AccountError", "Deleted", "WrongPassword"]


class WrongPassword(AccountError):
    """The password given to confirm a deletion is not the account's: nothing was deleted."""


def delete_own_account(store: Store, user: UserView, password: str) -> Deleted:
    """Delete ``user``'s account after checking ``password`` (``WrongPassword``: nothing deleted)."""
    with store.read() as conn:
        stored = store_users.password_hash(conn, user.id)
    if not verify_password(stored, password or ""):
        raise WrongPassword("that is not your password: nothing was deleted")
    return _delete(store, user.id)


def delete_user(store: Store, username: str, *, actor: str, reason: str | None = None) -> Deleted:
    """The operator's delete (``paperfeed admin delete-user``): no password asked; logged as ``actor``'s."""
    reason = (reason or "").strip() or None
    if reason and len(reason) > modlog.MAX_REASON:
        raise CommunityError(f"a reason is at most {modlog.MAX_REASON} characters (this one has {len(reason)})")
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
