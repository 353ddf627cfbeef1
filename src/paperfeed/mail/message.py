"""Building the mails: multipart/alternative (plain text + HTML from the templates beside this module).

The HTML uses inline styles only and no images or remote resources, so it renders the same in every
client, offline. Headers follow RFC 5322 (CRLF line ends, folded, non-ASCII names and subjects RFC
2047-encoded); every mail to a subscriber carries ``List-Id`` (RFC 2919, one per site, for readers'
filters) and ``List-Unsubscribe`` with its one-click POST (RFC 8058) besides the visible link.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..latex import math_to_text
from ..settings import Settings

TEMPLATES = Path(__file__).parent / "templates"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"'])")
_HEADER_UNSAFE = re.compile(r"[\r\n\x00]")


@cache
def _env(html: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]) if html else False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package: no stat() per render
    )
    env.filters["day"] = short_day
    env.filters["math_text"] = math_to_text
    return env


def render(name: str, **context) -> tuple[str, str]:
    """(text, html) of ``name``.txt and ``name``.html."""
    text = _env(False).get_template(f"{name}.txt").render(**context)
    return text, _env(True).get_template(f"{name}.html").render(**context)


class PaperBlocks:
    """The papers of a section as text and HTML, each paper rendered once per (paper, reason) and reused
    by every digest that shows it: a run renders a few thousand blocks, not one per paper per subscriber."""

    ROW = '<tr><td style="padding:12px 28px;{}">\n{}</td></tr>\n'
    BORDER = "border-bottom:1px solid #f0f0ea;"

    def __init__(self):
        self._text: dict[tuple, str] = {}
        self._html: dict[tuple, str] = {}
        self._t = _env(False).get_template("_paper.txt")
        self._h = _env(True).get_template("_paper.html")

    def text(self, items: list) -> str:
        out = []
        for i, p in enumerate(items, 1):
            key = (p.id, p.reason)
            block = self._text.get(key)
            if block is None:
                block = self._text[key] = self._t.render(p=p)
            out.append(f"{i}. {block}\n")
        return "".join(out)

    def html(self, items: list) -> Markup:
        out = []
        for i, p in enumerate(items, 1):
            key = (p.id, p.reason, i == len(items))
            block = self._html.get(key)
            if block is None:
                inner = self._h.render(p=p)
                block = self._html[key] = self.ROW.format("" if i == len(items) else self.BORDER, inner)
            out.append(block)
        return Markup("".join(out))


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_day(d: date | datetime) -> str:
    """'Tue 18 Mar' (English whatever the locale)."""
    return f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"


def encode_header(value: str) -> str:
    """An unstructured header value: ASCII as is, otherwise RFC 2047 base64 words of at most 45 bytes each
    (never splitting a character), folded onto continuation lines."""
    if value.isascii():
        return value
    words, chunk = [], b""
    for ch in value:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > 45:
            words.append(chunk)
            chunk = b""
        chunk += b
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


def summary(abstract: str, *, sentences: int = 3, max_chars: int = 420) -> str:
    """The first sentences of an abstract: up to three, stopping once past ~200 characters."""
    text = " ".join((abstract or "").split())
    out = ""
    for i, s in enumerate(_SENTENCE_END.split(text)):
        if i >= sentences or (out and len(out) + len(s) > max_chars):
            break
        out = f"{out} {s}".strip()
        if len(out) >= 200:
            break
    if not out:
        out = text
    if len(out) > max_chars:
        out = out[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return out


def short_authors(authors: list[str], n: int = 3) -> str:
    if not authors:
        return ""
    if len(authors) <= n:
        return ", ".join(authors)
    return ", ".join(authors[:n]) + " et al."


def sender_domain(settings: Settings) -> str:
    addr = parseaddr(settings.mail_from)[1]
    return addr.rpartition("@")[2] or "localhost"


def header_safe(value: str) -> str:
    if _HEADER_UNSAFE.search(value):
        raise ValueError("a header value cannot contain line breaks")
    return value


@dataclass(frozen=True)
class Built:
    subject: str
    text: str  # the whole message, CRLF line ends, ASCII (both parts quoted-printable)


@cache
def _from_header(mail_from: str) -> str:
    name, addr = parseaddr(mail_from)
    return formataddr((name, addr), charset="utf-8")


def _fold(name: str, value: str) -> str:
    """``Name: value``; a long value without spaces goes on its own continuation line (RFC 5322 folding)."""
    line = f"{name}: {value}"
    return line if len(line) <= 78 or " " in value else f"{name}:\r\n {value}"


def _qp(body: str) -> str:
    data = body.replace("\r\n", "\n").replace("\r", "\n")
    if not data.endswith("\n"):
        data += "\n"
    return binascii.b2a_qp(data.encode("utf-8"), istext=True).decode("ascii").replace("\n", "\r\n")


def build(
    settings: Settings,
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str | None = None,
    now: datetime | None = None,
) -> Built:
    """The RFC 5322 message: multipart/alternative (text, then HTML), both parts UTF-8 quoted-printable.

    Written directly rather than through ``email.message.EmailMessage``: the standard library's generator
    (pure-Python header parsing, folding and QP) is several times over the budget of a 10,000-subscriber
    run (bench/digest.py); the tests parse every message back with ``email.policy.default``.
    """
    for value in (to, subject, unsubscribe_url or ""):
        header_safe(value)
    boundary = f"=_pf_{secrets.token_hex(12)}"  # '=_' never occurs in quoted-printable text
    headers = [
        f"From: {_from_header(settings.mail_from)}",
        _fold("To", to),
        f"Subject: {encode_header(subject)}",
        f"Date: {format_datetime(now or datetime.now(UTC))}",
        f"Message-ID: {make_msgid(domain=sender_domain(settings))}",
        "Auto-Submitted: auto-generated",
    ]
    if unsubscribe_url:
        headers += [
            _fold(
                "List-Id",
                formataddr((header_safe(settings.site_name) + " mail", f"mail.{sender_domain(settings)}"), "utf-8"),
            ),
            _fold("List-Unsubscribe", f"<{unsubscribe_url}>"),
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        ]
    headers += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"']
    part = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    raw = "".join([
        "\r\n".join(headers), "\r\n\r\n",
        f"--{boundary}\r\n", part.format("plain"), _qp(text),
        f"--{boundary}\r\n", part.format("html"), _qp(html),
        f"--{boundary}--\r\n",
    ])  # fmt: skip
    return Built(subject, raw)
