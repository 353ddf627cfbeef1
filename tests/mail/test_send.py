"""Delivery through a real SMTP server: bounces, retries with backoff, a server that is down, rate limit,
one sender at a time; composition: once per day, a paper once per subscriber, empty and quiet days."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from paperfeed.mail.compose import compose_all
from paperfeed.mail.due import due_frequencies
from paperfeed.mail.send import deliver, dot_stuffed, outbox_lock
from paperfeed.settings import Settings
from paperfeed.store import digests as store_digests
from paperfeed.store import outbox as store_outbox
from paperfeed.store import subscriptions as subs
from tests.helpers.mail import mail_settings
from tests.helpers.web import add_papers, paper

MON, TUE, WED, SAT = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 9)


def at(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC).replace(hour=hour)


def active(store, email: str, **settings) -> subs.SubscriberView:
    with store.transaction() as conn:
        sub = subs.subscribe(conn, email)
        subs.confirm(conn, sub.id, sub.token_version)
        if settings:
            cur = subs.get(conn, sub.id)
            merged = {k: getattr(cur, k) for k in ("frequency", "trending", "personal", "send_empty")} | settings
            subs.update_settings(conn, sub.id, **merged)
        return subs.get(conn, sub.id)


def queue(store, sub, n: int = 1, *, body: str = "Hello.\r\n") -> list[int]:
    ids = []
    with store.transaction() as conn:
        for i in range(n):
            raw = f"From: paperfeed <digest@example.org>\r\nTo: {sub.email}\r\nSubject: test {i}\r\n\r\n{body}"
            ids.append(store_outbox.queue(conn, subscriber_id=sub.id, kind="digest", dedupe_key=f"t:{sub.id}:{i}",
                                          to_addr=sub.email, subject=f"test {i}", message=raw))  # fmt: skip
    return ids


@pytest.fixture
def settings(tmp_path, inbox) -> Settings:
    return Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))


def test_permanent_failures_count_bounces_then_stop_mail(store, settings, inbox):
    bad = active(store, "gone@example.org")
    good = active(store, "here@example.org")
    inbox.rcpt_replies["gone@example.org"] = ["550 5.1.1 no such mailbox"] * 10
    queue(store, bad, 4)
    queue(store, good, 1)
    report = deliver(store, settings)
    assert report.failed == 3 and report.cancelled == 1 and report.sent == 1
    assert report.bouncing == ["gone@example.org"]
    with store.read() as conn:
        gone = subs.get(conn, bad.id)
        counts = store_outbox.counts(conn)
        assert "550" in store_outbox.problems(conn)[0].last_error
    assert (gone.status, gone.bounce_count) == ("bouncing", settings.mail_max_bounces)
    assert counts["failed"] == 3 and counts["cancelled"] == 1 and counts["sent"] == 1
    assert len(inbox.to("here@example.org")) == 1 and inbox.to("gone@example.org") == []
    # a bouncing address gets no digest any more
    add_papers(store, paper(1, day=TUE, upvotes=5))
    assert compose_all(store, settings, now=at(TUE), subscriber_ids=[bad.id]).subscribers == 0


def test_transient_failure_retries_with_backoff(store, settings, inbox):
    sub = active(store, "grey@example.org")
    inbox.rcpt_replies["grey@example.org"] = ["451 4.7.1 greylisted, try again later"]
    [rid] = queue(store, sub)
    t0 = datetime.now(UTC)
    first = deliver(store, settings, clock=lambda: t0)
    assert first.retry == 1 and first.sent == 0
    with store.read() as conn:
        row = store_outbox.get(conn, rid)
    assert row.status == "pending" and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at >= t0 + timedelta(seconds=59)
    assert deliver(store, settings, clock=lambda: t0 + timedelta(seconds=30)).sent == 0  # not due yet
    assert deliver(store, settings, clock=lambda: t0 + timedelta(minutes=2)).sent == 1
    assert len(inbox.to("grey@example.org")) == 1
    with store.read() as conn:
        row = store_outbox.get(conn, rid)
    assert row.status == "sent" and row.attempts == 2 and row.sent_at is not None


def test_smtp_server_down_keeps_the_queue(store, tmp_path, inbox):
    from tests.helpers.mail import free_port

    sub = active(store, "reader@example.org")
    queue(store, sub, 3)
    down = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox, smtp_port=free_port()))
    t0 = datetime.now(UTC)
    report = deliver(store, down, clock=lambda: t0)
    assert report.error and "Connection refused" in report.error and report.sent == 0
    with store.read() as conn:
        assert store_outbox.counts(conn)["pending"] == 3
    up = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    assert deliver(store, up, clock=lambda: t0 + timedelta(minutes=5)).sent == 3
    assert len(inbox.to("reader@example.org")) == 3


def test_rate_limit(store, tmp_path, inbox):
    sub = active(store, "reader@example.org")
    queue(store, sub, 5)
    s = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox, mail_rate=20))
    t = time.perf_counter()
    assert deliver(store, s).sent == 5
    assert time.perf_counter() - t >= 4 / 20 - 0.01


def test_one_sender_at_a_time_and_claims_are_conditional(store, settings, inbox):
    sub = active(store, "reader@example.org")
    [rid] = queue(store, sub)
    with outbox_lock(store, wait=0) as got:
        assert got
        assert deliver(store, settings, wait=0).locked  # the scheduler and cron at the same minute
    now = datetime.now(UTC)
    with store.transaction() as conn:
        assert store_outbox.claim(conn, rid, now=now) is not None
        assert store_outbox.claim(conn, rid, now=now) is None  # the second claimer gets nothing
        store_outbox.set_status(conn, rid, "pending")
    assert deliver(store, settings).sent == 1 and inbox.count() == 1


def test_dot_stuffing_and_unsubscribed_recipients(store, settings, inbox):
    assert dot_stuffed("a\n.b\r\n..c\rd") == b"a\r\n..b\r\n...c\r\nd\r\n"
    sub = active(store, "reader@example.org")
    queue(store, sub, body="line one\r\n.\r\n.leading dot\r\n")
    gone = active(store, "gone@example.org")
    queue(store, gone)
    with store.transaction() as conn:
        subs.unsubscribe(conn, gone.id)
    report = deliver(store, settings)
    assert report.sent == 1
    body = inbox.to("reader@example.org")[0].msg.get_content().replace("\r\n", "\n")
    assert body == "line one\n.\n.leading dot\n"
    assert inbox.to("gone@example.org") == []


# --- composing -------------------------------------------------------------------------------------------


def test_due_days(settings):
    assert due_frequencies(MON, settings) == ("daily", "weekly")  # weekly_day = mon
    assert due_frequencies(TUE, settings) == ("daily",)
    assert due_frequencies(SAT, settings) == ()


def test_compose_twice_queues_once_and_papers_never_repeat(store, settings, inbox):
    add_papers(store, *[paper(i, day=MON, upvotes=i) for i in range(1, 16)])
    sub = active(store, "reader@example.org")
    assert compose_all(store, settings, now=at(TUE)).queued == 1
    again = compose_all(store, settings, now=at(TUE, 9))
    assert again.queued == 0 and again.already_queued == 1
    add_papers(store, paper(20, day=WED, upvotes=1))
    assert compose_all(store, settings, now=at(WED)).queued == 1
    deliver(store, settings)
    tue, wed = inbox.to("reader@example.org")
    assert tue.msg["Subject"] == "10 trending papers · Tue 5 Mar"
    assert wed.msg["Subject"] == "6 trending papers · Wed 6 Mar"  # the other 5 of Monday's + Wednesday's
    ids = lambda m: {link for link in m.links() if link.startswith("/papers/")}  # noqa: E731
    assert not ids(tue) & ids(wed) and len(ids(tue) | ids(wed)) == 16
    with store.read() as conn:
        assert store_digests.sent_count(conn, sub.id) == 16


def test_quiet_days_empty_digests_and_weekly(store, settings, inbox):
    add_papers(store, paper(1, day=MON, upvotes=3))
    daily = active(store, "daily@example.org")
    empty_ok = active(store, "empty@example.org", send_empty=True)
    weekly = active(store, "weekly@example.org", frequency="weekly")
    first = compose_all(store, settings, now=at(MON))  # Monday: daily and weekly
    assert first.queued == 3
    # Tuesday: nothing announced or featured since Monday; the daily subscriber is skipped,
    # the one who asked for empty digests gets "No new papers", the weekly one is not due
    tue = compose_all(store, settings, now=at(TUE))
    assert (tue.queued, tue.nothing_new) == (1, 1)
    assert compose_all(store, settings, now=at(SAT)).queued == 0  # no daily digests at weekends
    deliver(store, settings)
    assert [m.msg["Subject"] for m in inbox.to("empty@example.org")] == [
        "1 trending paper · Mon 4 Mar",
        "No new papers · Tue 5 Mar",
    ]
    assert "No new papers this time" in inbox.to("empty@example.org")[1].text
    assert len(inbox.to("daily@example.org")) == 1
    assert inbox.to("weekly@example.org")[0].msg["Subject"] == "1 trending paper this week · Mon 4 Mar"
    assert {daily.id, empty_ok.id, weekly.id}


def test_author_and_category_alerts_with_their_own_frequency(store, settings, inbox):
    add_papers(
        store,
        paper(1, day=None, announced=TUE, authors=["Grace Hopper"], categories=["cs.PL"], title="Compilers"),
        paper(2, day=None, announced=TUE, authors=["Someone Else"], categories=["cs.CL"], title="Parsing"),
        paper(3, day=None, announced=MON - timedelta(days=10), authors=["Grace Hopper"], title="Old"),
    )
    sub = active(store, "reader@example.org", frequency="weekly", trending=False)
    with store.transaction() as conn:
        subs.add_alert(conn, sub.id, kind="author", value="grace hopper", frequency="daily")
        subs.add_alert(conn, sub.id, kind="category", value="cs.CL", frequency="daily")
        subs.add_alert(conn, sub.id, kind="category", value="cs.PL", frequency="weekly")
    report = compose_all(store, settings, now=at(TUE))  # a weekly subscriber, but the daily alerts are due
    assert report.queued == 1
    deliver(store, settings)
    [m] = inbox.to("reader@example.org")
    assert m.msg["Subject"] == "2 alert matches · Tue 5 Mar"
    assert "Alert: papers by grace hopper" in m.text and "Alert: new in cs.CL" in m.text
    assert "Compilers" in m.text and "Parsing" in m.text and "Old" not in m.text
    assert "new in cs.PL" not in m.text  # weekly alert: not due on a Tuesday


def test_a_category_alert_may_name_a_whole_archive_in_any_case(store, settings, inbox):
    """ "CS" watches every cs.* category (a paper in several of them comes once); "Q-BIO.nc" is q-bio.NC."""
    add_papers(
        store,
        paper(1, day=None, announced=TUE, categories=["cs.PL", "cs.LO"], title="Compilers"),
        paper(2, day=None, announced=TUE, categories=["stat.ML", "cs.LG"], title="Cross-listed"),
        paper(3, day=None, announced=TUE, categories=["q-bio.NC"], title="Neurons"),
        paper(4, day=None, announced=TUE, categories=["math.AG"], title="Curves"),
    )
    sub = active(store, "reader@example.org", trending=False)
    with store.transaction() as conn:
        whole = subs.add_alert(conn, sub.id, kind="category", value="CS", frequency="daily")
        one = subs.add_alert(conn, sub.id, kind="category", value="Q-BIO.nc", frequency="daily")
    assert (whole.value, one.value) == ("cs", "q-bio.NC")
    assert compose_all(store, settings, now=at(TUE)).queued == 1
    deliver(store, settings)
    [m] = inbox.to("reader@example.org")
    section = m.text.split("Alert: new in cs")[1].split("Alert:")[0]
    assert section.count("Compilers") == 1 and "Cross-listed" in section and "Curves" not in m.text
    assert "Alert: new in q-bio.NC" in m.text and "Neurons" in m.text


def test_delivered_mail_is_pruned(store, settings, inbox):
    sub = active(store, "reader@example.org")
    queue(store, sub, 2)
    t0 = datetime.now(UTC)
    assert deliver(store, settings, clock=lambda: t0).sent == 2
    deliver(store, settings, clock=lambda: t0 + timedelta(days=3))  # texts blanked, rows kept
    with store.read() as conn:
        rows = store_outbox.messages_to(conn, "reader@example.org")
        assert [r.message for r in rows] == ["", ""] and store_outbox.counts(conn)["sent"] == 2
    deliver(store, settings, clock=lambda: t0 + timedelta(days=31))
    with store.read() as conn:
        assert store_outbox.counts(conn)["sent"] == 0


def test_two_composers_at_once_queue_one_digest(store, settings, monkeypatch):
    """The second composer read the outbox before the first wrote: the unique dedupe key still wins."""
    from paperfeed.mail import compose

    add_papers(store, *[paper(i, day=MON, upvotes=i) for i in range(1, 4)])
    sub = active(store, "reader@example.org", send_empty=True)  # composes even with nothing new
    assert compose_all(store, settings, now=at(TUE)).queued == 1
    with store.read() as conn:
        before = store_digests.sent_count(conn, sub.id)
    monkeypatch.setattr(compose.store_outbox, "queued_keys", lambda conn, keys: set())
    late = compose_all(store, settings, now=at(TUE, 8))
    assert late.queued == 0 and late.already_queued == 1
    with store.read() as conn:
        assert store_outbox.counts(conn)["pending"] == 1 and store_digests.sent_count(conn, sub.id) == before


def test_a_quiet_week_sends_no_old_papers_as_this_weeks(store, tmp_path, inbox):
    """Nothing listed since the last weekly digest: it is skipped like a daily one, and a subscriber who
    asked for mail even when empty hears that nothing is new, not last week's leftovers as this week's."""
    settings = Settings(data_dir=tmp_path, weekly_day="wed", **mail_settings(tmp_path, inbox))
    add_papers(store, *[paper(i, day=MON, upvotes=i) for i in range(1, 13)])  # 12: two left after a digest
    active(store, "weekly@example.org", frequency="weekly")
    active(store, "weekly-empty@example.org", frequency="weekly", send_empty=True)
    active(store, "daily-empty@example.org", send_empty=True)
    assert compose_all(store, settings, now=at(MON), frequencies=("daily", "weekly")).queued == 3
    tue = compose_all(store, settings, now=at(TUE))  # daily only: nothing listed since Monday
    wed = compose_all(store, settings, now=at(WED))  # daily and weekly: still nothing
    assert (tue.queued, wed.queued, wed.nothing_new) == (1, 2, 1)
    deliver(store, settings)
    assert len(inbox.to("weekly@example.org")) == 1
    quiet = inbox.to("weekly-empty@example.org")[1]
    assert quiet.msg["Subject"] == "No new papers this week · Wed 6 Mar"
    assert "No new papers this time" in quiet.text and not [u for u in quiet.links() if u.startswith("/papers/")]
    assert [m.msg["Subject"] for m in inbox.to("daily-empty@example.org")][1:] == [
        "No new papers · Tue 5 Mar", "No new papers · Wed 6 Mar"]  # fmt: skip


def test_a_weekly_digest_counts_the_week_though_its_daily_alert_mailed(store, tmp_path, inbox):
    """A weekly subscriber's daily alert mails on Tuesday; Wednesday's weekly digest still covers the week."""
    settings = Settings(data_dir=tmp_path, weekly_day="wed", **mail_settings(tmp_path, inbox))
    add_papers(store, paper(1, day=MON, upvotes=5, title="Trending on Monday"))
    sub = active(store, "weekly@example.org", frequency="weekly")
    with store.transaction() as conn:
        subs.add_alert(conn, sub.id, kind="author", value="Grace Hopper", frequency="daily")
    add_papers(store, paper(2, day=None, announced=TUE, authors=["Grace Hopper"], title="Compilers"))
    assert compose_all(store, settings, now=at(TUE)).queued == 1  # the alert alone
    assert compose_all(store, settings, now=at(WED)).queued == 1  # the week: Monday's trending paper
    deliver(store, settings)
    assert [m.msg["Subject"] for m in inbox.to("weekly@example.org")] == [
        "1 alert match · Tue 5 Mar", "1 trending paper this week · Wed 6 Mar"]  # fmt: skip
