"""Reading uploaded files and pasted text, capped, and importing them off the handler threads (library
imports from the page and the API)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import Request
from starlette.datastructures import UploadFile

from .bodylimit import limit
from .params import refuse_nul

PASTE_NAME = "pasted text"


def upload_cap(library_max_bytes: int) -> tuple[int, str]:
    """The request body cap of an upload route (``bodylimit``) and the limit its 413 names: a file (or a
    paste) of ``library_max_bytes`` and the form around it; the route refuses a larger file itself."""
    return library_max_bytes + 64 * 1024, limit(library_max_bytes, "library_max_bytes")


async def read_form(request: Request) -> None:
    """Parse the multipart form once, with room for a paste box as large as the file cap; a NUL character in
    a text field is a 422 (``params.refuse_nul``: the file itself is the importer's to judge)."""
    form = await request.form(max_part_size=request.app.state.settings.library_max_bytes + 1024)
    refuse_nul("body", [(k, v) for k, v in form.multi_items() if k != "text"])


async def upload_bytes(request: Request, upload: object, text: object) -> tuple[bytes, str] | None:
    """The file's first ``library_max_bytes + 1`` bytes (enough to refuse a larger one) and its name."""
    cap = request.app.state.settings.library_max_bytes + 1
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read(cap), upload.filename[:200]
    if isinstance(text, str) and text.strip():
        return text.encode("utf-8")[:cap], PASTE_NAME
    return None


T = TypeVar("T")
IMPORT_THREADS = 2  # imports a serving process runs at once; more wait for a free one
_import_threads: RunVar[anyio.CapacityLimiter] = RunVar("paperfeed_import_threads")


async def run_import(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` on a thread of the imports' own pool: an import takes seconds, and on the
    handler threads (``serve_threads``, a few) two of them would hold up every page of the process."""
    try:
        limiter = _import_threads.get()
    except LookupError:  # one pool per event loop (each serving process has one)
        limiter = anyio.CapacityLimiter(IMPORT_THREADS)
        _import_threads.set(limiter)
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=limiter)
