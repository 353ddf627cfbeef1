"""``paperfeed map``: a topic map of a period or a search as a static PNG or SVG (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..errors import PaperfeedError
from . import app, console, err_console, existing_db, settings_of, shown

FORMATS = {".png": "png", ".svg": "svg"}
STAGES = ["vectors", "clusters", "layout", "labels", "drawing"]


def render_map(tmap, title: str, out: Path, fmt: str) -> None:
    """Draw the map: points coloured by cluster, labels at cluster centres, highlighted papers ringed.

    In SVG each point carries the paper's id (``gid``) and title (a tooltip ``<title>``, escaped by
    matplotlib's SVG writer).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..rank.topics import PALETTE

    fig, ax = plt.subplots(figsize=(12, 8.5), dpi=100)
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(1, 0)  # y grows downwards, as in the web page
    colours = [PALETTE[pt.cluster % len(PALETTE)] for pt in tmap.points]
    mine = [pt.paper_id in tmap.highlight for pt in tmap.points]
    if fmt == "svg":  # one group per point, named by the paper: the picture says which papers it holds
        for pt, colour, m in zip(tmap.points, colours, mine, strict=True):
            dot = ax.scatter([pt.x], [pt.y], s=70 if m else 22, c=colour, edgecolors="black" if m else "white",
                             linewidths=1.8 if m else 0.4, zorder=3 if m else 2)  # fmt: skip
            dot.set_gid(f"paper-{pt.paper_id}")
    else:
        ax.scatter([p.x for p in tmap.points], [p.y for p in tmap.points], s=22, c=colours, edgecolors="white",
                   linewidths=0.4, zorder=2)  # fmt: skip
        ringed = [p for p, m in zip(tmap.points, mine, strict=True) if m]
        if ringed:
            ax.scatter([p.x for p in ringed], [p.y for p in ringed], s=70, facecolors="none", edgecolors="black",
                       linewidths=1.8, zorder=3)  # fmt: skip
    for c in tmap.clusters:
        ax.text(
            c.x, c.y, "\n".join(c.terms[:2]) or c.label, ha="center", va="center", fontsize=10, weight="bold",
            zorder=4, bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.75},
        )  # fmt: skip
    ax.set_title(title, fontsize=13)
    fig.tight_layout()
    if fmt == "svg":
        import io

        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Title": title})
        out.write_text(_with_titles(buf.getvalue(), tmap), encoding="utf-8")
    else:
        fig.savefig(out, format="png")
    plt.close(fig)


def _with_titles(svg: str, tmap) -> str:
    """Give each point's group a ``<title>`` (its paper's title, XML-escaped) so viewers show it on hover."""
    from xml.sax.saxutils import escape

    for pt in tmap.points:
        marker = f'<g id="paper-{escape(pt.paper_id)}">'
        svg = svg.replace(marker, f"{marker}<title>{escape(pt.title)} ({escape(pt.paper_id)})</title>", 1)
    return svg


def _span(store) -> str:  # noqa: ANN001
    """Where the papers are, for a period that has none ("... (papers here: 01 Jan 2024 to 18 Mar 2025)")."""
    from ..store import maps as store_maps

    with store.read() as conn:
        span = store_maps.listed_span(conn)
    return f" (papers here: {span[0]:%d %b %Y} to {span[1]:%d %b %Y})" if span else " (the database holds no papers)"


@app.command("map")
def map_cmd(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="Picture to write: .png or .svg.")],
    month: Annotated[str | None, typer.Option(help="A month: YYYY-MM.")] = None,
    week: Annotated[str | None, typer.Option(help="An ISO week: YYYY-Www.")] = None,
    day: Annotated[str | None, typer.Option("--day", "--date", help="A day: YYYY-MM-DD.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="The papers of a search.")] = None,
    highlight_user: Annotated[str | None, typer.Option(help="Ring the papers this user upvoted.")] = None,
) -> None:
    """Draw the topic map of a month, week, day or search (papers placed by meaning, clusters labelled)."""
    from ..rank.topics import map_subject, topic_map
    from ..store import Store
    from ..store import users as store_users

    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise PaperfeedError(f"{output}: unknown picture format {output.suffix or '(none)'!r}: use .png or .svg")
    if not (month or week or day or query):
        raise PaperfeedError("say which papers: --month YYYY-MM, --week YYYY-Www, --day YYYY-MM-DD or --query WORDS")
    if not output.parent.exists():
        raise PaperfeedError(f"{output.parent}: no such folder")
    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    try:
        try:
            title, ids, _ = map_subject(store, settings, month=month, week=week, day=day, q=query)
        except ValueError as exc:
            raise PaperfeedError(f"bad period: {exc}") from None
        if not ids:
            raise PaperfeedError(f"no papers in {title}: nothing to map{'' if query else _span(store)}")
        account = None
        if highlight_user:
            with store.read() as conn:
                account = store_users.get_user_by_name(conn, highlight_user)
            if account is None:
                raise PaperfeedError(f"no user {highlight_user!r}")
        columns = [SpinnerColumn(), TextColumn("[bold]{task.description:<9}"), BarColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=err_console, disable=not err_console.is_terminal) as progress:
            task = progress.add_task("vectors", total=len(STAGES))

            def tick(stage: str) -> None:
                progress.update(task, description=stage, completed=STAGES.index(stage))

            tmap = topic_map(store, settings, ids, highlight_user=account.id if account else None, progress=tick)
            if not tmap.points:
                raise PaperfeedError(
                    f"none of the {len(ids):,} papers of {title} is embedded yet: run `paperfeed index` first"
                )
            tick("drawing")
            render_map(tmap, f"{title}: {len(tmap.points):,} papers", output, fmt)
            progress.update(task, completed=len(STAGES))
    finally:
        store.close()
    console.print(
        f"map: [bold]{output}[/] ({len(tmap.points):,} papers, {len(tmap.clusters)} topics"
        + (f", {tmap.missing:,} not embedded left out" if tmap.missing else "")
        + (f", {len(tmap.highlight)} upvoted by {highlight_user}" if highlight_user else "")
        + ")",
        highlight=False,
        soft_wrap=True,
    )
    for c in tmap.clusters:
        console.print(shown(f"  {c.size:>5,}  {c.label}"), highlight=False)
