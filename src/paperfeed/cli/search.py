"""``paperfeed index | search | similar``: build the search indexes, search, find similar papers."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from typer.core import TyperCommand

from ..errors import PaperfeedError
from ..rank.sorts import SEARCH as SORTS
from . import app, console, err_console, existing_db, settings_of, shown
from .progress import RateColumn

if TYPE_CHECKING:
    from ..store import Store


def update_search_index(store: Store, settings, *, quiet: bool = False) -> None:
    """After an import or fetch: add the new papers to the lexical index (seconds; no embedding).

    A failure here never fails the import: the index is derived data, and searches catch up by themselves.
    """
    from ..index import update_lexical

    try:
        n = update_lexical(store, settings)
    except Exception as exc:  # noqa: BLE001
        err_console.print(f"[yellow]warning:[/] search index not updated ({exc}); run `paperfeed index`")
        return
    if n > 0 and not quiet:
        console.print(
            f"search index: {n:,} paper{'s' if n != 1 else ''} added (run `paperfeed index` to embed "
            f"{'them' if n != 1 else 'it'} for semantic search)",
            highlight=False,
        )


@app.command("index")
def index_cmd(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild the indexes from the database.")] = False,
    reembed: Annotated[
        bool, typer.Option("--reembed", help="Compute every paper's vector again (slow: hours on a CPU).")
    ] = False,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="Update the lexical index only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary.")] = False,
) -> None:
    """Bring the search indexes up to date: new papers indexed, embedded, given keywords, summaries and similar
    papers (resumable)."""
    from ..index import job
    from ..store import Store

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    columns = [
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn("papers"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    ]
    tasks: dict[str, int] = {}
    with Progress(*columns, console=err_console, disable=as_json or not err_console.is_terminal) as progress:

        def finish(*, unsized: bool = False) -> None:
            """Steps that ended: each bar full at what it did, no spinner left running (``unsized``: only
            those whose size was not known ahead, which end when the next step starts)."""
            for task in progress.tasks:
                if not task.finished and (task.total is None or not unsized):
                    progress.update(task.id, total=task.completed)

        def tick(stage: str, n: int, total: int | None) -> None:
            if stage not in tasks:
                finish(unsized=True)  # the lexical and vector steps run alone: the next one means they ended
                tasks[stage] = progress.add_task(stage, total=total)
            elif total is not None:
                progress.update(tasks[stage], total=total)
            if n:
                progress.advance(tasks[stage], n)

        from ..rank.similar import ListRanker

        report = job.run(
            store,
            settings,
            rebuild=rebuild or reembed,
            reembed=reembed,
            embed=not no_embed,
            progress=tick,
            similar=None if no_embed else ListRanker(store, settings),  # --no-embed: a quick lexical update
        )
        if report.embedded or report.keywords:  # the newest week's and month's topic maps, ahead of their first view
            from ..rank import topics

            tick("maps", 0, None)
            tick("maps", topics.warm(store, settings), None)
        finish()
    store.close()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "lexical": report.lexical,
                    "removed": report.removed,
                    "embedded": report.embedded,
                    "vectors": report.vectors,
                    "keywords": report.keywords,
                    "sentences": report.sentences,
                    "summaries": report.summaries,
                    "similar": report.similar,
                    "device": report.device,
                    "embed_papers_per_s": round(report.embed_rate, 1),
                    "seconds": {k: round(v, 2) for k, v in report.seconds.items()},
                }
            )
        )
        return
    secs = sum(report.seconds.values())
    console.print(
        "[bold]index[/]: "
        + (f"[green]{report.lexical:,} papers indexed[/]" if report.lexical else "words index up to date")
        + (f", {report.removed:,} removed" if report.removed else "")
        + f", [green]{report.embedded:,} embedded[/]"
        + (f" ({report.embed_rate:,.1f} papers/s on {report.device})" if report.embedded else "")
        + f", {report.vectors:,} vectors added"
        + (f", keywords for {report.keywords:,} papers" if report.keywords else "")
        + (f", sentences of {report.sentences:,} papers" if report.sentences else "")
        + (f", summaries for {report.summaries:,}" if report.summaries else "")
        + (f", similar papers of {report.similar:,}" if report.similar else "")
        + f" in {secs:,.1f} s",
        highlight=False,
        soft_wrap=True,
    )


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PaperfeedError(f"{name}: not a date: {value!r} (use YYYY-MM-DD)") from None


def _print_hits(store: Store, hits, *, title: str, as_json: bool, extra: dict | None = None) -> None:
    from ..store import papers as store_papers

    with store.read() as conn:
        views = {v.id: v for v in store_papers.get_papers(conn, [h.paper_id for h in hits])}
    if as_json:
        rows = [
            {"id": h.paper_id, "score": h.score, "why": h.why, "title": views[h.paper_id].title}
            for h in hits
            if h.paper_id in views
        ]
        typer.echo(json.dumps({**(extra or {}), "hits": rows}))
        return
    if not hits:
        console.print(title, highlight=False, soft_wrap=True)
        console.print("[dim]no papers found[/]")
        return
    # the paper (title, then authors and date) is the one column that may take the width: in an
    # 80-column terminal, separate author, date and reason columns left the title none
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("paper", min_width=24)
    table.add_column("why", style="green", max_width=24)
    for i, h in enumerate(hits, 1):
        v = views.get(h.paper_id)
        if v is None:
            continue
        authors = ", ".join(v.authors[:3]) + (" et al." if len(v.authors) > 3 else "")
        when = v.published_at.date().isoformat() if v.published_at else str(v.announced_on or "")
        byline = " · ".join(x for x in (authors, when) if x)
        paper = shown(v.title, "bold")
        if byline:
            paper.append_text(shown("\n" + byline, "dim"))
        table.add_row(str(i), shown(v.id), paper, shown(h.why))
    console.print(table)


DASH_QUERY = "A query that starts with '-' goes after --: paperfeed search -n 5 -- '-cat:cs.CV diffusion'"


class QueryFirst(TyperCommand):
    """``paperfeed search '-cat:cs.CV diffusion'``: a query that starts with an exclusion is the query.

    Unquoted by the shell, it starts with "-", and the parser takes it for options (``-c`` with the value
    "at:cs.CV diffusion", then "Missing argument"). An argument that starts with one "-" and holds a space
    cannot be an option, so it is moved after ``--``, where an argument starting with "-" is the query.
    Without a space it might be a mistyped option (``-survey``: no such option "-s"), which stays an error;
    the error then says how to write such a query."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        end = args.index("--") if "--" in args else len(args)
        params = self.get_params(ctx)
        valued = {o for p in params if p.param_type_name == "option" and not p.is_flag for o in p.opts}
        moved = {
            i
            for i, a in enumerate(args[:end])
            if a.startswith("-") and not a.startswith("--") and any(c.isspace() for c in a)
            and not (i and args[i - 1] in valued)  # the value of --author and the like
        }  # fmt: skip
        if moved:
            kept = [a for i, a in enumerate(args[:end]) if i not in moved]
            args = [*kept, "--", *(args[i] for i in sorted(moved)), *args[end + 1 :]]
        try:
            return super().parse_args(ctx, list(args))  # a copy: the parser empties the list it reads
        except Exception as exc:  # a usage error of typer's own copy of click (see cli.main)
            known = {o for p in params for o in (*p.opts, *p.secondary_opts)}
            if any(cls.__name__ == "UsageError" for cls in type(exc).__mro__) and any(
                a[:1] == "-" and a[:2] != "--" and a not in known
                for a in args[: args.index("--") if "--" in args else None]
            ):
                exc.message = f"{exc.message}. {DASH_QUERY}" if exc.message else DASH_QUERY
            raise


@app.command("search", cls=QueryFirst)
def search_cmd(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help='Words, "phrases", -exclude, ti: au: abs: cat: (see docs/search.md). A query that starts '
            "with '-' goes after --: paperfeed search -- '-survey diffusion'.",
        ),
    ],
    category: Annotated[str | None, typer.Option("--category", "-c", help="Only this category, e.g. cs.CL.")] = None,
    date_from: Annotated[str | None, typer.Option("--date-from", metavar="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--date-to", metavar="YYYY-MM-DD")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Only papers by this author.")] = None,
    has_code: Annotated[bool, typer.Option("--has-code", help="Only papers with a code link.")] = False,
    sort: Annotated[str, typer.Option("--sort", help=f"{', '.join(SORTS)} (as the web's search).")] = "relevance",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=200)] = 10,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Search the papers: lexical and semantic, exact ids and titles first."""
    from ..rank.search import search
    from ..store import Store

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    t = time.perf_counter()
    result = search(
        store, settings, query, category=category, date_from=_date(date_from, "--date-from"),
        date_to=_date(date_to, "--date-to"), author=author, has_code=has_code, sort=sort, limit=limit, offset=offset,
    )  # fmt: skip
    ms = (time.perf_counter() - t) * 1e3
    note = ""
    if result.lexical_only:
        note = " · [yellow]keywords only: no paper is embedded for meaning yet (run `paperfeed index`)[/]"
    elif result.not_embedded:
        n = result.not_embedded
        papers = f"{n:,} paper{'s' if n != 1 else ''}"
        note = f" · [yellow]{papers} not embedded yet: found by their words only (`paperfeed index`)[/]"
    about = "about " if result.total_is_estimate and result.total else ""
    results = f"result{'s' if result.total != 1 else ''}"
    title = f"{about}[bold]{result.total:,}[/] {results} for [bold]{query!r}[/] ({ms:,.0f} ms){note}"
    extra = {
        "total": result.total,
        "total_is_estimate": result.total_is_estimate,
        "lexical_only": result.lexical_only,
        "not_embedded": result.not_embedded,
    }
    _print_hits(store, result.hits, title=title, as_json=as_json, extra=extra)
    store.close()


@app.command("similar")
def similar_cmd(
    ctx: typer.Context,
    paper_id: Annotated[str, typer.Argument(help="arXiv id (or URL) or pf- id of the paper.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100)] = 10,
    facet: Annotated[
        str | None,
        typer.Option(
            "--facet",
            metavar="background|method|result",
            help="Similar in what they set out to do (background), how they do it (method) or what they find (result).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Papers similar to a paper: its vector neighbours blended with shared rare words (--facet: by one facet)."""
    from ..ids import parse_arxiv_id
    from ..index.embed import model_key
    from ..rank.facets import check_facet
    from ..rank.similar import similar
    from ..store import Store
    from ..store import papers as store_papers
    from ..store import sentences as store_sentences
    from ..store import vectors as store_vectors

    facet = check_facet(facet)  # a bad facet fails before anything is opened
    settings = settings_of(ctx)
    parsed = parse_arxiv_id(paper_id)
    pid = parsed[0] if parsed else paper_id.strip()
    store = Store.open(existing_db(settings))
    with store.read() as conn:
        paper = store_papers.get_paper(conn, pid)
        model = model_key(settings.embed_model)
        embedded = paper is not None and bool(store_vectors.get_vectors(conn, model, [paper.id]))
        sentences = paper is not None and bool(store_sentences.get(conn, model, [paper.id]))
    if paper is None:
        store.close()
        raise PaperfeedError(f"no paper {pid!r} in the database")
    hits = similar(store, settings, pid, limit=limit, facet=facet)
    like = f"papers like [bold]{paper.title}[/] ({pid})" + (f" in {facet}" if facet else "")
    if not embedded:  # say so rather than pass shared words off as similarity of meaning
        like += " · [yellow]not embedded yet: by shared words only (run `paperfeed index`)[/]"
    elif facet and not sentences:
        like += f" · [yellow]its sentences are not embedded yet: the {facet} facet ranks like the whole paper[/]"
    _print_hits(store, hits, title=like, as_json=as_json, extra={"facet": facet} if facet else None)
    store.close()
