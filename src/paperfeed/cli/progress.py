"""Rich progress bars with counts and rate, shared by the import and fetch commands."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    def __init__(self, unit: str):
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed and task.finished and task.completed and task.elapsed:  # a step done in one batch
            speed = task.completed / task.elapsed
        return Text(f"{speed:,.0f} {self.unit}/s" if speed else f"- {self.unit}/s", style="progress.data.speed")


def bar(console, unit: str = "papers", total_known: bool = False) -> Progress:
    columns: list = [SpinnerColumn(), TextColumn("[bold]{task.description}")]
    if total_known:
        columns += [BarColumn(), MofNCompleteColumn()]
    else:
        columns += [TextColumn("{task.completed:,.0f} " + unit)]
    columns += [RateColumn(unit), TimeElapsedColumn()]
    # on a terminal only: piped output and logs get the one-line summary, not spinner frames
    return Progress(*columns, console=console, transient=False, disable=not console.is_terminal)
