"""``paperfeed map``: a real PNG or SVG of the requested papers; clear errors and no file for bad requests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperfeed.cli import app
from paperfeed.index import job
from paperfeed.settings import Settings
from paperfeed.store import community
from paperfeed.store import users as store_users
from tests.helpers.cli import pf_here
from tests.helpers.search import CachingEncoder
from tests.helpers.web import add_papers, real_papers

DAY = date(2024, 1, 2)
HOSTILE = 'Attack <svg onload="alert(1)"> & </title></g> tricks'


@pytest.fixture(scope="module")
def encoder():
    return CachingEncoder()


@pytest.fixture
def mapped(store, db_url, tmp_path, encoder):
    """Eight real papers featured on one day, embedded and given keywords by the real index job."""
    recs = real_papers(8, DAY, hostile=HOSTILE)
    add_papers(store, *recs)
    data = tmp_path / "data"
    job.run(store, Settings(data_dir=data, database_url=db_url), encoder=encoder)
    return data, db_url, [f"2401.{n:05d}" for n in range(1, 9)], [r.title for r in recs]


def run(data: Path, db_url: str, *args: str):
    return CliRunner().invoke(app, ["--data-dir", str(data), "--database-url", db_url, "map", *args])


def test_png_is_a_real_picture(mapped, tmp_path):
    from PIL import Image

    data, url, _, _ = mapped
    out = tmp_path / "map.png"
    r = run(data, url, "--day", str(DAY), "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == (1200, 850)
        assert len(im.convert("RGB").getcolors(1 << 20)) > 10  # points and labels, not a blank page
    assert "8 papers" in r.output


def test_svg_names_every_requested_paper_and_escapes_titles(mapped, tmp_path):
    import xml.etree.ElementTree as ET

    data, url, ids, titles = mapped
    out = tmp_path / "map.svg"
    r = run(data, url, "--month", "2024-01", "-o", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    root = ET.fromstring(text)  # well-formed XML: hostile titles did not break it
    ns = "{http://www.w3.org/2000/svg}"
    groups = {g.get("id"): g for g in root.iter(f"{ns}g") if (g.get("id") or "").startswith("paper-")}
    assert sorted(groups) == sorted(f"paper-{i}" for i in ids)
    shown = {g.find(f"{ns}title").text for g in groups.values()}
    assert all(any(t in s for s in shown) for t in titles)
    assert "<svg onload" not in text and "&lt;svg onload" in text


def test_highlight_user(mapped, store, tmp_path):
    data, url, _, _ = mapped
    with store.transaction() as conn:
        uid = store_users.create_user(conn, username="ringo", password_hash="x").id
        community.vote(conn, user_id=uid, paper_id="2401.00003", value=1)
    r = run(data, url, "--day", str(DAY), "-o", str(tmp_path / "m.png"), "--highlight-user", "ringo")
    assert r.exit_code == 0 and "1 upvoted by ringo" in r.output
    r = run(data, url, "--day", str(DAY), "-o", str(tmp_path / "m.png"), "--highlight-user", "nobody")
    assert r.exit_code != 0 and "no user 'nobody'" in str(r.exception)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2024-13"], "bad period"),
        (["--week", "2024-W60"], "bad period"),
        (["--day", "tomorrow"], "bad period"),
        (["--month", "2023-02"], "no papers in February 2023: nothing to map (papers here: 02 Jan 2024 to 02 Jan"),
        ([], "say which papers"),
    ],
)
def test_bad_or_empty_period_is_a_clear_error_and_writes_nothing(mapped, tmp_path, args, message):
    data, url, _, _ = mapped
    out = tmp_path / "map.png"
    r = run(data, url, *args, "-o", str(out))
    assert r.exit_code != 0 and message in str(r.exception), (r.output, r.exception)
    assert not out.exists()


def test_errors_of_the_command_are_one_line_and_exit_nonzero(mapped, tmp_path):
    """As the command's entry point answers them (``run`` shows the exception ``main`` turns into a line)."""
    data, url, _, _ = mapped
    r = pf_here(url, "--data-dir", str(data), "map", "--month", "2024-1", "-o", str(tmp_path / "m.png"))
    assert r.returncode == 1 and "bad period: months are written YYYY-MM" in r.stderr and "Traceback" not in r.stderr


def test_unknown_extension_is_refused(mapped, tmp_path):
    data, url, _, _ = mapped
    r = run(data, url, "--day", str(DAY), "-o", str(tmp_path / "map.gif"))
    assert r.exit_code != 0 and "use .png or .svg" in str(r.exception)
    assert not (tmp_path / "map.gif").exists()
