"""The mail itself: summaries, personal picks with reasons, and a screenshot of the HTML digest rendered by
headless Chromium (saved as test-artifacts/screenshots/digest.png)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperfeed.mail import message
from paperfeed.mail.alerts import keyword_query
from paperfeed.mail.compose import compose_all, preview
from paperfeed.mail.send import deliver
from paperfeed.settings import Settings
from paperfeed.store import community
from paperfeed.store import subscriptions as subs
from paperfeed.store import users as store_users
from tests.helpers.mail import mail_settings
from tests.helpers.web import add_papers, paper

ROOT = Path(__file__).resolve().parents[2]
TUE = date(2024, 3, 5)
NOW = datetime(2024, 3, 5, 7, tzinfo=UTC)


def test_summary_takes_the_first_sentences():
    abstract = "We study X. We find that Y holds in all cases. This matters for Z. Finally, W."
    assert message.summary(abstract) == "We study X. We find that Y holds in all cases. This matters for Z."
    long = "A" * 300 + ". Second sentence."
    assert message.summary(long).endswith("A.") and "Second" not in message.summary(long)
    assert len(message.summary("word " * 400)) <= 420
    assert message.short_authors(["A", "B", "C", "D"]) == "A, B, C et al."
    assert keyword_query('"diffusion" -survey title:GAN') == "diffusion -survey title GAN"


def _people(store, tmp_path, inbox) -> tuple[Settings, subs.SubscriberView]:
    add_papers(
        store,
        paper(1, day=date(2024, 3, 1), upvotes=0, title="Denoising diffusion models for images",
              abstract="Diffusion models generate images by denoising. We improve the sampler."),
        paper(2, day=TUE, upvotes=12, title="Denoising diffusion models for video",
              abstract="Diffusion models generate video by denoising frames. We extend the image sampler."),
        paper(3, day=TUE, upvotes=30, title="Graph neural networks for chemistry",
              abstract="Message passing on molecules."),
        paper(4, day=None, announced=TUE, title="Protein language models at scale",
              abstract="We train protein language models. Bigger is better."),
    )  # fmt: skip
    settings = Settings(data_dir=tmp_path, **mail_settings(tmp_path, inbox))
    with store.transaction() as conn:
        user = store_users.create_user(conn, username="ada", password_hash="x", email="ada@example.org")
        community.vote(conn, user_id=user.id, paper_id="2401.00001", value=1)
        sub = subs.subscribe(conn, "ada@example.org", user_id=user.id)
        subs.confirm(conn, sub.id, sub.token_version)
        subs.update_settings(conn, sub.id, frequency="daily", trending=True, personal=True, send_empty=False)
        subs.add_alert(conn, sub.id, kind="query", value="protein language", frequency="daily")
        return settings, subs.get(conn, sub.id)


def test_personal_picks_say_why(store, tmp_path, inbox):
    settings, sub = _people(store, tmp_path, inbox)
    embed_papers(store)  # "for you" ranks by the recommender's model over the real vectors
    digest, why, built = preview(store, settings, "ada@example.org", now=NOW)
    assert built is not None, why
    sections = {s.key: s for s in digest.sections}
    assert [p.title for p in sections["trending"].items] == [
        "Graph neural networks for chemistry",
        "Denoising diffusion models for video",
    ]
    mine = {p.title: p.reason for p in sections["personal"].items}
    # the video paper was already shown as trending: a paper appears once per subscriber
    assert mine == {"Protein language models at scale": "matches your alert ‘protein language’"}
    # without the trending section, the recommender picks the video paper, "close to" the upvoted image paper
    with store.transaction() as conn:
        subs.update_settings(conn, sub.id, frequency="daily", trending=False, personal=True, send_empty=False)
    digest, _, _ = preview(store, settings, "ada@example.org", now=NOW)
    mine = {p.title: p.reason for p in digest.sections[0].items}
    assert mine["Denoising diffusion models for video"] == (
        "close to “Denoising diffusion models for images”, which you upvoted"
    )
    assert "Denoising diffusion models for images" not in mine  # one's own upvote is not recommended back


def embed_papers(store) -> None:
    from tests.helpers.recommend import embed_into
    from tests.helpers.search import CachingEncoder

    embed_into(store, CachingEncoder())


def test_screenshot_of_the_html_digest(lite_store, tmp_path, inbox):
    store = lite_store
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    settings, sub = _people(store, tmp_path, inbox)
    assert compose_all(store, settings, now=NOW).queued == 1
    assert deliver(store, settings).sent == 1
    html = inbox.to("ada@example.org")[0].html
    assert "http" not in html.split("<body")[0]  # nothing remote in the head: no fonts, styles or images
    page = tmp_path / "digest.html"
    page.write_text(html, encoding="utf-8")
    if not Path(chromium).exists():
        if os.environ.get("PAPERFEED_SKIP_BROWSER") == "1":
            pytest.skip("PAPERFEED_SKIP_BROWSER=1")
        pytest.fail("no Chromium at /usr/bin/chromium: bash scripts/ensure-chromium.sh installs Debian's")
    out = ROOT / "test-artifacts" / "screenshots" / "digest.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
         "--window-size=760,1000", f"--screenshot={out}", page.as_uri()],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.exists() and out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_sender_with_a_non_ascii_domain_becomes_punycode(tmp_path):
    """``mail_from`` with an internationalised domain: every mail used to fail (UnicodeEncodeError)."""
    from email import message_from_string
    from email.policy import default

    from pydantic import ValidationError

    s = Settings(data_dir=tmp_path, mail_from="Pâpers <papers@exämple.org>")
    assert s.mail_from == "Pâpers <papers@xn--exmple-cua.org>"
    built = message.build(s, to="reader@example.org", subject="Hi", text="Hello.", html="<p>Hello.</p>")
    msg = message_from_string(built.text, policy=default)
    assert msg["From"].addresses[0].addr_spec == "papers@xn--exmple-cua.org"
    assert msg["From"].addresses[0].display_name == "Pâpers"
    assert msg["Message-ID"].endswith("@xn--exmple-cua.org>")
    with pytest.raises(ValidationError, match="before the @ must be ASCII"):
        Settings(data_dir=tmp_path, mail_from="Papers <päpers@example.org>")


@pytest.mark.parametrize("site_name", ['Lab "Papers", daily', "Pâpers Bøt"])
def test_list_mails_name_their_list_for_filters(tmp_path, site_name):
    """Digests and alerts carry List-Id (RFC 2919) so a reader's filter can file them; one-off mails do not."""
    from email import message_from_string
    from email.policy import default
    from email.utils import parseaddr

    s = Settings(data_dir=tmp_path, site_name=site_name, mail_from="Papers <papers@example.org>")
    url = "https://papers.example.org/unsubscribe/abc"
    built = message.build(s, to="r@example.org", subject="Hi", text="Hi.", html="<p>Hi.</p>", unsubscribe_url=url)
    msg = message_from_string(built.text, policy=default)
    assert parseaddr(str(msg["List-Id"])) == (f"{site_name} mail", "mail.example.org")
    one_off = message.build(s, to="r@example.org", subject="Confirm", text="Hi.", html="<p>Hi.</p>")
    assert "List-Id" not in message_from_string(one_off.text, policy=default)
