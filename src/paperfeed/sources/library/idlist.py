"""A plain list of arXiv ids or URLs (arXiv DOIs and other DOIs too), one per line.

Blank lines and lines starting with ``#`` or ``%`` are skipped; text after the first word of a line is a
comment. Versioned (``2401.01234v2``) and old-style (``hep-th/9901001``) ids are read as the paper.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...ids import normalise_doi
from .entry import BadEntry, LibraryEntry, arxiv_in, make_entry

_COMMENT = ("#", "%", "//")


def id_of_line(line: str) -> tuple[str | None, str | None] | None:
    """``(arxiv_id, doi)`` named by a line's first word, None for a comment or blank line; ``(None, None)``
    when the word is neither."""
    s = line.strip()
    if not s or s.startswith(_COMMENT):
        return None
    word = s.split()[0].strip("<>\"',;")
    if "://" in word:
        word = re.split(r"[?#]", word, maxsplit=1)[0]
    arxiv = arxiv_in(word)
    if arxiv:
        return arxiv, None
    return None, normalise_doi(word)


def read_ids(text: str, name: str) -> Iterator[LibraryEntry | BadEntry]:
    for n, line in enumerate(text.splitlines(), start=1):
        found = id_of_line(line)
        if found is None:
            continue
        arxiv, doi = found
        if not (arxiv or doi):
            yield BadEntry(n, None, f"{line.strip()[:60]!r} is not an arXiv id, arXiv URL or DOI")
            continue
        yield make_entry(arxiv or doi, n, arxiv=(arxiv,), doi=doi)
