"""An alert with nothing to look for (exclusions, quotes or symbols alone) would match every new paper: it is
refused when added, and one stored before matches nothing; a keyword alert's -word leaves papers out."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest

from paperfeed.mail import tokens
from paperfeed.mail.alerts import keyword_query
from paperfeed.mail.compose import preview
from paperfeed.settings import Settings
from paperfeed.store import subscriptions as subs
from tests.helpers.mail import mail_settings
from tests.helpers.web import add_papers, browser, make_app, paper

TUE = date(2024, 3, 5)
NOW = datetime(2024, 3, 5, 7, tzinfo=UTC)


def _papers(store) -> None:
    add_papers(
        store,
        paper(1, day=TUE, title="Denoising diffusion models for images", abstract="We improve the sampler."),
        paper(2, day=TUE, title="Denoising diffusion models for video", abstract="Frames, denoised."),
        paper(3, day=TUE, title="A survey of graph neural networks", abstract="Message passing, surveyed."),
        paper(4, day=TUE, title="Protein language models at scale", abstract="Bigger is better."),
    )


def _subscriber(store, email: str = "reader@example.org") -> subs.SubscriberView:
    with store.transaction() as conn:
        sub = subs.subscribe(conn, email)
        subs.confirm(conn, sub.id, sub.token_version)
        subs.update_settings(conn, sub.id, frequency="daily", trending=False, personal=False, send_empty=False)
        return subs.get(conn, sub.id)


@pytest.mark.parametrize(
    "kind, value",
    [("query", "-survey"), ("query", '""'), ("query", "-cat:cs.LG"), ("query", "ti:the"), ("keyword", '"'),
     ("keyword", "∇"), ("keyword", "🤗"), ("keyword", "^"), ("keyword", "*"), ("keyword", "-survey")],
)  # fmt: skip
def test_an_alert_without_words_is_refused_and_the_form_keeps_it(lite_store, tmp_path, inbox, kind, value):
    app = make_app(lite_store, tmp_path, **mail_settings(tmp_path, inbox))
    sub = _subscriber(lite_store)
    path = f"/subscription/{tokens.make(app.state.settings, 'manage', sub.id, sub.token_version)}"
    b = browser(app)
    r = b.form(f"{path}/alerts", {"kind": kind, "value": value, "frequency": "weekly"}, from_page=path)
    assert r.status_code == 400
    assert "has nothing to look for" in html.unescape(r.text) and "Alert added" not in r.text
    box = re.search(r'<input name="value"[^>]* value="([^"]*)"', r.text)
    assert box and html.unescape(box.group(1)) == value  # what was typed is still in the box
    assert f'<option value="{kind}" selected>' in r.text and '<option value="weekly" selected>' in r.text
    with lite_store.read() as conn:
        assert subs.get(conn, sub.id).alerts == []


@pytest.mark.parametrize(
    "kind, value", [("query", "diffusion -survey"), ("query", "cat:cs.LG"), ("keyword", "$\\beta$-VAE")]
)
def test_alerts_with_words_are_added(lite_store, tmp_path, inbox, kind, value):
    app = make_app(lite_store, tmp_path, **mail_settings(tmp_path, inbox))
    sub = _subscriber(lite_store)
    path = f"/subscription/{tokens.make(app.state.settings, 'manage', sub.id, sub.token_version)}"
    r = browser(app).form(f"{path}/alerts", {"kind": kind, "value": value}, from_page=path)
    assert r.status_code == 303
    with lite_store.read() as conn:
        assert [a.value for a in subs.get(conn, sub.id).alerts] == [value]


def test_a_stored_alert_without_words_matches_nothing(store, tmp_path, inbox):
    """Alerts stored before they were checked: the digest's search finds nothing for them, rather than
    every paper of the period."""
    _papers(store)
    settings = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    sub = _subscriber(store)
    with store.transaction() as conn:  # the store takes them as they are (the mail layer checks words)
        for kind, value in [("query", "-survey"), ("query", '""'), ("keyword", "∇"), ("keyword", "-survey")]:
            subs.add_alert(conn, sub.id, kind=kind, value=value, frequency="daily")
    digest, why, built = preview(store, settings, "reader@example.org", now=NOW)
    assert built is None and "empty" in why


def test_a_keyword_alerts_minus_word_leaves_papers_out(store, tmp_path, inbox):
    assert keyword_query('"diffusion" -survey title:GAN (x)') == "diffusion -survey title GAN x"
    _papers(store)
    settings = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    sub = _subscriber(store)
    with store.transaction() as conn:
        subs.add_alert(conn, sub.id, kind="keyword", value="denoising -video", frequency="daily")
    digest, why, built = preview(store, settings, "reader@example.org", now=NOW)
    assert built is not None, why
    assert [p.title for s in digest.sections for p in s.items] == ["Denoising diffusion models for images"]
