"""``/library/import``: upload or paste a reference-manager export; matched papers go to a private collection.

The form posts multipart (file and paste box); the CSRF check reads the same parsed form. The import
runs in a worker thread (``paperfeed.library.import_library``); the answer is the report page: matched
papers with links, unmatched and malformed entries, duplicate keys. Text from the file is only ever
rendered escaped. A refused file (too large: 413; unreadable: 400) stores nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..http.auth import CSRF, LOGIN, RequireUser
from ..http.openapi import page
from ..http.uploads import read_form, run_import, upload_bytes
from ..library import FORMATS, LIBRARY, ImportReport, LibraryFileError, import_library
from ..store.collections import CollectionError
from .render import render

router = APIRouter(default_response_class=HTMLResponse)
FORM = {  # the form is read by hand (the file may be large): documented here
    "type": "object",
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "The export file"},
        "text": {"type": "string", "description": "Or the export, pasted"},
        "format": {"type": "string", "enum": ["", *FORMATS], "description": "Empty: detect"},
        "collection": {"type": "string", "description": "The collection to add to (default Library)"},
        "dry_run": {"type": "string", "enum": ["true", "false"]},
        "csrf_token": {"type": "string", "description": "The form's CSRF token (not with an API token)"},
    },
}


def _page(request: Request, *, status_code: int = 200, **context) -> Response:
    context.setdefault("collection", LIBRARY)
    return render(request, "library_import.html", formats=FORMATS, status_code=status_code, **context)


@router.get(
    "/library/import",
    dependencies=[LOGIN],
    responses=page(303, 401),
    summary="Import a library (BibTeX, Zotero RDF, CSL-JSON, ids)",
)
def import_form(request: Request) -> Response:
    return _page(request)


@router.post(
    "/library/import",
    dependencies=[LOGIN, Depends(read_form), CSRF],
    responses=page(303, 400, 401, 403, 413, 422),
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": FORM}}}},
    summary="Import a library: matched papers are added to your Library collection",
)
async def import_post(request: Request, user: RequireUser) -> Response:
    form = await request.form()
    fmt = str(form.get("format") or "")
    collection = " ".join(str(form.get("collection") or "").split())[:100] or LIBRARY
    dry_run = form.get("dry_run") == "true"
    keep = {"format": fmt, "collection": collection, "dry_run": dry_run}
    got = await upload_bytes(request, form.get("file"), form.get("text"))
    if got is None:
        return _page(request, error="Choose a file or paste your library.", status_code=400, **keep)
    data, name = got
    app = request.app
    try:
        report: ImportReport = await run_import(
            import_library, app.state.store, app.state.settings, data,
            user_id=user.id, name=name, format=fmt if fmt in FORMATS else None,
            collection=collection, dry_run=dry_run,
        )  # fmt: skip
    except LibraryFileError as exc:
        return _page(request, error=f"Nothing was imported: {exc}", status_code=exc.status, **keep)
    except CollectionError as exc:
        return _page(request, error=str(exc), status_code=400, **keep)
    return _page(request, report=report, **keep)
