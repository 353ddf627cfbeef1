"""Signed links in mails: confirm (expires), manage and unsubscribe (revocable); an account's address; a
password reset (expires in minutes, works once).

Each purpose has its own salt, so a token for one page never opens another. A token carries the
subscriber id and the subscriber's ``token_version``: bumping the version (a new confirmation, or
``revoke_links``) kills every link mailed before. Manage and unsubscribe links do not expire: a digest
from last year must still unsubscribe in one click.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import PaperfeedError
from ..settings import Settings

PURPOSES = ("confirm", "manage", "unsubscribe", "account", "reset")


class TokenError(PaperfeedError):
    """A forged, damaged, expired or revoked link."""


@dataclass(frozen=True)
class TokenData:
    subscriber_id: int
    version: int


_serializers: dict[tuple[int, str], tuple[Settings, URLSafeTimedSerializer]] = {}


def _serializer(settings: Settings, purpose: str) -> URLSafeTimedSerializer:
    """One serializer per settings object and purpose (a digest run signs two links per subscriber)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    hit = _serializers.get((id(settings), purpose))
    if hit is None or hit[0] is not settings:
        if len(_serializers) > 64:
            _serializers.clear()
        hit = (settings, URLSafeTimedSerializer(settings.signing_key(), salt=f"paperfeed.email.{purpose}"))
        _serializers[(id(settings), purpose)] = hit
    return hit[1]


def make(settings: Settings, purpose: str, subscriber_id: int, version: int) -> str:
    return _serializer(settings, purpose).dumps([subscriber_id, version])


def read(settings: Settings, purpose: str, token: str) -> TokenData:
    """The token's contents, or ``TokenError`` with a message fit for the visitor."""
    data = _load(settings, purpose, token)
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(x, int) for x in data)):
        raise TokenError("This link is not valid.")
    return TokenData(data[0], data[1])


def _load(settings: Settings, purpose: str, token: str):
    max_age = settings.confirm_link_hours * 3600 if purpose in ("confirm", "account") else None
    try:
        data = _serializer(settings, purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        again = "Send a new one from your profile page." if purpose == "account" else "Subscribe again for a new one."
        raise TokenError(
            f"This link has expired (confirmation links last {settings.confirm_link_hours} hours). {again}"
        ) from None
    except BadSignature:
        raise TokenError(
            "This link is not valid: it may be damaged or incomplete. Copy the whole link from the mail."
        ) from None
    return data


def account_link(settings: Settings, user_id: int, email: str) -> str:
    """The link that confirms ``email`` as the address of account ``user_id`` (expires like ``confirm``)."""
    token = _serializer(settings, "account").dumps([user_id, email])
    return f"{settings.base_url.rstrip('/')}/account/email/confirm/{token}"


def read_account(settings: Settings, token: str) -> tuple[int, str]:
    """(user id, address) of an account link, or ``TokenError``."""
    data = _load(settings, "account", token)
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int) and isinstance(data[1], str)):
        raise TokenError("This link is not valid.")
    return data[0], data[1]


RESET_GONE = "This link has expired or was already used — ask for a new one."


def _address_tag(settings: Settings, email: str) -> str:
    """A short keyed digest of an address, so that a reset link names its address without showing it: an
    HMAC with the site's key (a plain hash would let whoever sees a link test guessed addresses offline)."""
    key = f"paperfeed.email.reset-address:{settings.signing_key()}".encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:16]


def reset_link(settings: Settings, user_id: int, epoch: int, email: str) -> str:
    """The link that sets a new password for account ``user_id``: valid ``reset_link_minutes``, and only while
    the account is at session ``epoch`` (any password change moves it on, so the link works once) and its
    confirmed address is still ``email``."""
    token = _serializer(settings, "reset").dumps([user_id, epoch, _address_tag(settings, email)])
    return f"{settings.base_url.rstrip('/')}/account/reset/{token}"


def read_reset(settings: Settings, token: str) -> tuple[int, int, str]:
    """(user id, epoch, address digest) of a reset link, or ``TokenError``; ``reset_matches`` checks them."""
    try:
        data = _serializer(settings, "reset").loads(token, max_age=settings.reset_link_minutes * 60)
    except SignatureExpired:
        raise TokenError(RESET_GONE) from None
    except BadSignature:
        raise TokenError("This link is not valid: it may be damaged or incomplete. Ask for a new one.") from None
    if not (
        isinstance(data, list)
        and len(data) == 3
        and all(isinstance(x, int) for x in data[:2])
        and isinstance(data[2], str)
    ):
        raise TokenError("This link is not valid. Ask for a new one.")
    return data[0], data[1], data[2]


def reset_matches(settings: Settings, tag: str, email: str | None) -> bool:
    return bool(email) and hmac.compare_digest(tag, _address_tag(settings, email))


def links(settings: Settings, subscriber_id: int, version: int) -> dict[str, str]:
    """The absolute settings and unsubscribe URLs every mail carries."""
    base = settings.base_url.rstrip("/")
    return {
        "manage": f"{base}/subscription/{make(settings, 'manage', subscriber_id, version)}",
        "unsubscribe": f"{base}/unsubscribe/{make(settings, 'unsubscribe', subscriber_id, version)}",
    }


def confirm_link(settings: Settings, subscriber_id: int, version: int) -> str:
    return f"{settings.base_url.rstrip('/')}/subscribe/confirm/{make(settings, 'confirm', subscriber_id, version)}"


# --- where the links lead ----------------------------------------------------------------------------------

MAIL_SETTINGS = ("smtp_host", "smtp_port", "smtp_security", "smtp_user", "smtp_password", "mail_from")


def mail_configured(settings: Settings) -> bool:
    """Whether the operator set up mail (any SMTP or sender setting given): mail is meant to go out."""
    return bool(set(MAIL_SETTINGS) & settings.model_fields_set)


def is_loopback(host: str | None) -> bool:
    """``localhost``, 127.x, ::1, or the any-address (0.0.0.0, ::): nobody else opens a link to it."""
    host = (host or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost") or not host:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def link_warning(settings: Settings, *, url: str | None = None) -> str | None:
    """What is wrong with the links mails carry, in one line for the operator (None: nothing).

    ``url``: where links lead when ``base_url`` is not set (``serve`` uses the address it listens on).
    Links to a loopback address open only on the server; plain http ones lose one-click unsubscribe,
    which RFC 8058 (and the large mail providers) grant to https links only."""
    unset = "base_url" not in settings.model_fields_set
    url = (url if unset and url else settings.base_url).rstrip("/")
    parts = urlsplit(url)
    fix = "set base_url (PAPERFEED_BASE_URL) to the site's public address, e.g. https://papers.example.org"
    if unset or is_loopback(parts.hostname):
        why = "base_url is not set" if unset else f"base_url {url} is a loopback address"
        where = ", which opens only on this machine" if is_loopback(parts.hostname) else ""
        return f"{why}: links in mails (confirmations, digests, unsubscribe) lead to {url}{where}; {fix}"
    if parts.scheme != "https":
        return (
            f"base_url {url} is not https: mail clients offer one-click unsubscribe (RFC 8058) only for https "
            "links; set base_url to the site's https address"
        )
    return None
