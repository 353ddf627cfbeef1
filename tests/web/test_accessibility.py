"""What a keyboard and screen-reader user meets in the pages' markup: a skip link, named landmarks and
fields, headings without gaps, controls named by their paper, a topic map of links (not one image) in topic
order with a way past it, labels that do not overlap, and colours of UI parts at 3:1 (WCAG 1.4.11).

The pages are parsed into a small tree (stdlib ``html.parser``); the browser tests check the same with
Chromium's own accessible names and focus (tests/browser/test_browser_a11y.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from paperfeed.rank import topics
from paperfeed.rank.topics import Cluster, Point, TopicMap
from tests.helpers.web import add_papers, browser, make_app, paper

STYLE = Path(__file__).resolve().parents[2] / "src" / "paperfeed" / "web" / "static" / "style.css"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
TITLES = ["Sparse attention at scale", "Diffusion for proteins", "Agents that read", "Speech without text"]


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        """The text inside, visually hidden text included (as a screen reader reads it), spaces collapsed."""
        return re.sub(r"\s+", " ", self._raw()).strip()

    def _raw(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw() for c in self.children if not _hidden(c))

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if (tag is None or c.tag == tag) and (cls is None or cls in c.attrs.get("class", "").split()):
                    found.append(c)
                found += c.all(tag, cls)
        return found

    def within(self, tag: str) -> bool:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node is not None


def _hidden(c) -> bool:
    return isinstance(c, Node) and (c.attrs.get("aria-hidden") == "true" or c.tag in ("title", "script"))


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.at = Node("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_startendtag(self, tag, attrs):
        self.at.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.at))

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data):
        self.at.children.append(data)


def dom(html: str) -> Node:
    tree = _Tree()
    tree.feed(html)
    return tree.root


@pytest.fixture
def site(store, tmp_path):
    today = datetime.now(UTC).date()
    add_papers(
        store,
        *[
            paper(
                n, today - timedelta(days=n % 2), 10 * n, title=t, categories=["cs.LG"], code_url=f"https://x.org/{n}"
            )
            for n, t in enumerate(TITLES, start=1)
        ],
    )
    return browser(make_app(store, tmp_path))


def test_a_skip_link_leads_past_the_header_to_the_main_content(site):
    page = dom(site.get("/").text)
    body = page.all("body")[0]
    first = body.all("a")[0]  # the first thing Tab reaches
    assert first.attrs["href"] == "#main" and first.text() == "Skip to content"
    assert [m.attrs.get("id") for m in page.all("main")] == ["main"]


def test_landmarks_and_the_search_box_have_names(site):
    site.signup("reader")
    for path in ("/", "/search?q=agents", "/trending"):
        page = dom(site.get(path).text)
        names = [n.attrs.get("aria-label") for n in page.all("nav") if not n.within("main")]
        assert names == ["Site", "Account"], path
        boxes = [i for i in page.all("input") if i.attrs.get("name") == "q"]
        assert boxes and all(i.attrs.get("aria-label") == "Search papers" for i in boxes), path


def test_headings_go_down_one_level_at_a_time(site):
    site.signup("reader")
    day = datetime.now(UTC).date()
    for path in ("/", f"/papers/week/{day.isocalendar()[0]}-W{day.isocalendar()[1]:02d}", "/search?q=agents",
                 "/trending", "/for-you", "/authors/Ada%20Lovelace", "/users/reader"):  # fmt: skip
        page = dom(site.get(path).text)
        levels = [int(h.tag[1]) for h in page.all() if re.fullmatch(r"h[1-6]", h.tag)]
        assert levels[0] == 1 and 2 in levels, (path, levels)
        skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not skips, (path, levels)


def test_each_cards_controls_name_their_paper(site):
    site.signup("reader")
    for path in ("/", "/trending"):
        cards = dom(site.get(path).text).all("article", "card")
        assert len(cards) >= 2, path
        names: dict[str, list[str]] = {"vote": [], "comments": [], "dismiss": [], "code": []}
        for card in cards:
            title = next(h for h in card.all() if re.fullmatch(r"h[1-6]", h.tag)).text()
            assert title in TITLES
            controls = {
                "vote": card.all("form", "vote")[0].all("button")[0],
                "comments": card.all("a", "comments")[0],
                "dismiss": card.all("form", "dismiss")[0].all("button")[0],
                "code": [a for a in card.all("a", "link") if a.text().startswith("Code")][0],
            }
            for kind, node in controls.items():
                assert title in node.text(), (path, kind, node.text())
                names[kind].append(node.text())
        for kind, seen in names.items():
            assert len(set(seen)) == len(seen), (path, kind, seen)
        assert names["dismiss"][0] == f"Not interested (“{cards[0].all('a')[0].text()}”)"  # the label comes first


def test_more_like_this_names_its_paper(site):
    site.signup("newcomer")
    page = dom(site.get("/for-you").text)
    buttons = [b.text() for b in page.all("button") if b.text().startswith("More like this")]
    assert len(buttons) >= 2 and len(set(buttons)) == len(buttons)
    assert all(any(t in b for t in TITLES) for b in buttons), buttons


# ------------------------------------------------------------------------------------------ topic map


def _fake_map(monkeypatch, n_clusters: int = 4, per: int = 3) -> TopicMap:
    """A map whose clusters all have their centre on one spot (labels drawn there would cover each other),
    and whose points come in id order, topics interleaved."""
    clusters = [Cluster(c, [f"topic{c} words", f"more{c}"], per, 0.5, 0.5) for c in range(n_clusters)]
    points = [
        Point(f"2401.{i:05d}", f"Paper {i}", 0.1 + 0.05 * i, 0.3, i % n_clusters) for i in range(n_clusters * per)
    ]
    tmap = TopicMap(points, clusters, 0)
    monkeypatch.setattr(topics, "map_subject", lambda *a, **kw: ("June 2024", [p.paper_id for p in points], ""))
    monkeypatch.setattr(topics, "topic_map", lambda *a, **kw: tmap)
    return tmap


def test_the_map_is_links_named_by_title_and_topic_in_topic_order(site, monkeypatch):
    tmap = _fake_map(monkeypatch)
    page = dom(site.get("/map?month=2024-06").text)
    svg = page.all("svg")[0]
    assert svg.attrs.get("role") != "img"  # an image's links would be presentational to screen readers
    links = svg.all("a", "pt")
    label = {c.id: c.label for c in tmap.clusters}
    for a in links:
        point = next(p for p in tmap.points if a.attrs["href"] == f"/papers/{p.paper_id}")
        name = a.all("title")[0].text()
        assert point.title in name and label[point.cluster] in name, name
    order = [int(a.attrs["data-cluster"]) for a in links]
    assert order == sorted(order, key=[c.id for c in tmap.clusters].index)  # one topic at a time
    # a keyboard user can jump past the map's links to the list of topics
    skip = [a for a in page.all("a") if a.attrs.get("href") == "#topics"]
    assert skip and "topic list" in skip[0].text()
    figure = page.all("figure")[0]
    assert figure.all("a")[0] is skip[0]  # before the first point
    assert [h.text() for h in page.all("h2") if h.attrs.get("id") == "topics"] == ["Topics"]


def test_map_labels_of_clusters_on_one_spot_do_not_overlap(site, monkeypatch):
    _fake_map(monkeypatch)
    html = site.get("/map?month=2024-06").text
    labels = re.findall(r'<text class="clabel"[^>]* x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', html)
    assert len(labels) == 4
    ys = sorted(float(y) for _, y, _ in labels)
    assert all(b - a >= 15 for a, b in zip(ys, ys[1:], strict=False)), ys  # a 15 px font: a line apart


# ------------------------------------------------------------------------------------------- contrast


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    h = "".join(ch * 2 for ch in h) if len(h) == 3 else h
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _themes(css: str) -> dict[str, dict[str, str]]:
    """The colour variables of the light theme and of the dark one (light values where dark keeps them)."""
    blocks = re.findall(r":root\s*\{([^}]*)\}", css)
    light = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", blocks[0]))
    dark = light | dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", blocks[1]))
    return {"light": light, "dark": dark}


def _rule_var(css: str, selector: str, prop: str) -> str:
    body = re.search(rf"(?m)^{re.escape(selector)}\s*\{{([^}}]*)\}}", css).group(1)
    return re.search(rf"(?:^|;)\s*{prop}:[^;]*var\((--[\w-]+)\)", body).group(1)


def test_form_field_borders_and_the_vote_arrow_stand_out_3_to_1():
    css = STYLE.read_text(encoding="utf-8")
    border = _rule_var(css, "input, select, textarea", "border")
    arrow = _rule_var(css, "form.vote .arrow", "color")
    for name, colours in _themes(css).items():
        for ground in ("--field", "--card", "--bg"):  # a field on a card or on the page
            ratio = contrast(colours[border], colours[ground])
            assert ratio >= 3, f"{name}: field border {colours[border]} on {ground} {colours[ground]}: {ratio:.2f}"
        ratio = contrast(colours[arrow], colours["--field"])  # the vote button's face
        assert ratio >= 3, f"{name}: vote arrow {colours[arrow]} on {colours['--field']}: {ratio:.2f}"
        # card separators stay subtle: they are decoration, not a control
        assert contrast(colours["--line"], colours["--card"]) < 2
