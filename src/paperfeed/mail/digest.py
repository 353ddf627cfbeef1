"""A digest: its sections of paper cards (``MailPaper``, built from a stored paper by ``card``), its subject
line, and its mail (``render_digest``); what goes in it is ``compose``'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..settings import Settings
from ..store.papers import PaperView
from ..store.subscriptions import SubscriberView
from . import message, tokens


@dataclass
class MailPaper:
    id: str
    title: str
    authors: str
    summary: str
    upvotes: int
    url: str
    pdf_url: str | None
    reason: str = ""


@dataclass
class Section:
    key: str  # trending | personal | alert:<id>
    title: str
    items: list[MailPaper]


@dataclass
class Digest:
    subscriber: SubscriberView
    day: date
    weekly: bool
    sections: list[Section]
    alert_ids: list[int] = field(default_factory=list)

    @property
    def papers(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def subject(self) -> str:
        parts = []
        for s in self.sections:
            n = len(s.items)
            if s.key == "trending":
                parts.append(f"{n} trending paper{'s' if n != 1 else ''}")
            elif s.key == "personal":
                parts.append(f"{n} for you")
        alert_hits = sum(len(s.items) for s in self.sections if s.key.startswith("alert:"))
        if alert_hits:
            parts.append(f"{alert_hits} alert match{'es' if alert_hits != 1 else ''}")
        what = ", ".join(parts) or "No new papers"
        return f"{what}{' this week' if self.weekly else ''} · {message.short_day(self.day)}"


def card(v: PaperView, base: str) -> MailPaper:
    """What a digest shows of paper ``v``: its one-line summary, else its abstract's opening; links under
    ``base`` (the site's address, no trailing slash)."""
    return MailPaper(
        id=v.id,
        title=" ".join(v.title.split()),
        authors=message.short_authors(v.authors),
        summary=v.summary or message.summary(v.abstract),  # the one-line summary, else the opening
        upvotes=v.upvotes,
        url=f"{base}/papers/{v.id}",
        pdf_url=v.pdf_url or (f"https://arxiv.org/pdf/{v.id}" if v.is_arxiv else None),
    )


def render_digest(
    settings: Settings, digest: Digest, *, now: datetime | None = None, blocks: message.PaperBlocks | None = None
) -> message.Built:
    sub = digest.subscriber
    blocks = blocks or message.PaperBlocks()
    links = tokens.links(settings, sub.id, sub.token_version)
    subject = digest.subject()
    heading = subject.split(" · ")[0]
    text, html = message.render(
        "digest",
        subject=subject,
        heading=heading[:1].upper() + heading[1:],
        day=digest.day,
        weekly=digest.weekly,
        sections=digest.sections,
        to=sub.email,
        site_name=settings.site_name,
        base_url=settings.base_url.rstrip("/"),
        manage_url=links["manage"],
        unsubscribe_url=links["unsubscribe"],
        papers_text=blocks.text,
        papers_html=blocks.html,
    )
    return message.build(
        settings, to=sub.email, subject=subject, text=text, html=html, unsubscribe_url=links["unsubscribe"], now=now
    )
