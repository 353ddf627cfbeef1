"""Email subscribers and their alerts (docs/email.md); what composing digests reads and writes of them in
bulk, the history of papers sent to each included, is ``store.digests``.

A subscriber is an address (unique case-insensitively), optionally linked to an account. Its ``status``:
``pending`` (asked, not confirmed: only a confirmation may be sent), ``active``, ``unsubscribed``,
``bouncing`` (too many permanent failures: never mailed again). Everything typed by a visitor is checked
here, so no address, alert value or name with a line break ever reaches a mail header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utc
from ..errors import PaperfeedError
from .models import alerts, subscribers
from .outbox import cancel_for

STATUSES = ("pending", "active", "unsubscribed", "bouncing")
FREQUENCIES = ("daily", "weekly")
ALERT_KINDS = ("keyword", "query", "author", "category")
MAX_ALERTS = 20
MAX_ALERT_CHARS = 200
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_CATEGORY = re.compile(r"^[a-z][a-z-]*(\.[A-Za-z][A-Za-z-]*)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SubscriptionError(PaperfeedError):
    """A refused subscription input (bad address, bad alert...): the message is shown to the visitor."""


@dataclass(frozen=True)
class AlertView:
    id: int
    subscriber_id: int
    kind: str
    value: str
    frequency: str
    last_digest_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} “{self.value}”" if self.kind in ("author", "category") else f"“{self.value}”"


@dataclass(frozen=True)
class SubscriberView:
    id: int
    email: str
    user_id: int | None
    status: str
    frequency: str
    trending: bool
    personal: bool
    send_empty: bool
    token_version: int
    bounce_count: int
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    last_digest_at: datetime | None
    alerts: list[AlertView] = field(default_factory=list)


def subscriber_view(row, alert_rows: Sequence = ()) -> SubscriberView:
    """A subscriber row and its alert rows as a ``SubscriberView``."""
    return SubscriberView(
        id=row.id, email=row.email, user_id=row.user_id, status=row.status, frequency=row.frequency,
        trending=row.trending, personal=row.personal, send_empty=row.send_empty, token_version=row.token_version,
        bounce_count=row.bounce_count, created_at=utc(row.created_at), confirmed_at=utc(row.confirmed_at),
        unsubscribed_at=utc(row.unsubscribed_at), last_digest_at=utc(row.last_digest_at),
        alerts=[_alert(a) for a in alert_rows],
    )  # fmt: skip


def _alert(a) -> AlertView:
    return AlertView(a.id, a.subscriber_id, a.kind, a.value, a.frequency, utc(a.last_digest_at))


# --- checking input -----------------------------------------------------------------------------------


def check_address(raw: str | None) -> str:
    """A deliverable, header-safe address, or ``SubscriptionError``. IDN domains become punycode."""
    raw = raw or ""
    if _CONTROL.search(raw):
        raise SubscriptionError("an email address is one line, without control characters")
    email = raw.strip()
    if not email:
        raise SubscriptionError("type an email address")
    if len(email) > 254 or email.count("@") != 1:
        raise SubscriptionError(f"“{email[:80]}” is not a valid email address")
    local, domain = email.split("@")
    try:
        domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError:
        raise SubscriptionError(f"“{email[:80]}” is not a valid email address") from None
    email = f"{local}@{domain}"
    if not _ADDRESS.match(email) or "." not in domain or ".." in email or local.startswith(".") or local.endswith("."):
        raise SubscriptionError(f"“{email[:80]}” is not a valid email address")
    return email


def check_alert(kind: str, value: str | None, frequency: str) -> tuple[str, str, str]:
    if kind not in ALERT_KINDS:
        raise SubscriptionError(f"an alert is one of: {', '.join(ALERT_KINDS)}")
    if frequency not in FREQUENCIES:
        raise SubscriptionError("an alert is sent daily or weekly")
    value = value or ""
    if _CONTROL.search(value):
        raise SubscriptionError("an alert is one line, without control characters")
    value = " ".join(value.split())
    if not value:
        raise SubscriptionError("type the words, name or category to watch")
    if len(value) > MAX_ALERT_CHARS:
        raise SubscriptionError(f"an alert is at most {MAX_ALERT_CHARS} characters")
    if kind == "category":
        value = arxiv_category(value)
    return kind, value, frequency


def arxiv_category(value: str) -> str:
    """An arXiv category as arXiv writes it ("CS.lg" -> "cs.LG", "astro-ph.co" -> "astro-ph.CO",
    "physics.optics"), or a whole archive ("cs": every cs.* category); else ``SubscriptionError``."""
    if not _CATEGORY.match(value.lower()):
        raise SubscriptionError(f"“{value}” is not an arXiv category (like cs.LG, or cs for all of them)")
    archive, _, subject = value.lower().partition(".")
    if not subject:
        return archive
    return f"{archive}.{subject.upper() if len(subject) <= 2 else subject}"


# --- subscribers --------------------------------------------------------------------------------------


def get(conn: Connection, subscriber_id: int) -> SubscriberView | None:
    row = conn.execute(select(subscribers).where(subscribers.c.id == subscriber_id)).first()
    if row is None:
        return None
    q = select(alerts).where(alerts.c.subscriber_id == row.id).order_by(alerts.c.id)
    return subscriber_view(row, conn.execute(q).all())


def by_email(conn: Connection, email: str) -> SubscriberView | None:
    sid = conn.execute(select(subscribers.c.id).where(subscribers.c.email_key == email.strip().lower())).scalar()
    return get(conn, sid) if sid is not None else None


def for_user(conn: Connection, user_id: int) -> SubscriberView | None:
    sid = conn.execute(
        select(subscribers.c.id).where(subscribers.c.user_id == user_id).order_by(subscribers.c.id.desc())
    ).scalar()
    return get(conn, sid) if sid is not None else None


def link_account(conn: Connection, email: str, user_id: int) -> None:
    """The account just confirmed owning ``email``: its digests follow the address.

    The subscription of ``email``, if there is one, is linked to the account, and an older one of the
    account keeps its address as a plain subscription (no personal picks: it is no longer the account's).
    Without one, the account's subscription moves to ``email`` (the same person confirmed both addresses),
    with its settings and alerts."""
    email = email.strip()
    key = email.lower()
    have = conn.execute(select(subscribers.c.id).where(subscribers.c.email_key == key)).scalar()
    mine = for_user(conn, user_id)
    if have is None and mine is not None:
        conn.execute(update(subscribers).where(subscribers.c.id == mine.id).values(email=email, email_key=key))
        return
    conn.execute(update(subscribers).where(subscribers.c.email_key == key).values(user_id=user_id))
    conn.execute(
        update(subscribers)
        .where(subscribers.c.user_id == user_id, subscribers.c.email_key != key)
        .values(user_id=None, personal=False)
    )


def subscribe(
    conn: Connection, email: str, *, user_id: int | None = None, now: datetime | None = None
) -> SubscriberView:
    """Create (or reopen) the subscription of ``email``; it stays pending until confirmed.

    A known address keeps its settings: an unsubscribed one goes back to pending, an active one stays
    active. A bouncing one goes back to pending too: its owner may have mended the mailbox, and the one
    confirmation this sends (at most hourly) shows it; its bounce count is kept, so one more permanent
    failure makes it bouncing again, and confirming resets it. ``user_id`` links the account (the caller
    checks it owns the address).
    """
    email = check_address(email)
    now = now or datetime.now(UTC)
    key = email.lower()
    existing = conn.execute(select(subscribers.c.id).where(subscribers.c.email_key == key)).scalar()
    if existing is None:
        try:
            with conn.begin_nested():
                existing = conn.execute(
                    subscribers.insert()
                    .values(
                        email=email,
                        email_key=key,
                        user_id=user_id,
                        status="pending",
                        frequency="daily",
                        trending=True,
                        personal=user_id is not None,
                        send_empty=False,
                        token_version=0,
                        bounce_count=0,
                        created_at=now,
                    )  # fmt: skip
                    .returning(subscribers.c.id)
                ).scalar_one()
        except IntegrityError:  # the same address, subscribed at the same moment
            existing = conn.execute(select(subscribers.c.id).where(subscribers.c.email_key == key)).scalar_one()
    values: dict = {}
    if user_id is not None:
        values["user_id"] = user_id
    conn.execute(
        update(subscribers)
        .where(subscribers.c.id == existing, subscribers.c.status.in_(("unsubscribed", "bouncing")))
        .values(status="pending", unsubscribed_at=None)
    )
    if values:
        conn.execute(update(subscribers).where(subscribers.c.id == existing).values(**values))
    return get(conn, existing)  # type: ignore[return-value]


def confirm(conn: Connection, subscriber_id: int, token_version: int, *, now: datetime | None = None) -> bool:
    """Activate a pending subscriber whose confirmation link carries the current token version.

    Confirming starts a new subscription period: the token version moves on, so links mailed during an
    earlier period (and the confirmation link itself) stop working.
    """
    res = conn.execute(
        update(subscribers)
        .where(
            subscribers.c.id == subscriber_id,
            subscribers.c.status == "pending",
            subscribers.c.token_version == token_version,
        )
        .values(
            status="active",
            confirmed_at=now or datetime.now(UTC),
            bounce_count=0,
            token_version=subscribers.c.token_version + 1,
        )
    )
    return res.rowcount == 1


def update_settings(
    conn: Connection, subscriber_id: int, *, frequency: str, trending: bool, personal: bool, send_empty: bool
) -> None:
    if frequency not in FREQUENCIES:
        raise SubscriptionError("digests are sent daily or weekly")
    conn.execute(
        update(subscribers)
        .where(subscribers.c.id == subscriber_id)
        .values(frequency=frequency, trending=trending, personal=personal, send_empty=send_empty)
    )


def unsubscribe(conn: Connection, subscriber_id: int, *, now: datetime | None = None) -> bool:
    """Stop every mail to this subscriber (idempotent); queued digests are cancelled too. A bouncing
    address is marked unsubscribed as well: its owner asked, and may subscribe again later."""
    res = conn.execute(
        update(subscribers)
        .where(subscribers.c.id == subscriber_id, subscribers.c.status.in_(("pending", "active", "bouncing")))
        .values(status="unsubscribed", unsubscribed_at=now or datetime.now(UTC))
    )
    cancel_for(conn, subscriber_id)
    return res.rowcount == 1


def revoke_links(conn: Connection, subscriber_id: int) -> None:
    """Invalidate every link mailed so far (settings, unsubscribe, confirmation)."""
    conn.execute(
        update(subscribers)
        .where(subscribers.c.id == subscriber_id)
        .values(token_version=subscribers.c.token_version + 1)
    )


def note_bounce(conn: Connection, subscriber_id: int, *, max_bounces: int) -> bool:
    """Count a permanent failure; returns True when the address is now bouncing (never mailed again). An
    unsubscribed address stays unsubscribed (the count still tells a later confirmation's bounce)."""
    conn.execute(
        update(subscribers).where(subscribers.c.id == subscriber_id).values(bounce_count=subscribers.c.bounce_count + 1)
    )
    res = conn.execute(
        update(subscribers)
        .where(
            subscribers.c.id == subscriber_id,
            subscribers.c.bounce_count >= max_bounces,
            subscribers.c.status.in_(("pending", "active")),
        )
        .values(status="bouncing")
    )
    return res.rowcount == 1


def note_delivered(conn: Connection, subscriber_id: int) -> None:
    """A message was accepted: earlier bounces were transient after all."""
    conn.execute(
        update(subscribers)
        .where(subscribers.c.id == subscriber_id, subscribers.c.bounce_count > 0, subscribers.c.status == "active")
        .values(bounce_count=0)
    )


def status_counts(conn: Connection) -> dict[str, int]:
    q = select(subscribers.c.status, func.count()).group_by(subscribers.c.status)
    return {s: 0 for s in STATUSES} | dict(conn.execute(q).all())


# --- alerts -------------------------------------------------------------------------------------------


def add_alert(conn: Connection, subscriber_id: int, *, kind: str, value: str, frequency: str) -> AlertView:
    kind, value, frequency = check_alert(kind, value, frequency)
    same = conn.execute(
        select(alerts.c.value).where(
            alerts.c.subscriber_id == subscriber_id, alerts.c.kind == kind, func.lower(alerts.c.value) == value.lower()
        )
    ).scalar()
    if same is not None:  # "Protein Folding" beside "protein folding" would send the same papers twice
        raise SubscriptionError(f"you already have the {kind} alert “{same}”")
    n = conn.execute(select(func.count()).where(alerts.c.subscriber_id == subscriber_id)).scalar_one()
    if n >= MAX_ALERTS:
        raise SubscriptionError(f"at most {MAX_ALERTS} alerts per subscription")
    try:
        with conn.begin_nested():
            aid = conn.execute(
                alerts.insert()
                .values(
                    subscriber_id=subscriber_id,
                    kind=kind,
                    value=value,
                    frequency=frequency,
                    created_at=datetime.now(UTC),
                )  # fmt: skip
                .returning(alerts.c.id)
            ).scalar_one()
    except IntegrityError:
        raise SubscriptionError(f"you already have the {kind} alert “{value}”") from None
    return AlertView(aid, subscriber_id, kind, value, frequency)


def remove_alert(conn: Connection, subscriber_id: int, alert_id: int) -> bool:
    res = conn.execute(alerts.delete().where(alerts.c.id == alert_id, alerts.c.subscriber_id == subscriber_id))
    return res.rowcount == 1
