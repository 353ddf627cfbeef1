"""Reading uploaded files and pasted text, capped (library imports from the page and the API)."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

PASTE_NAME = "pasted text"


async def read_form(request: Request) -> None:
    """Parse the multipart form once, with room for a paste box as large as the file cap."""
    await request.form(max_part_size=request.app.state.settings.library_max_bytes + 1024)


async def upload_bytes(request: Request, upload: object, text: object) -> tuple[bytes, str] | None:
    """The file's first ``library_max_bytes + 1`` bytes (enough to refuse a larger one) and its name."""
    cap = request.app.state.settings.library_max_bytes + 1
    if isinstance(upload, UploadFile) and upload.filename:
        return await upload.read(cap), upload.filename[:200]
    if isinstance(text, str) and text.strip():
        return text.encode("utf-8")[:cap], PASTE_NAME
    return None
