"""``paperfeed fetch arxiv|oai|rss|hf``: harvest the network sources, politely and resumably.

Each harvest stores page by page with its resume point; re-running an interrupted harvest continues
after the last stored page (``--restart`` starts over).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PaperfeedError, SourceError
from . import app as root
from . import console, err_console, settings_of
from .imports import report
from .progress import bar
from .search import update_search_index

if TYPE_CHECKING:
    from ..ingest import ImportResult
    from ..sources.base import Page
    from ..sources.http import PoliteClient

app = typer.Typer(
    help="Harvest papers from arXiv (API, OAI-PMH, RSS) or the Hugging Face daily papers API.", no_args_is_help=True
)
root.add_typer(app, name="fetch")

SkipBad = Annotated[bool, typer.Option("--skip-bad", help="Store the good records of a page, report the bad.")]
Restart = Annotated[bool, typer.Option("--restart", help="Ignore the saved resume point and start over.")]
DateOpt = Annotated[str | None, typer.Option(metavar="YYYY-MM-DD")]


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PaperfeedError(f"{name}: not a date: {value!r} (use YYYY-MM-DD)") from None


def run(
    ctx: typer.Context,
    source: str,
    key: str,
    pages: Callable[[PoliteClient, dict | None], Iterable[Page]],
    *,
    skip_bad: bool,
    restart: bool,
) -> ImportResult:
    from ..ingest import fetch_pages
    from ..sources.http import client_for
    from ..store import Store

    settings = settings_of(ctx)
    store = Store.open(settings.db_url)
    with client_for(settings, source) as http, bar(err_console, total_known=False) as progress:
        task = progress.add_task(f"{source}", total=None)

        def on_page(page: Page, result: ImportResult) -> None:
            progress.update(
                task,
                advance=len(page.items),
                description=f"{source} · page {result.pages}" + (f" of ~{page.total:,}" if page.total else ""),
            )

        result = fetch_pages(
            store, key, lambda cursor: pages(http, cursor), skip_bad=skip_bad, restart=restart, progress=on_page
        )
    if result.resumed_from:
        console.print(f"resumed from {result.resumed_from}", highlight=False)
    report(source, result, as_json=False)
    update_search_index(store, settings)
    store.close()
    return result


def _arxiv_id(text: str) -> str:
    """An ``--id`` as arXiv's API takes it (``2401.01234``, ``2401.01234v2``), from an id, URL or DOI."""
    from ..ids import parse_arxiv_id

    parsed = parse_arxiv_id(text)
    if parsed is None:
        raise PaperfeedError(f"--id {text!r} is not an arXiv id (e.g. 2401.01234, hep-th/9901001, an abs URL)")
    paper_id, version = parsed
    return f"{paper_id}v{version}" if version else paper_id


@app.command("arxiv")
def fetch_arxiv(
    ctx: typer.Context,
    category: Annotated[str | None, typer.Option("--category", "-c", help="e.g. cs.LG")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="arXiv search terms.")] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="Fetch these arXiv ids (repeatable).")] = None,
    date_from: DateOpt = None,
    date_to: DateOpt = None,
    max_results: Annotated[int | None, typer.Option("--max", min=1, help="Stop after this many records.")] = None,
    skip_bad: SkipBad = False,
    restart: Restart = False,
) -> None:
    """The arXiv query API: by category, date range, search query or ids (3 s between calls)."""
    from ..sources import arxiv_api

    if not (category or query or ids):
        raise PaperfeedError("fetch arxiv: give --category, --query or --id")
    ids = [_arxiv_id(i) for i in ids or []] or None  # checked here, not after arXiv's retries
    search = None
    start, end = _date(date_from, "--date-from"), _date(date_to, "--date-to")
    if start and end and start > end:
        raise PaperfeedError(f"--date-from {start} is after --date-to {end}")
    if category or query or date_from or date_to:
        search = arxiv_api.build_query(category=category, query=query, date_from=start, date_to=end)
    settings = settings_of(ctx)
    key = f"arxiv-api:{search or ''}:{','.join(ids or [])}"
    found: set[str] = set()

    def pages(http: PoliteClient, cursor: dict | None) -> Iterable[Page]:
        for page in arxiv_api.fetch(
            http,
            base_url=settings.arxiv_api_url,
            search_query=search,
            id_list=ids,
            page_size=settings.page_size,
            cursor=cursor,
            max_results=max_results,
        ):
            found.update(getattr(i, "id", None) for i in page.items)  # records (a bad one is reported)
            yield page

    result = run(ctx, "arxiv-api", key, pages, skip_bad=skip_bad, restart=restart)
    if ids and not search:
        _say_missing(ctx, ids, found, resumed=result.resumed_from is not None)


def _say_missing(ctx: typer.Context, ids: list[str], found: set[str], *, resumed: bool) -> None:
    """``--id``s arXiv did not return are named, and the command fails (the others were stored)."""
    from ..ids import parse_arxiv_id
    from ..ingest import missing_ids
    from ..store import Store
    from ..store import papers as store_papers

    missing = missing_ids(ids, found)
    if missing and resumed:  # returned to the run that stopped part way: stored then
        store = Store.open(settings_of(ctx).db_url)
        with store.read() as conn:
            missing = [i for i in missing if store_papers.get_paper(conn, parse_arxiv_id(i)[0]) is None]
        store.close()
    if missing:
        n = len(ids) - len(missing)
        stored = f" ({n} of the {len(ids)} ids asked for {'were' if n != 1 else 'was'} stored)" if n else ""
        raise PaperfeedError(f"arXiv has no paper {', '.join(missing)}{stored}")


@app.command("oai")
def fetch_oai(
    ctx: typer.Context,
    set_spec: Annotated[str | None, typer.Option("--set", help="OAI set, e.g. cs or physics:hep-th.")] = None,
    date_from: DateOpt = None,
    date_until: DateOpt = None,
    metadata_format: Annotated[str, typer.Option("--format", help="arXiv or oai_dc.")] = "arXiv",
    skip_bad: SkipBad = False,
    restart: Restart = False,
) -> None:
    """Bulk back-fill from arXiv's OAI-PMH interface (follows resumptionTokens, resumable)."""
    from ..sources import oai

    if metadata_format not in ("arXiv", "oai_dc"):
        raise PaperfeedError("--format must be arXiv or oai_dc")
    start, until = _date(date_from, "--date-from"), _date(date_until, "--date-until")
    settings = settings_of(ctx)
    key = f"oai:{set_spec or ''}:{start or ''}:{until or ''}:{metadata_format}"
    try:
        run(
            ctx,
            "oai",
            key,
            lambda http, cursor: oai.harvest(
                http,
                base_url=settings.arxiv_oai_url,
                set_spec=set_spec,
                date_from=start,
                date_until=until,
                metadata_prefix=metadata_format,
                cursor=cursor,
            ),
            skip_bad=skip_bad,
            restart=restart,
        )
    except SourceError as exc:
        if "badResumptionToken" not in exc.message:
            raise
        # arXiv's tokens expire after a while: the saved resume point can never work again
        raise PaperfeedError(
            f"{exc}: the resume point has expired; run the same command with --restart to harvest from the "
            "start (the papers already stored stay, and are not added twice)"
        ) from None


@app.command("rss")
def fetch_rss(
    ctx: typer.Context,
    categories: Annotated[list[str], typer.Argument(help="Categories, e.g. cs.LG cs.CL.")],
    skip_bad: SkipBad = False,
) -> None:
    """Today's arXiv listing (new submissions and cross-lists) from arXiv's RSS feeds."""
    from ..sources import rss

    settings = settings_of(ctx)
    key = f"rss:{'+'.join(categories)}"
    run(
        ctx,
        "rss",
        key,
        lambda http, cursor: rss.fetch(http, base_url=settings.arxiv_rss_url, categories=categories),
        skip_bad=skip_bad,
        restart=True,
    )


@app.command("hf")
def fetch_hf(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="One day (default today).")] = None,
    date_from: DateOpt = None,
    date_to: DateOpt = None,
    skip_bad: SkipBad = False,
    restart: Restart = False,
) -> None:
    """Mirror the Hugging Face daily papers (with upvotes, submitter, code and project links)."""
    from ..sources import hf

    today = datetime.now(UTC).date()
    if day and (date_from or date_to):
        raise PaperfeedError("give --date or --date-from/--date-to, not both")
    start = _date(day, "--date") or _date(date_from, "--date-from") or today
    end = _date(day, "--date") or _date(date_to, "--date-to") or (start if date_from is None else today)
    if end < start:
        raise PaperfeedError(f"--date-to {end} is before --date-from {start}")
    if (end - start) > timedelta(days=3660):
        raise PaperfeedError("date range longer than ten years")
    settings = settings_of(ctx)
    run(
        ctx,
        "hf",
        f"hf:{start}:{end}",
        lambda http, cursor: hf.fetch_days(http, base_url=settings.hf_api_url, start=start, end=end, cursor=cursor),
        skip_bad=skip_bad,
        restart=restart,
    )
