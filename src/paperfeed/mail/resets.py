"""Password resets by mail ("Forgot your password?", as OWASP's Forgot Password cheat sheet describes).

A reader types an address; when it is the *confirmed* address of an account in good standing, a mail
(kind ``reset`` in the outbox) carries a signed link (``tokens.reset_link``) valid ``reset_link_minutes``.
The link names the account, its session epoch and (as a keyed digest) the address: setting a password moves
the epoch on, so the link works once, and any other password change, a ban or a new address ends it too.
No table holds reset requests. Setting the password queues the "your password was changed" notice to
the same address (``notices.queue_password_changed``). The page that asks answers the same whatever
the address (the surface calls ``request_reset`` after its answer is sent, so a real account's answer
takes no longer either); an address gets at most ``RESET_MAILS_PER_ADDRESS`` of these mails an hour,
silently past that.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from ..settings import Settings
from ..store import Store
from ..store import users as store_users
from ..store.passwords import hash_password
from ..store.users import UserView
from . import notices, tokens
from .tokens import TokenError

RESET_MAILS_PER_ADDRESS = 3  # reset mails an address gets an hour, however often the form names it
HOUR = timedelta(hours=1)


def request_reset(store: Store, settings: Settings, email: str) -> int | None:
    """Queue a reset link to ``email`` if it is an account's confirmed address (not banned, not over the
    hour's share); returns the outbox row id, or None when nothing was queued."""
    now = datetime.now(UTC)
    with store.transaction() as conn:
        user = store_users.get_user_by_email(conn, email)
        if user is None or user.banned or not user.email:
            return None
        quota = store_users.take_quota(conn, f"reset-mail:{user.email.lower()}", limit=RESET_MAILS_PER_ADDRESS,
                                       window=HOUR)  # fmt: skip
        if quota:
            return None
        url = tokens.reset_link(settings, user.id, user.session_epoch, user.email)
        return notices.queue_account_mail(
            conn, settings, template="reset", kind="reset", to=user.email,
            subject=f"Reset your password at {settings.site_name}",
            dedupe_key=f"reset:{user.id}:{secrets.token_hex(8)}", now=now,
            username=user.username, reset_url=url, minutes=settings.reset_link_minutes,
        )  # fmt: skip


def check_link(store: Store, settings: Settings, token: str) -> UserView:
    """The account a reset link sets the password of, or ``TokenError`` (expired, used, damaged, another
    site's, or the account banned, deleted or at another address since)."""
    user_id, epoch, tag = tokens.read_reset(settings, token)
    with store.read() as conn:
        user = store_users.get_user(conn, user_id)
    if user is None or user.banned or user.session_epoch != epoch:
        raise TokenError(tokens.RESET_GONE)
    if not tokens.reset_matches(settings, tag, user.email):
        raise TokenError(tokens.RESET_GONE)
    return user


def reset_password(store: Store, settings: Settings, token: str, password: str) -> tuple[UserView, int | None]:
    """Set the password of the link's account (every session ends) and queue the notice that it changed
    (``notices.queue_password_changed``); returns the account as it was before (the address change it
    waited for, which the new password cancels) and the notice's outbox id. ``TokenError``
    for a link that no longer works (also one used at the same moment by another request), ``ValueError``
    for a password the rules refuse (as at sign-up)."""
    user = check_link(store, settings, token)
    hashed = hash_password(password, settings)
    with store.transaction() as conn:
        if not store_users.set_password(conn, user.id, hashed, epoch=user.session_epoch):
            raise TokenError(tokens.RESET_GONE)
        changed = store_users.get_user(conn, user.id)
        return user, notices.queue_password_changed(conn, settings, changed, how="reset")
