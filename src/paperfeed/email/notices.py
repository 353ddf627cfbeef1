"""The mails that are not digests: the double opt-in confirmation and the "already subscribed" note.

At most one of each per address per hour (the outbox ``dedupe_key`` carries the hour), so the public
subscribe form cannot be used to flood someone's inbox.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..settings import Settings
from ..store import Store
from ..store import outbox as store_outbox
from ..store import subscriptions as subs
from . import message, tokens


def request(store: Store, settings: Settings, email: str, *, user_id: int | None = None) -> int | None:
    """Subscribe ``email`` (pending until confirmed) and queue the right mail; returns the outbox row id.

    pending -> a confirmation link; active -> a note with the settings link; bouncing -> nothing. The
    caller shows the same "check your inbox" page in every case, so the form reveals nothing.
    """
    now = datetime.now(UTC)
    with store.transaction() as conn:
        sub = subs.subscribe(conn, email, user_id=user_id, now=now)
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
