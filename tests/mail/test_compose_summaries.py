"""Digest mails show each paper's one-line summary (index/summaries.py) when it has one, else its opening."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime
from email import policy

from paperfeed.mail.compose import preview
from paperfeed.settings import Settings
from paperfeed.store import subscriptions as subs
from paperfeed.store import summaries as store_summaries
from tests.helpers.mail import mail_settings
from tests.helpers.web import add_papers, paper

TUE = date(2024, 3, 5)
NOW = datetime(2024, 3, 5, 7, tzinfo=UTC)


def test_digest_items_carry_the_summary_else_the_first_sentences(store, tmp_path, inbox):
    add_papers(
        store,
        paper(1, day=TUE, upvotes=30, title="Routing on graphs", abstract="Graphs are big. We route on them fast."),
        paper(2, day=TUE, upvotes=20, title="Sorting at scale", abstract="Sorting is old. We sort faster."),
    )
    with store.transaction() as conn:
        store_summaries.save_summaries(conn, [("2401.00001", "h", "Routing on big graphs gets fast & <simple>.")], "m")
        sub = subs.subscribe(conn, "r@example.org")
        subs.confirm(conn, sub.id, sub.token_version)
        subs.update_settings(conn, sub.id, frequency="daily", trending=True, personal=False, send_empty=False)
    settings = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    digest, why, built = preview(store, settings, "r@example.org", now=NOW)
    assert built is not None, why
    items = {p.id: p.summary for s in digest.sections for p in s.items}
    assert items == {
        "2401.00001": "Routing on big graphs gets fast & <simple>.",
        "2401.00002": "Sorting is old. We sort faster.",  # no summary yet: the abstract's opening
    }
    msg = email.message_from_string(built.text, policy=policy.default)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Routing on big graphs gets fast & <simple>." in text
    assert "Routing on big graphs gets fast &amp; &lt;simple&gt;." in html
