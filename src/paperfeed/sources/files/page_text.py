"""A papers page saved as text (``.txt``), like the Hugging Face daily papers page copied from a browser.

Layout: a short header ("new", "Get trending papers in your email inbox!", "Subscribe", "byAK and the
research community", a date line like "Mar 18"), then for each paper a title paragraph, a blank line, an
abstract paragraph, a blank line. Paragraphs are runs of non-blank lines. Ids are unknown, so each paper
gets the stable id of its title. The featured day is ``page_day`` when given, else the date line (the
current year when it has none, or last year when that would put it more than a week in the future); a
later date line switches the day for the papers after it. Every record gets ``featured=[Featured(day)]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ...errors import RecordError
from ...ids import stable_id
from ...records import Featured, PaperRecord
from ..base import Item, build
from ._io import LongLine, iter_lines, long_line_message, utf8_error_message

SOURCE = "page"

HEADER_LINES = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "byak and the research community",
    "daily papers",
    "trending papers",
    "papers",
}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DATE_LINE = re.compile(
    r"^(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})"
    r"(?:(?:,\s*|\s+)(?P<year>\d{4}))?$"
    r"|^(?P<iso>\d{4}-\d{2}-\d{2})$",
    re.IGNORECASE,
)


def parse_date_line(text: str, today: date | None = None) -> date | None:
    """The day a date line ("Mar 18", "March 18, 2024", "2024-03-18") names, else None."""
    m = _DATE_LINE.match(text.strip())
    if not m:
        return None
    try:
        if m.group("iso"):
            return date.fromisoformat(m.group("iso"))
        today = today or date.today()
        month = _MONTHS.index(m.group("mon").lower()[:3]) + 1
        if m.group("year"):
            return date(int(m.group("year")), month, int(m.group("day")))
        day = date(today.year, month, int(m.group("day")))
        if day > today + timedelta(days=7):  # "Dec 30" read in early January
            day = date(today.year - 1, month, int(m.group("day")))
        return day
    except ValueError:
        return None


@dataclass
class _Paragraph:
    line: int  # its first line
    lines: list[str] = field(default_factory=list)
    problem: tuple[int, str] | None = None  # (line, what is wrong): bad encoding, over-long line

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _paragraphs(path: Path, gz: bool) -> Iterator[_Paragraph]:
    para: _Paragraph | None = None
    for n, raw in iter_lines(SOURCE, path, gz):
        if isinstance(raw, LongLine):
            para = para or _Paragraph(n)
            para.problem = para.problem or (n, long_line_message(raw))
            continue
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            line = raw.decode("utf-8", "replace").strip()
            para = para or _Paragraph(n)
            para.problem = para.problem or (n, utf8_error_message(raw) or "not valid UTF-8")
        if not line:
            if para is not None:
                yield para
                para = None
            continue
        para = para or _Paragraph(n)
        para.lines.append(line)
    if para is not None:
        yield para


def read_page(path: Path, *, gz: bool, page_day: date | None = None, source: str = SOURCE) -> Iterator[Item]:
    name = path.name
    day = page_day
    in_header = True
    title: _Paragraph | None = None
    for para in _paragraphs(path, gz):
        text = para.text
        if title is None:
            if para.problem is None:
                if in_header and text.lower() in HEADER_LINES:
                    continue
                found = parse_date_line(text)
                if found is not None:
                    day = page_day or found
                    in_header = False
                    continue
            in_header = False
            title = para
            continue
        rid = stable_id(title.text) if title.text else None
        problem = title.problem or para.problem
        if problem is not None:
            yield RecordError(source, f"{name} line {problem[0]}", problem[1], rid)
        else:
            yield build(
                source,
                f"{name} line {title.line}",
                lambda t=title.text, a=text, d=day: PaperRecord(
                    title=t, abstract=a, featured=[Featured(d)] if d else []
                ),
                rid,
            )
        title = None
    if title is not None:
        rid = stable_id(title.text) if title.text else None
        if title.problem is not None:
            yield RecordError(source, f"{name} line {title.problem[0]}", title.problem[1], rid)
        else:
            shown = title.text if len(title.text) <= 60 else title.text[:57] + "..."
            yield RecordError(
                source, f"{name} line {title.line}", f"title {shown!r} has no abstract (file truncated?)", rid
            )
