"""Alerts in digests: which papers listed since an alert's last digest it matches (``AlertMatcher``, each
distinct alert once a run), what a keyword or query alert searches for, the check of an alert a reader
adds (``check_alert``), and how its papers read in a mail (``alert_reason``, ``alert_title``).

An alert matches by its kind: keyword/query -> search (all the words, most relevant first), author ->
papers by that author (names matched as author pages match them), category -> the category's new
papers (or its whole archive's: "cs"), most upvoted first; each restricted to papers listed since the
alert's previous digest.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from ..ids import author_key
from ..settings import Settings
from ..store import Store
from ..store import papers as store_papers
from ..store import subscriptions as subs
from ..store.papers import FreshPaper
from ..store.subscriptions import AlertView

log = logging.getLogger(__name__)

MAX_WINDOW_DAYS = 31  # an alert never looks further back than this (a long-paused subscription)
SEARCH_SLACK_DAYS = 7  # the search index dates papers by submission, which precedes the listing day


def default_since(day: date, frequency: str) -> date:
    """Where the window of a first digest starts: the previous weekday (daily) or a week back."""
    if frequency == "weekly":
        return day - timedelta(days=7)
    back = 3 if day.weekday() == 0 else 1
    return day - timedelta(days=back)


class AlertMatcher:
    """The papers each due alert matches in one run (``hits``, by ``key``), and how many searches it took."""

    def __init__(self, store: Store, settings: Settings, *, today: date):
        self.store, self.settings, self.today = store, settings, today
        self.hits: dict[tuple[str, str, date], list[str]] = {}
        self.queries = 0

    def since(self, a: AlertView) -> date:
        """The first listing day an alert's digest covers: the day of its last digest (for a first one the
        previous weekday, or a week back), never more than ``MAX_WINDOW_DAYS`` back."""
        floor = self.today - timedelta(days=MAX_WINDOW_DAYS)
        since = a.last_digest_at.date() if a.last_digest_at else default_since(self.today, a.frequency)
        return max(since, floor)

    def key(self, a: AlertView) -> tuple[str, str, date]:
        """An alert's key: authors matched as author pages match them, categories by case, queries as typed."""
        value = {"author": author_key, "category": str.lower}.get(a.kind, str)(a.value)
        return (a.kind, value, self.since(a))

    def match(self, due_alerts: list[AlertView], fresh: dict[str, FreshPaper]) -> None:
        """Match each distinct alert of ``due_alerts`` against ``fresh``, the papers listed in the run's window."""
        keys = {self.key(a) for a in due_alerts}
        by_kind: dict[str, list[tuple[str, str, date]]] = {}
        for k in keys:
            by_kind.setdefault(k[0], []).append(k)
        if by_kind.get("author") or by_kind.get("category"):
            with self.store.read() as conn:
                authors = store_papers.authors_of(conn, fresh) if by_kind.get("author") else {}
                cats = store_papers.categories_of(conn, fresh) if by_kind.get("category") else {}
            by_author: dict[str, list[str]] = {}
            for pid, names in authors.items():
                for name in names:
                    by_author.setdefault(author_key(name), []).append(pid)
            by_cat: dict[str, set[str]] = {}
            for pid, cs in cats.items():
                for c in cs:  # a category alert names a category ("cs.lg") or its whole archive ("cs")
                    by_cat.setdefault(c.lower(), set()).add(pid)
                    by_cat.setdefault(c.lower().partition(".")[0], set()).add(pid)
            newest = lambda pid: (fresh[pid].day, pid)  # noqa: E731
            for key in by_kind.get("author", []):
                hits = [p for p in by_author.get(key[1], []) if fresh[p].day >= key[2]]
                self.hits[key] = sorted(hits, key=newest, reverse=True)
            for key in by_kind.get("category", []):
                hits = [p for p in by_cat.get(key[1], []) if fresh[p].day >= key[2]]
                self.hits[key] = sorted(hits, key=lambda p: (fresh[p].upvotes, *newest(p)), reverse=True)
        for key in by_kind.get("keyword", []) + by_kind.get("query", []):
            self.hits[key] = self._search(key, fresh)

    def _search(self, key: tuple[str, str, date], fresh: dict[str, FreshPaper]) -> list[str]:
        """Fresh papers with all the alert's words, most relevant first (two searches: match set, order)."""
        from ..index.query import has_terms, parse
        from ..rank.search import QueryError, search

        kind, value, since = key
        q = alert_query(kind, value)
        args = dict(date_from=since - timedelta(days=SEARCH_SLACK_DAYS), date_to=self.today, limit=200)
        self.queries += 1
        try:
            if not has_terms(parse(q)):  # stored before alerts were checked: it would match the whole period
                log.warning("alert %r has nothing to look for: it matches nothing", value)
                return []
            matched = [h.paper_id for h in search(self.store, self.settings, q, sort="newest", **args).hits]
            matched = [p for p in matched if p in fresh and fresh[p].day >= since]
            if len(matched) <= 1:
                return matched
            ranked = [h.paper_id for h in search(self.store, self.settings, q, sort="relevance", **args).hits]
        except QueryError as exc:
            log.warning("alert %r cannot be searched: %s", value, exc)
            return []
        in_match = set(matched)
        order = [p for p in ranked if p in in_match]
        seen = set(order)
        return order + [p for p in matched if p not in seen]


def keyword_query(value: str) -> str:
    """A keyword alert is plain words: search syntax (quotes, fields, groups) is neutralised, except that a
    word written ``-word`` leaves out the papers that have it (searching for it would do the opposite)."""
    return " ".join(re.sub(r"[\"():]", " ", value).split())


def alert_query(kind: str, value: str) -> str:
    """What a keyword or query alert searches for."""
    return keyword_query(value) if kind == "keyword" else value


def check_alert(kind: str, value: str | None, frequency: str) -> tuple[str, str, str]:
    """``subscriptions.check_alert``, and a keyword or query alert must look for something: exclusions,
    quotes or symbols alone would match every paper of each digest's period."""
    kind, value, frequency = subs.check_alert(kind, value, frequency)
    if kind in ("keyword", "query"):
        from ..index.query import QueryError, has_terms, parse

        try:
            parsed = parse(alert_query(kind, value))
        except QueryError as exc:
            raise subs.SubscriptionError(f"“{value}”: {exc}") from None
        if not has_terms(parsed):
            raise subs.SubscriptionError(
                f"“{value}” has nothing to look for: add a word to watch (exclusions like -survey, quotes, "
                "symbols and common words like “the” alone would match every new paper)"
            )
    return kind, value, frequency


def alert_reason(a: AlertView) -> str:
    """Why an alert's paper is in a digest, as its item says it."""
    if a.kind == "author":
        return f"by {a.value}, whom you watch"
    if a.kind == "category":
        return f"new in {a.value}, which you watch"
    return f"matches your alert ‘{a.value}’"


def alert_title(a: AlertView) -> str:
    if a.kind == "author":
        return f"papers by {a.value}"
    if a.kind == "category":
        return f"new in {a.value}"
    return f"‘{a.value}’"
