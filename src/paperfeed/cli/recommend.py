"""``paperfeed recommend train | show``: (re)train the "for you" models, look at one user's picks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..errors import PaperfeedError
from . import app, console, err_console, existing_db, settings_of, shown
from .progress import bar

if TYPE_CHECKING:
    from ..store import Store

recommend_app = typer.Typer(help="For-you recommendations: train the per-user models, show a user's picks.")
app.add_typer(recommend_app, name="recommend")


def _user_id(store: Store, name: str) -> int:
    from ..store import users as store_users

    with store.read() as conn:
        user = store_users.get_user_by_name(conn, name)
    if user is None:
        raise PaperfeedError(f"no user {name[:40]!r}")
    return user.id


@recommend_app.command("train")
def train_cmd(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user (default: everyone with signals).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Retrain even when the signals did not change.")] = False,
) -> None:
    """Train the model of every user whose upvotes, saves or "not interested" votes changed."""
    from ..rank.recommend import train_users
    from ..store import Store

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    ids = [_user_id(store, user)] if user else None
    with bar(err_console, unit="users") as progress:
        task = progress.add_task("training", total=None)
        report = train_users(store, settings, ids, force=force, progress=lambda n: progress.advance(task, n))
    store.close()
    console.print(
        f"{report.users:,} user{'s' if report.users != 1 else ''}: {report.trained:,} trained, "
        f"{report.unchanged:,} unchanged, "
        f"{report.no_positives:,} without upvotes or saves yet ({report.seconds:.1f} s)",
        highlight=False,
    )


@recommend_app.command("show")
def show_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A username.")],
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, max=200, help="How many papers.")] = 10,
    days: Annotated[int | None, typer.Option("--days", min=1, max=90, help="New papers of the last N days.")] = None,
) -> None:
    """What "for you" shows a user now, with the reasons."""
    from ..rank.recommend import for_you
    from ..store import Store

    settings = settings_of(ctx)
    store = Store.open(existing_db(settings))
    page = for_you(store, settings, _user_id(store, name), limit=limit, days=days)
    store.close()
    if page.cold_start:
        console.print(f"{name} has no upvotes or saves yet: follows first, then popular papers.", highlight=False)
    else:
        console.print(
            f"{name}'s model: {page.positives} positives, {page.negatives} negatives, trained "
            f"{page.trained_at:%Y-%m-%d %H:%M} UTC",
            highlight=False,
        )
    table = Table(title=f"For {name}: papers listed {page.since} to {page.until}", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("paper")
    table.add_column("why")
    table.add_column("score", justify="right")
    for i, p in enumerate(page.picks, 1):
        paper = shown(p.paper.title, "bold") + shown(f"\n{p.paper.id}")
        table.add_row(str(i), paper, shown("\n".join(p.reasons)), f"{p.score:.2f}")
    if not page.picks:
        console.print("nothing new to recommend", highlight=False)
    else:
        console.print(table)
