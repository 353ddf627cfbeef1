"""Reading uploaded files and pasted text, capped (library imports from the page and the API)."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from .params import refuse_nul

PASTE_NAME = "pasted text"


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
