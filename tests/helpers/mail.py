"""Helpers for the email tests: a real SMTP server (aiosmtpd) on loopback that keeps what it receives.

with smtp_server() as inbox:            # inbox.port, inbox.messages (parsed), inbox.to("a@b.c")
    inbox.rcpt_replies["x@y.z"] = ["451 4.3.0 try later"]   # scripted replies, one per attempt
"""

from __future__ import annotations

import contextlib
import email
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

URL_RE = re.compile(r"https?://testserver(/[^\s\"'<>]+)")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    msg: EmailMessage
    raw: bytes

    @property
    def text(self) -> str:
        return self.msg.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.msg.get_body(("html",)).get_content()

    def links(self) -> list[str]:
        """Site-relative paths of every link in the plain-text part (base_url is http://testserver)."""
        return URL_RE.findall(self.text)

    def link(self, prefix: str) -> str:
        found = [u for u in self.links() if u.startswith(prefix)]
        assert found, f"no {prefix} link in:\n{self.text}"
        return found[0]


@dataclass
class Inbox:
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    on_data: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, addr: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if addr.lower() in (a.lower() for a in m.rcpt_tos)]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001
        replies = self.rcpt_replies.get(address.lower())
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        raw = envelope.original_content or envelope.content
        got = Received(envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(raw, policy=default), raw)
        with self.lock:
            self.messages.append(got)
        if self.on_data:
            self.on_data(got)
        return "250 2.0.0 accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def mail_settings(tmp_path, inbox: Inbox, **kw) -> dict:
    """Settings for an app or a composer that mails the test server."""
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": inbox.port,
        "mail_rate": 0,
        "base_url": "http://testserver",
        "mail_from": "paperfeed <digest@example.org>",
        **kw,
    }
