"""The whole story, with a real SMTP server and the real app: subscribe from the footer, confirm from the
mail, get a daily trending digest with a keyword alert, open its links, unsubscribe in one click, and
receive nothing after that. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from paperfeed.mail.compose import compose_all
from paperfeed.mail.send import deliver
from paperfeed.store import subscriptions as subs
from tests.helpers.mail import mail_settings
from tests.helpers.web import CSRF_RE, add_papers, browser, make_app, paper

MON, TUE, WED = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC).replace(hour=7)


def corpus() -> list:
    return [
        paper(1, day=MON, upvotes=40, title="Attention is still all you need"),
        paper(2, day=MON, upvotes=25, title="Grokking at scale"),
        paper(3, day=TUE, upvotes=9, title="Ünïcode-safe tokenizers for Māori and Ελληνικά"),
        # fresh, nobody voted: only the keyword alert finds them (or not)
        paper(4, day=None, announced=TUE, title="Scaling diffusion transformers for video",
              abstract="We train diffusion transformers on video. They scale well. A third sentence. A fourth one."),
        paper(5, day=None, announced=TUE, title="Transformers for protein folding",
              abstract="Folding proteins with attention."),
        paper(6, day=None, announced=TUE, title="Graph neural networks", abstract="Message passing, again."),
    ]  # fmt: skip


def test_subscribe_confirm_digest_links_unsubscribe(store, tmp_path, inbox):
    add_papers(store, *corpus())
    app = make_app(store, tmp_path, **mail_settings(tmp_path, inbox, mail_from="Pâpers Bøt <digest@example.org>"))
    settings = app.state.settings
    b = browser(app)

    # 1. the footer form, on any page: it brings the address to the subscribe form, whose button subscribes
    home = b.get("/")
    assert 'action="/subscribe/start"' in home.text and "Get trending papers in your email inbox" in home.text
    form = b.post("/subscribe/start", data={"email": "Reader@Example.org"})
    token = CSRF_RE.search(form.text).group(1)
    r = b.post("/subscribe", data={"email": "Reader@Example.org", "csrf_token": token})
    assert r.status_code == 200 and "Check your inbox" in r.text
    assert inbox.count() == 1  # the confirmation went out at once
    confirm_mail = inbox.messages[0]
    assert confirm_mail.rcpt_tos == ["Reader@Example.org"] and "Confirm" in confirm_mail.msg["Subject"]
    assert "List-Unsubscribe" not in confirm_mail.msg  # not a list mail: nothing is subscribed yet

    # nothing but the confirmation before confirming
    assert compose_all(store, settings, now=at(TUE)).queued == 0

    # 2. confirm: GET shows a button and changes nothing (mail scanners open links); POST confirms
    link = confirm_mail.link("/subscribe/confirm/")
    page = b.get(link)
    assert page.status_code == 200 and "Yes, subscribe" in page.text
    with store.read() as conn:
        assert subs.by_email(conn, "reader@example.org").status == "pending"
    done = b.post(link)
    assert done.status_code == 200 and "You are subscribed" in done.text
    with store.read() as conn:
        assert subs.by_email(conn, "reader@example.org").status == "active"

    # 3. settings without logging in: add a keyword alert
    settings_path = done.text.split('href="http://testserver/subscription/')[1].split('"')[0]
    settings_path = "/subscription/" + settings_path
    r = b.form(
        f"{settings_path}/alerts", {"kind": "keyword", "value": "diffusion transformer"}, from_page=settings_path
    )
    assert r.status_code == 303
    assert "diffusion transformer" in b.get(settings_path).text

    # 4. Tuesday's digest: trending + the alert, delivered to the SMTP server
    report = compose_all(store, settings, now=at(TUE))
    assert report.queued == 1 and report.frequencies == ("daily",)
    assert deliver(store, settings).sent == 1
    digest = inbox.messages[-1]
    msg = digest.msg
    assert msg["Subject"] == "3 trending papers, 1 alert match · Tue 5 Mar"
    assert msg["From"].addresses[0].display_name == "Pâpers Bøt"
    assert "=?utf-8?" in digest.raw.decode("ascii").split("\r\n\r\n")[0]  # the name is RFC 2047-encoded
    assert msg["To"] == "Reader@Example.org" and msg["Date"] and msg["Message-ID"].endswith("@example.org>")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    unsubscribe_url = msg["List-Unsubscribe"].strip()
    assert unsubscribe_url.startswith("<http://testserver/unsubscribe/") and unsubscribe_url.endswith(">")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = digest.text, digest.html
    for part in (text, html):
        assert "Attention is still all you need" in part and "Ünïcode-safe tokenizers for Māori and Ελληνικά" in part
        assert "Scaling diffusion transformers for video" in part  # the alert match
        assert "Transformers for protein folding" not in part and "Graph neural networks" not in part
    assert "We train diffusion transformers on video. They scale well. A third sentence." in text
    assert "A fourth one" not in text  # 1-3 sentences of the abstract
    assert text.index("Attention is still") < text.index("Grokking at scale")  # trending order
    assert "40 upvotes" in text and "https://arxiv.org/pdf/2401.00004" in text
    assert "<img" not in html and "<link" not in html and "<script" not in html and 'style="' in html

    # 5. the links in the mail work against the app
    assert b.get(digest.link("/papers/2401.00001")).status_code == 200
    assert "Email settings" in b.get(digest.link("/subscription/")).text
    page = TestClient(app).get(digest.link("/unsubscribe/"))
    assert page.status_code == 200 and "Unsubscribe" in page.text
    with store.read() as conn:
        assert subs.by_email(conn, "reader@example.org").status == "active"  # GET changed nothing

    # 6. one-click unsubscribe as mail clients do it: POST, no cookie, no CSRF token (RFC 8058)
    stranger = TestClient(app)
    r = stranger.post(unsubscribe_url[len("<http://testserver") : -1], data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "You are unsubscribed" in r.text
    with store.read() as conn:
        assert subs.by_email(conn, "reader@example.org").status == "unsubscribed"

    # 7. nothing more is sent, even with new papers and a digest run
    add_papers(store, paper(7, day=WED, upvotes=99, title="Wednesday's hit"))
    assert compose_all(store, settings, now=at(WED)).queued == 0
    assert deliver(store, settings).sent == 0
    assert len(inbox.to("reader@example.org")) == 2
