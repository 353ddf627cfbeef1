"""Who is due for a digest, and what goes in it; composing queues it in the outbox.

One run (``compose_all``) serves every subscriber at a cost that barely grows with their number:
trending is ranked once, each distinct alert (kind, value, window) is searched once, fresh papers,
their authors and categories are read once, and the history of what each subscriber already got is
loaded in bulk for the candidate papers only. Then each digest is a few set operations and two template
renders.

What a digest holds (at most ``digest_items`` papers per section, none ever sent to the subscriber before):
- "Trending": the top of ``rank.trending``.
- "For you" (``personal``): the linked account's recommendations (``rank.recommend``, ranked for every
  personal subscriber of the run in one batch: "close to “X”, which you upvoted", "by Y, whom you
  follow"), merged with the matches of the alerts due in this run ("matches your alert ‘X’"), one paper
  from each alert and from the recommendations in turn up to ``digest_items`` in all. An account
  with no upvotes or saves yet gets only the papers of authors and categories it follows.
- one section per due alert when ``personal`` is off: what it matches among the papers listed since its
  previous digest (``alerts``: keyword/query -> search, author -> papers by that author, category -> the
  category's new papers, most upvoted first).

When: daily digests on weekdays, weekly ones on ``weekly_day`` (``due``), both skipped when nothing was
announced or featured since the subscriber's last digest; alerts follow their own frequency. One mail per
subscriber per day: its outbox ``dedupe_key`` is ``digest:<subscriber>:<day>``, so composing twice queues
nothing new. An empty digest is only sent to subscribers who asked for it (``send_empty``). A digest's
cards, subject and mail: ``digest``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ..settings import Settings
from ..store import Store
from ..store import days as store_days
from ..store import digests as store_digests
from ..store import outbox as store_outbox
from ..store import papers as store_papers
from ..store import subscriptions as subs
from ..store.db import chunked
from ..store.papers import FreshPaper
from ..store.subscriptions import AlertView, SubscriberView
from . import message
from .alerts import AlertMatcher, alert_reason, alert_title
from .digest import Digest, MailPaper, Section, card, render_digest
from .due import due_frequencies

TRENDING_POOL = 300
UPVOTES_LOOKED_AT = 200  # an account's recent upvotes, never sent back to it
BATCH = 500  # digests written per transaction


@dataclass
class ComposeReport:
    frequencies: tuple[str, ...]
    subscribers: int = 0  # active subscribers considered
    due: int = 0  # with something due in this run
    queued: int = 0
    already_queued: int = 0
    nothing_new: int = 0  # digests skipped: nothing announced or featured since the last one
    empty: int = 0  # nothing new for them, and they did not ask for empty digests
    papers: int = 0
    alert_queries: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # prepare / select / render / write seconds


class Composer:
    """The shared material of one run: trending, alert results, fresh papers, sent history."""

    def __init__(self, store: Store, settings: Settings, *, now: datetime, frequencies: tuple[str, ...]):
        self.store, self.settings, self.now = store, settings, now
        self.today = now.date()
        self.frequencies = frequencies
        self.n = settings.digest_items
        self.base = settings.base_url.rstrip("/")
        self.trending: list[str] = []
        self.alerts = AlertMatcher(store, settings, today=self.today)
        self.recommended: dict[int, list[tuple[str, str]]] = {}  # user id -> [(paper id, reason)]
        self.upvoted: dict[int, list[str]] = {}
        self.fresh: dict[str, FreshPaper] = {}
        self.history: dict[int, set[str]] = {}
        self.views: dict[str, MailPaper] = {}
        self._listed: dict[date, bool] = {}

    # --- which parts are due --------------------------------------------------------------------------

    def main_due(self, sub: SubscriberView) -> bool:
        return sub.frequency in self.frequencies and (sub.trending or sub.personal)

    def alerts_due(self, sub: SubscriberView) -> list[AlertView]:
        return [a for a in sub.alerts if a.frequency in self.frequencies]

    # --- shared material ------------------------------------------------------------------------------

    def prepare(self, subscribers: list[SubscriberView]) -> None:
        due_alerts = [a for s in subscribers for a in self.alerts_due(s)]
        wants_trending = any(s.trending and self.main_due(s) for s in subscribers)
        linked_users = [s.user_id for s in subscribers if s.user_id]  # their own upvotes are never sent back
        since = min([self.alerts.since(a) for a in due_alerts], default=self.today)
        with self.store.read() as conn:
            if wants_trending:
                from ..rank.trending import trending

                ranked = trending(
                    conn,
                    now=self.now,
                    gravity=self.settings.trending_gravity,
                    window_days=self.settings.trending_window_days,
                )
                self.trending = [t.paper_id for t in ranked[:TRENDING_POOL]]
            if due_alerts:
                self.fresh = store_papers.fresh_papers(conn, since=since, until=self.today)
            self.upvoted = (
                store_digests.recent_upvotes(conn, linked_users, per_user=UPVOTES_LOOKED_AT) if linked_users else {}
            )
        self.alerts.match(due_alerts, self.fresh)
        personal = {s.user_id for s in subscribers if s.personal and s.user_id and self.main_due(s)}
        self._recommend(personal)
        pool = set(self.trending) | {p for hits in self.alerts.hits.values() for p in hits}
        pool |= {p for recs in self.recommended.values() for p, _ in recs}
        with self.store.read() as conn:
            self.history = store_digests.sent_history(conn, pool)

    def _recommend(self, user_ids: set[int]) -> None:
        """Every personal subscriber's picks, ranked in one batch (models trained where stale)."""
        if not user_ids:
            return
        from ..rank.recommend import rank_users

        ranked = rank_users(self.store, self.settings, user_ids, limit=self.n * 3, now=self.now)
        for uid, r in ranked.items():
            # without upvotes or saves, only what the account follows is "for you" (trending has the rest)
            items = [(p, why) for p, _, why in r.items if not r.cold_start or any("follow" in w for w in why)]
            self.recommended[uid] = [(p, why[0] if why else "") for p, why in items]

    def load_papers(self, ids: Iterable[str]) -> None:
        """Render data for every paper a digest of this run shows (one bulk read)."""
        missing = [p for p in dict.fromkeys(ids) if p not in self.views]
        if not missing:
            return
        with self.store.read() as conn:
            for part in chunked(missing, 500):
                for v in store_papers.get_papers(conn, part):
                    if v.hidden:
                        continue
                    self.views[v.id] = card(v, self.base)

    def listed_since(self, day: date) -> bool:
        if day not in self._listed:
            with self.store.read() as conn:
                self._listed[day] = store_days.listed_since(conn, day, self.today)
        return self._listed[day]

    # --- one digest -----------------------------------------------------------------------------------

    def digest_for(self, sub: SubscriberView) -> tuple[Digest | None, str]:
        """The digest of ``sub`` (paper ids in ``items[*].id`` still to be resolved), or (None, why not)."""
        main = self.main_due(sub)
        alerts = self.alerts_due(sub)
        if not main and not alerts:
            return None, "not due"
        weekly = "weekly" in self.frequencies and (sub.frequency == "weekly" if main else False)
        if main and sub.last_digest_at and not self.listed_since(self._main_since(sub)):
            # nothing listed since the last digest (daily or weekly): trending would only hold what that
            # digest left out, sent as new; who asked for empty digests gets one that says so
            main = False
            if not alerts and not sub.send_empty:
                return None, "nothing new"
        taken = set(self.history.get(sub.id, ()))
        upvoted = self.upvoted.get(sub.user_id, []) if sub.user_id else []
        taken.update(upvoted)
        sections: list[Section] = []

        def pick(ids: Iterable[str], limit: int) -> list[str]:
            out = []
            for pid in ids:
                if pid not in taken:
                    taken.add(pid)
                    out.append(pid)
                    if len(out) >= limit:
                        break
            return out

        if main and sub.trending and self.trending:
            ids = pick(self.trending, self.n)
            if ids:
                sections.append(Section("trending", "Trending", [self._item(p) for p in ids]))
        alert_lists = [(a, self.alerts.hits.get(self.alerts.key(a), [])) for a in alerts]
        if sub.personal and (main or alerts):
            # alert matches first: what the subscriber asked for by name beats what we guess
            sources: list[tuple[list[str], str | dict]] = [(hits, f"alert:{a.id}") for a, hits in alert_lists]
            if main:
                recs = self.recommended.get(sub.user_id, []) if sub.user_id else []
                sources.append(([p for p, _ in recs], dict(recs)))
            items = self._merge(sources, taken)
            if items:
                sections.append(Section("personal", "For you", items))
        else:
            for a, hits in alert_lists:
                ids = pick(hits, self.n)
                if ids:
                    sections.append(Section(f"alert:{a.id}", f"Alert: {alert_title(a)}", [self._item(p) for p in ids]))
        digest = Digest(sub, self.today, weekly, sections, [a.id for a in alerts])
        if not digest.papers and not sub.send_empty:
            return None, "empty"
        return digest, ""

    def _main_since(self, sub: SubscriberView) -> date:
        """The first day a due digest's trending / for-you part covers: the day after the last digest; for a
        weekly one with daily alerts, whose mails move ``last_digest_at`` too, the day after a week back."""
        last = sub.last_digest_at.date() if sub.last_digest_at else self.today
        if sub.frequency == "weekly" and any(a.frequency == "daily" for a in sub.alerts):
            last = min(last, self.today - timedelta(days=7))
        return last + timedelta(days=1)

    def _merge(self, sources: list[tuple[list[str], str | dict]], taken: set[str]) -> list[MailPaper]:
        """Round-robin over ``(ids, reason)`` sources, each paper once, with the reason of the source
        that found it (``reason`` may map each id to its own): one paper from each source in turn (each
        alert, then the recommendations) until the section holds ``digest_items``, so that every source
        gets its share however many alerts there are."""
        iters = [(iter(ids), why) for ids, why in sources]
        out: list[MailPaper] = []
        active = True
        while active and len(out) < self.n:
            active = False
            for it, why in iters:
                if len(out) >= self.n:
                    break
                for pid in it:
                    if pid in taken:
                        continue
                    taken.add(pid)
                    out.append(self._item(pid, why.get(pid, "") if isinstance(why, dict) else why))
                    active = True
                    break
        return out

    def _item(self, pid: str, why: str = "") -> MailPaper:
        # resolved in finish(): the paper's render data is loaded in bulk once the digests are known
        return MailPaper(pid, "", "", "", 0, "", None, why)

    def finish(self, digests: list[Digest]) -> None:
        """Fill in titles, authors, summaries and reasons of the items of ``digests``."""
        self.load_papers([i.id for d in digests for s in d.sections for i in s.items])
        for d in digests:
            alerts = {f"alert:{a.id}": a for a in d.subscriber.alerts}
            for s in d.sections:
                items = []
                for it in s.items:
                    view = self.views.get(it.id)
                    if view is None:  # hidden since: leave it out
                        continue
                    reason = it.reason
                    if reason.startswith("alert:") and reason in alerts:
                        reason = alert_reason(alerts[reason])
                    items.append(MailPaper(**{**view.__dict__, "reason": reason}))
                s.items = items
            d.sections = [s for s in d.sections if s.items]


def compose_all(
    store: Store,
    settings: Settings,
    *,
    now: datetime | None = None,
    frequencies: tuple[str, ...] | None = None,
    subscriber_ids: list[int] | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ComposeReport:
    """Compose and queue the digests due at ``now`` (default: what is due today)."""
    t0 = time.perf_counter()
    now = now or datetime.now(UTC)
    freqs = frequencies if frequencies is not None else due_frequencies(now.date(), settings)
    report = ComposeReport(freqs)
    if not freqs:
        return report
    with store.read() as conn:
        everyone = store_digests.active(conn, ids=subscriber_ids)
        keys = {s.id: f"digest:{s.id}:{now.date().isoformat()}" for s in everyone}
        done = store_outbox.queued_keys(conn, list(keys.values()))
    report.subscribers = len(everyone)
    report.already_queued = sum(1 for s in everyone if keys[s.id] in done)
    todo = [s for s in everyone if keys[s.id] not in done]
    composer = Composer(store, settings, now=now, frequencies=freqs)
    composer.prepare(todo)
    blocks = message.PaperBlocks()
    tick = _Stopwatch(report.timings)
    tick("prepare", time.perf_counter() - t0)
    for i in range(0, len(todo), BATCH):
        batch = todo[i : i + BATCH]
        digests = []
        tick.start()
        for sub in batch:
            d, why = composer.digest_for(sub)
            if composer.main_due(sub) or composer.alerts_due(sub):
                report.due += 1
            if d is not None:
                digests.append(d)
            elif why == "nothing new":
                report.nothing_new += 1
            elif why == "empty":
                report.empty += 1
        composer.finish(digests)
        tick("select")
        built = []
        for d in digests:
            if not d.papers and not d.subscriber.send_empty:
                report.empty += 1
                continue
            built.append((d, render_digest(settings, d, now=now, blocks=blocks)))
        tick("render")
        if not dry_run and built:
            queued = _write(store, built, keys, now)
            report.queued += queued
            report.already_queued += len(built) - queued
        else:
            report.queued += len(built)
        report.papers += sum(d.papers for d, _ in built)
        tick("write")
        if progress:
            progress(len(batch))
    report.alert_queries = composer.alerts.queries
    report.seconds = time.perf_counter() - t0
    return report


class _Stopwatch:
    def __init__(self, into: dict[str, float]):
        self.into = into
        self.t = 0.0

    def start(self) -> None:
        self.t = time.perf_counter()

    def __call__(self, phase: str, seconds: float | None = None) -> None:
        now = time.perf_counter()
        self.into[phase] = self.into.get(phase, 0.0) + (seconds if seconds is not None else now - self.t)
        self.t = now


def _write(store: Store, built: list[tuple[Digest, message.Built]], keys: dict[int, str], now: datetime) -> int:
    """Queue the digests with their sent-paper rows, in one transaction: both or neither."""
    with store.transaction() as conn:
        added = store_outbox.queue_many(
            conn,
            [
                {
                    "subscriber_id": d.subscriber.id,
                    "kind": "digest",
                    "dedupe_key": keys[d.subscriber.id],
                    "to_addr": d.subscriber.email,
                    "subject": m.subject,
                    "message": m.text,
                }
                for d, m in built
            ],  # fmt: skip
            now=now,
        )
        mine = [d for d, _ in built if keys[d.subscriber.id] in added]  # the others: another composer was first
        store_digests.record_sent(
            conn,
            [
                {"subscriber_id": d.subscriber.id, "paper_id": it.id, "digest": s.key, "sent_at": now}
                for d in mine
                for s in d.sections
                for it in s.items
            ],
        )
        store_digests.mark_composed(conn, [d.subscriber.id for d in mine], [a for d in mine for a in d.alert_ids], now)
    return len(mine)


def preview(
    store: Store,
    settings: Settings,
    email: str,
    *,
    now: datetime | None = None,
    frequencies: tuple[str, ...] | None = None,
) -> tuple[Digest | None, str, message.Built | None]:
    """What ``email`` would get now, without queueing anything: (digest, why none, message)."""
    now = now or datetime.now(UTC)
    with store.read() as conn:
        sub = subs.by_email(conn, email)
    if sub is None:
        return None, f"no subscriber “{email}”", None
    if sub.status != "active":
        return None, f"{sub.email} is {sub.status}: nothing is sent to it", None
    freqs = frequencies if frequencies is not None else (sub.frequency,)
    composer = Composer(store, settings, now=now, frequencies=freqs)
    composer.prepare([sub])
    d, why = composer.digest_for(sub)
    if d is None:
        return None, f"nothing to send to {sub.email} ({why})", None
    composer.finish([d])
    return d, "", render_digest(settings, d, now=now)
