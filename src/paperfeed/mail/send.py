"""Delivering the outbox over SMTP: every message once, across crashes and kills (docs/email.md).

The protocol for one message, on one reused SMTP connection:

1. claim: ``UPDATE outbox SET status='sending' WHERE id=? AND status='pending'`` (rowcount 1, or another
   sender has it);
2. ``MAIL FROM``, ``RCPT TO``, ``DATA`` (expect 354), then the dot-stuffed message *without* the final
   ``.``: the server holds it, but does not take it until the final dot arrives;
3. COMMIT ``status='handed'``;
4. send ``.\\r\\n`` and read the reply; on 250 COMMIT ``status='sent'``.

A kill before step 3 leaves ``sending``: the server never got the final dot and discarded the message,
so the next sender puts it back to ``pending`` and sends it. A kill after step 3 leaves ``handed``: the
server may have taken it, so it is never sent again automatically; the next sender marks it
``unconfirmed`` and reports it (``paperfeed digest status``). The only way to lose a message is a kill
in the microseconds between the commit of step 3 and writing five bytes to the socket.

One sender at a time per database (a lock file beside a SQLite database, an advisory lock on
PostgreSQL), so the next sender knows that ``sending``/``handed`` rows belong to a dead one; claims stay
conditional anyway. Transient failures (4xx, lost connections) retry with exponential backoff; a
permanent one (5xx) fails the message and counts a bounce for the address, which is marked bouncing and
never mailed again after ``mail_max_bounces``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

from sqlalchemy import text

from ..settings import Settings
from ..store import Store
from ..store import outbox as store_outbox
from ..store import subscriptions as subs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
KEEP_TEXT = timedelta(days=2)  # a sent message's text is kept this long (then blanked: 10,000 digests ~300 MB)
KEEP_ROWS = timedelta(days=30)  # and its row this long (for `digest status`)
ALLOWED = {"digest": ("active",), "manage": ("active",), "confirm": ("pending",)}


@dataclass
class SendReport:
    sent: int = 0
    retry: int = 0  # transient failures, queued again with backoff
    failed: int = 0
    bouncing: list[str] = field(default_factory=list)  # addresses that just became bouncing
    cancelled: int = 0  # the recipient unsubscribed or bounces meanwhile
    requeued: int = 0  # 'sending' rows of a dead sender, sent again
    unconfirmed: list[int] = field(default_factory=list)  # 'handed' rows of a dead sender: not resent
    locked: bool = False  # another sender was running: nothing done
    error: str | None = None  # why the run stopped early (the SMTP server unreachable...)
    waiting: int = 0  # pending messages left after the run (their next try is later, or the run stopped)
    next_try: datetime | None = None  # when the first of them is due
    last_error: str | None = None  # why its last try failed


class Refused(Exception):
    def __init__(self, stage: str, code: int, reply: bytes | str):
        self.stage, self.code = stage, code
        self.reply = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        super().__init__(f"{stage}: {code} {self.reply}")


class ConnectFailed(Exception):
    """The SMTP server could not be reached, or refused the TLS/login handshake."""


class LostAfterHanding(Exception):
    """The connection broke after the message was handed over: the server may or may not have it."""


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


def dot_stuffed(message: str) -> bytes:
    """The DATA payload without the terminating dot: CRLF line ends, a leading '.' doubled."""
    data = re.sub(rb"\r\n|\n|\r", b"\r\n", message.encode("utf-8"))
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


# --- one sender at a time -------------------------------------------------------------------------------


@contextlib.contextmanager
def outbox_lock(store: Store, *, wait: float = 10.0) -> Iterator[bool]:
    """Hold the database's sender lock; yields False when another sender kept it for ``wait`` seconds."""
    deadline = time.monotonic() + wait
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            key = "select hashtext('paperfeed.outbox.' || current_schema())"
            lock_id = conn.execute(text(key)).scalar_one()
            conn.commit()
            while not conn.execute(text("select pg_try_advisory_lock(:k)"), {"k": lock_id}).scalar_one():
                conn.commit()
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.2)
            conn.commit()
            try:
                yield True
            finally:
                conn.execute(text("select pg_advisory_unlock(:k)"), {"k": lock_id})
                conn.commit()
        return
    database = store.engine.url.database
    if not database or database == ":memory:":
        yield True
        return
    import fcntl

    with open(Path(database).with_name(Path(database).name + ".outbox-lock"), "w") as f:
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.2)
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# --- SMTP -----------------------------------------------------------------------------------------------


class Connection:
    """One SMTP connection, reused for many messages; opened on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.sender = parseaddr(settings.mail_from)[1]

    def open(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        try:
            smtp.ehlo_or_helo_if_needed()
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value() if s.smtp_password else "")
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.quit()
            with contextlib.suppress(Exception):
                self.smtp.close()
            self.smtp = None

    def transmit(self, to_addr: str, message: str, handed: Callable[[], None]) -> tuple[int, str]:
        """Send one message; ``handed()`` commits the handover before the final dot. Returns the final reply."""
        if self.smtp is None:
            try:
                self.open()
            except (smtplib.SMTPException, OSError) as exc:
                raise ConnectFailed(f"{type(exc).__name__}: {exc}") from exc
        smtp = self.smtp
        assert smtp is not None
        try:
            code, reply = smtp.mail(self.sender)
            if code != 250:
                raise Refused("MAIL FROM", code, reply)
            code, reply = smtp.rcpt(to_addr)
            if code not in (250, 251):
                raise Refused("RCPT TO", code, reply)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                raise Refused("DATA", code, reply)
            smtp.send(dot_stuffed(message))
        except Refused:
            with contextlib.suppress(Exception):
                smtp.rset()
            raise
        except (smtplib.SMTPException, OSError):
            self.close()
            raise
        try:
            handed()
        except BaseException:
            self.close()  # no final dot: the server drops the message
            raise
        try:
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise LostAfterHanding(str(exc)) from exc
        return code, reply.decode("utf-8", "replace")


# --- the delivery run -------------------------------------------------------------------------------------


def deliver(
    store: Store,
    settings: Settings,
    *,
    ids: list[int] | None = None,
    wait: float = 10.0,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SendReport:
    """Send every due outbox message (or only ``ids``); safe to run from several processes at once."""
    report = SendReport()
    with outbox_lock(store, wait=wait) as got:
        if not got:
            report.locked = True
            return report
        with store.transaction() as conn:
            report.requeued, report.unconfirmed = store_outbox.recover(conn)
            store_outbox.prune(conn, now=clock(), blank_after=KEEP_TEXT, delete_after=KEEP_ROWS)
        for rid in report.unconfirmed:
            log.warning("outbox message %s: the previous sender stopped after handing it over; not resent", rid)
        smtp = Connection(settings)
        interval = 1.0 / settings.mail_rate if settings.mail_rate > 0 else 0.0
        next_slot = time.monotonic()
        done = 0
        try:
            while limit is None or done < limit:
                with store.read() as conn:
                    batch = store_outbox.due(conn, now=clock(), limit=100, ids=ids)
                if not batch:
                    break
                for rid in batch:
                    if limit is not None and done >= limit:
                        break
                    with store.transaction() as conn:
                        row = store_outbox.claim(conn, rid, now=clock())
                        if row is None:
                            continue
                        status = store_outbox.recipient_status(conn, row.subscriber_id)
                        if row.subscriber_id is not None and status not in ALLOWED.get(row.kind, ("active",)):
                            store_outbox.set_status(conn, rid, "cancelled", error=f"recipient is {status}")
                            report.cancelled += 1
                            continue
                    if interval:
                        pause = next_slot - time.monotonic()
                        if pause > 0:
                            time.sleep(pause)
                        next_slot = max(next_slot, time.monotonic()) + interval
                    _send_one(store, settings, smtp, row, report, clock)
                    done += 1
                    if progress:
                        progress(1)
        except _Stop as stop:
            report.error = str(stop)
        finally:
            smtp.close()
        with store.read() as conn:
            report.waiting, report.next_try, report.last_error = store_outbox.waiting(conn)
    return report


class _Stop(Exception):
    """The SMTP server cannot be reached or refuses our sender: stop this run, retry later."""


def _send_one(store: Store, settings: Settings, smtp: Connection, row, report: SendReport, clock) -> None:
    def handed() -> None:
        with store.transaction() as conn:
            if not store_outbox.set_status(conn, row.id, "handed", expect="sending"):
                raise RuntimeError(f"outbox message {row.id} changed while it was being sent")

    try:
        code, reply = smtp.transmit(row.to_addr, row.message, handed)
    except Refused as exc:
        if exc.code >= 500 and exc.stage != "MAIL FROM":
            _permanent(store, settings, row, report, str(exc))
        else:
            _retry(store, row, report, str(exc), clock)
            if exc.stage == "MAIL FROM":
                raise _Stop(f"the SMTP server refuses the sender: {exc}") from exc
        return
    except LostAfterHanding as exc:
        with store.transaction() as conn:
            store_outbox.set_status(conn, row.id, "unconfirmed", error=f"connection lost after handing over: {exc}")
        report.unconfirmed.append(row.id)
        log.warning("outbox message %s: connection lost after handing it over; not resent", row.id)
        return
    except ConnectFailed as exc:
        _retry(store, row, report, str(exc), clock)
        raise _Stop(f"SMTP server {settings.smtp_host}:{settings.smtp_port}: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:  # the line broke mid-message: the next one reconnects
        _retry(store, row, report, f"{type(exc).__name__}: {exc}", clock)
        return
    if code == 250:
        with store.transaction() as conn:
            store_outbox.set_status(conn, row.id, "sent", expect="handed", sent_at=clock())
            if row.subscriber_id is not None:
                subs.note_delivered(conn, row.subscriber_id)
        report.sent += 1
    elif code >= 500:
        _permanent(store, settings, row, report, f"after DATA: {code} {reply}", expect="handed")
    else:
        _retry(store, row, report, f"after DATA: {code} {reply}", clock, expect="handed")


def _retry(store: Store, row, report: SendReport, error: str, clock, *, expect: str = "sending") -> None:
    with store.transaction() as conn:
        if row.attempts >= MAX_ATTEMPTS:
            store_outbox.set_status(
                conn, row.id, "failed", expect=expect, error=f"gave up after {row.attempts} tries: {error}"
            )
            report.failed += 1
            return
        store_outbox.set_status(
            conn, row.id, "pending", expect=expect, error=error, next_attempt_at=clock() + backoff(row.attempts)
        )
    report.retry += 1
    log.info("outbox message %s: %s; retrying later", row.id, error)


def _permanent(
    store: Store, settings: Settings, row, report: SendReport, error: str, *, expect: str = "sending"
) -> None:
    with store.transaction() as conn:
        store_outbox.set_status(conn, row.id, "failed", expect=expect, error=error)
        if row.subscriber_id is not None and subs.note_bounce(
            conn, row.subscriber_id, max_bounces=settings.mail_max_bounces
        ):
            report.cancelled += store_outbox.cancel_for(conn, row.subscriber_id)
            report.bouncing.append(row.to_addr)
    report.failed += 1
    log.warning("outbox message %s to %s failed: %s", row.id, row.to_addr, error)
