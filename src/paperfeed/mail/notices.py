"""The mails that are not digests: the double opt-in confirmation, the "already subscribed" note, the
confirmation of an account's address, and the notices to an account's confirmed address that its password
was changed or that another address was asked for.

A confirmation or a note goes out at most once per address an hour (the outbox ``dedupe_key`` carries the
hour), so the public forms cannot be used to flood someone's inbox. An address confirmation is one
account's, so many accounts could each send one: an address gets at most ``ACCOUNT_MAILS_PER_ADDRESS`` of
them an hour, whoever asks. The "your password was changed" notice goes out once per change: a change
needs the password, a reset link (itself limited) or the operator, so no public form can send it. The
"your address is being changed" notice goes out once per new address an hour, when the change is asked
(which needs the password): the old address is still the account's then, so its reset link still reaches
the owner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..settings import Settings
from ..store import Store
from ..store import outbox as store_outbox
from ..store import subscriptions as subs
from ..store import users as store_users
from . import message, tokens

log = logging.getLogger(__name__)
ACCOUNT_MAILS_PER_ADDRESS = 3  # address confirmations an address gets an hour, from every account together
HOUR = timedelta(hours=1)


def request(store: Store, settings: Settings, email: str, *, user_id: int | None = None) -> int | None:
    """Subscribe ``email`` (pending until confirmed) and queue the right mail; returns the outbox row id.

    pending (new, unsubscribed or bouncing before) -> a confirmation link; active -> a note with the
    settings link. The caller shows the same "check your inbox" page in every case, so the form reveals
    nothing. ``user_id``: the signed-in account whose confirmed address this is (the caller checks), its
    owner proven by a link mailed to it already: the subscription starts at once, no mail (unless it
    bounced since: then the confirmation shows that the mailbox works again); ``None`` is returned.
    """
    now = datetime.now(UTC)
    with store.transaction() as conn:
        sub = subs.subscribe(conn, email, user_id=user_id, now=now)
        if sub.status == "pending" and user_id is not None and not sub.bounce_count:
            subs.confirm(conn, sub.id, sub.token_version, now=now)
            return None
        if sub.status == "pending":
            return _queue_confirmation(conn, settings, sub, now)
        if sub.status == "active":
            links = tokens.links(settings, sub.id, sub.token_version)
            text, html = message.render(
                "manage", subject="", to=sub.email, site_name=settings.site_name,
                base_url=settings.base_url.rstrip("/"), manage_url=links["manage"],
                unsubscribe_url=links["unsubscribe"],
            )  # fmt: skip
            subject = f"Your {settings.site_name} subscription"
            built = message.build(
                settings, to=sub.email, subject=subject, text=text, html=html,
                unsubscribe_url=links["unsubscribe"], now=now,
            )  # fmt: skip
            return store_outbox.queue(
                conn, subscriber_id=sub.id, kind="manage", dedupe_key=f"manage:{sub.id}:{now:%Y%m%d%H}",
                to_addr=sub.email, subject=subject, message=built.text, now=now,
            )  # fmt: skip
    return None


def _queue_confirmation(conn, settings: Settings, sub: subs.SubscriberView, now: datetime) -> int | None:
    url = tokens.confirm_link(settings, sub.id, sub.token_version)
    subject = f"Confirm your {settings.site_name} subscription"
    text, html = message.render(
        "confirm", subject=subject, to=sub.email, site_name=settings.site_name,
        base_url=settings.base_url.rstrip("/"), confirm_url=url, hours=settings.confirm_link_hours,
    )  # fmt: skip
    built = message.build(settings, to=sub.email, subject=subject, text=text, html=html, now=now)
    return store_outbox.queue(
        conn, subscriber_id=sub.id, kind="confirm", dedupe_key=f"confirm:{sub.id}:{sub.token_version}:{now:%Y%m%d%H}",
        to_addr=sub.email, subject=subject, message=built.text, now=now,
    )  # fmt: skip


def _mailed_key(email: str) -> str:
    return f"account-mail:{email.strip().lower()}"


def check_account_mail(conn, email: str) -> None:
    """Raise ``AccountError`` when ``email`` got its ``ACCOUNT_MAILS_PER_ADDRESS`` confirmations this hour."""
    if store_users.recent_failures(conn, _mailed_key(email), window=HOUR) >= ACCOUNT_MAILS_PER_ADDRESS:
        raise store_users.AccountError(
            f"{email} was sent too many confirmation links in the last hour; try again later"
        )


def queue_account_mail(
    conn,
    settings: Settings,
    *,
    template: str,
    kind: str,
    to: str,
    subject: str,
    dedupe_key: str,
    now: datetime,
    **context,
) -> int | None:
    """An account's mail (no subscriber, no unsubscribe link): ``template``'s text and HTML rendered with the
    site's name and address and ``context``, queued in the outbox as ``kind`` once per ``dedupe_key``."""
    base_url = settings.base_url.rstrip("/")
    text, html = message.render(
        template, subject=subject, to=to, site_name=settings.site_name, base_url=base_url, **context
    )
    built = message.build(settings, to=to, subject=subject, text=text, html=html, now=now)
    return store_outbox.queue(
        conn, subscriber_id=None, kind=kind, dedupe_key=dedupe_key, to_addr=to, subject=subject,
        message=built.text, now=now,
    )  # fmt: skip


def queue_account_confirmation(conn, settings: Settings, *, user_id: int, username: str, email: str) -> int | None:
    """Queue the mail whose link confirms ``email`` as the address of account ``user_id`` (once an hour);
    ``AccountError`` when the address had its share of them (``check_account_mail``)."""
    check_account_mail(conn, email)
    now = datetime.now(UTC)
    url = tokens.account_link(settings, user_id, email)
    row_id = queue_account_mail(
        conn, settings, template="account", kind="account", to=email,
        subject=f"Confirm your address at {settings.site_name}",
        dedupe_key=f"account:{user_id}:{email.lower()}:{now:%Y%m%d%H}", now=now,
        username=username, confirm_url=url, hours=settings.confirm_link_hours,
    )  # fmt: skip
    if row_id is not None:
        store_users.note_failure(conn, _mailed_key(email))  # the login limiter's event log, under its own key
    return row_id


PASSWORD_CHANGED_HOW = {
    "profile": "with the password form on the profile",
    "reset": "with a reset link mailed to this address",
    "operator": "by the site operator",
}


def queue_password_changed(conn, settings: Settings, user: store_users.UserView, *, how: str) -> int | None:
    """Queue the notice that ``user``'s password was changed (OWASP: tell the owner, so that someone else's
    change is noticed) to the account's confirmed address, in the change's transaction; None when it has
    no confirmed address. ``user`` as after the change: its new session epoch names the mail, one per
    change. ``how``: a key of ``PASSWORD_CHANGED_HOW``. It says when and how, never the password."""
    if not user.email:
        return None
    now = datetime.now(UTC)
    base = settings.base_url.rstrip("/")
    return queue_account_mail(
        conn, settings, template="password_changed", kind="password", to=user.email,
        subject=f"Your password at {settings.site_name} was changed",
        dedupe_key=f"password:{user.id}:{user.session_epoch}", now=now,
        username=user.username, when=f"{now:%Y-%m-%d %H:%M}", how=PASSWORD_CHANGED_HOW[how],
        reset_url=f"{base}/account/reset", profile_url=f"{base}/users/{user.username}",
    )  # fmt: skip


def mask_address(email: str) -> str:
    """``mallory@evil.example`` -> ``m***@evil.example``: enough for the owner to recognise their own
    address, not a stranger's address handed to whoever reads the old mailbox."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def queue_address_changing(conn, settings: Settings, user: store_users.UserView, new: str) -> int | None:
    """Queue the notice to ``user``'s confirmed address that ``new`` was asked for in its place (once per new
    address an hour), in the request's transaction; None when it has no confirmed address or ``new`` is it."""
    if not user.email or user.email.lower() == new.lower():
        return None
    now = datetime.now(UTC)
    base = settings.base_url.rstrip("/")
    return queue_account_mail(
        conn, settings, template="address_changing", kind="address", to=user.email,
        subject=f"The address of your account at {settings.site_name} is being changed",
        dedupe_key=f"address:{user.id}:{new.lower()}:{now:%Y%m%d%H}", now=now,
        username=user.username, when=f"{now:%Y-%m-%d %H:%M}", new=mask_address(new),
        hours=settings.confirm_link_hours, reset_url=f"{base}/account/reset",
        profile_url=f"{base}/users/{user.username}",
    )  # fmt: skip


def confirm_account_email(store: Store, settings: Settings, user_id: int, email: str):
    """Make ``email`` the account's confirmed address and link its subscription, if any, to the account."""
    with store.transaction() as conn:
        user = store_users.confirm_email(conn, user_id, email)
        subs.link_account(conn, email, user_id)
    return user


def sender(store: Store, settings: Settings, row_id: int | None) -> Callable[[], None] | None:
    """A function that sends outbox message ``row_id`` now (run after the response); the scheduler's
    delivery runs retry it if this fails."""
    if row_id is None:
        return None

    def run() -> None:
        from .send import deliver

        try:
            report = deliver(store, settings, ids=[row_id], wait=0)
            if report.error:
                log.warning("mail %s not sent yet: %s", row_id, report.error)
        except Exception:  # the outbox keeps it; the next delivery run retries
            log.exception("mail %s: delivery failed", row_id)

    return run
