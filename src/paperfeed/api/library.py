"""``POST /api/library/import``: a library export in, the import report out (JSON).

The body is the file itself (any content type: ``curl --data-binary @library.bib``) or a multipart form
with a ``file`` (or ``text``) field. Authentication as for every write: a Bearer token, or a session
cookie plus ``X-CSRF-Token``. 401 without a user, 413 over ``library_max_bytes`` or
``library_max_entries``, 400 for a file that cannot be read; in each case nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ..errors import size_text
from ..http.auth import CSRF, LOGIN, RequireUser
from ..http.openapi import api
from ..http.uploads import read_form, run_import, upload_bytes
from ..library import LIBRARY, LibraryFileError, LibraryTooLarge, import_library
from ..store.collections import CollectionError

router = APIRouter(tags=["paperfeed"])
EXPORT = {"type": "string", "description": "The export file (BibTeX, Zotero RDF, CSL-JSON or arXiv ids)"}
BODY = {  # read by hand (the file may be large): documented here
    "text/plain": {"schema": EXPORT},
    "application/octet-stream": {"schema": {**EXPORT, "format": "binary"}},
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"file": {**EXPORT, "format": "binary"}, "text": {**EXPORT, "description": "or pasted"}},
        }
    },
}


def _multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


async def _read_multipart(request: Request) -> None:
    if _multipart(request):
        await read_form(request)


async def _body(request: Request, cap: int) -> bytes:
    """The raw body, refused (413) once it passes ``cap`` bytes, without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise LibraryTooLarge(f"the file is {size_text(int(declared))}, over the {size_text(cap)} limit "
                              "(setting library_max_bytes)")  # fmt: skip
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > cap:
            break
    return bytes(data)


@router.post(
    "/library/import",
    dependencies=[LOGIN, Depends(_read_multipart), CSRF],
    responses=api(400, 403, 413),
    openapi_extra={"requestBody": {"required": True, "content": BODY}},
    summary="Import a library (BibTeX, Zotero RDF, CSL-JSON or arXiv ids)",
    description="Matches each entry to a paper here by arXiv id, DOI or title and adds the matches to your "
    "private collection (default `Library`, created if missing) in one transaction. Send the file as the "
    "body, or as the multipart field `file`. The answer is the report: `matched` (with `by`: arxiv, doi or "
    "title, and `status`: added, already or repeat), `unmatched` (with `why`), `malformed` (line and reason) "
    "and `duplicate_keys`. Re-importing a file adds nothing new. 413 for a file over the size or entry cap.",
)
async def import_library_api(
    request: Request,
    user: RequireUser,
    format: Annotated[Literal["bibtex", "rdf", "csl-json", "ids"] | None, Query(description="Default: detect")] = None,  # noqa: A002
    collection: Annotated[str, Query(max_length=100, description="The collection to add to")] = LIBRARY,
    dry_run: Annotated[bool, Query(description="Report what would be added; add nothing")] = False,
) -> JSONResponse:
    settings = request.app.state.settings
    try:
        if _multipart(request):
            form = await request.form()
            got = await upload_bytes(request, form.get("file"), form.get("text"))
            if got is None:
                return JSONResponse({"error": "send the file as the body or as the multipart field 'file'"}, 400)
            data, name = got
        else:
            data, name = await _body(request, settings.library_max_bytes), "request body"
        report = await run_import(
            import_library, request.app.state.store, settings, data,
            user_id=user.id, name=name, format=format, collection=collection, dry_run=dry_run,
        )  # fmt: skip
    except LibraryFileError as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    except CollectionError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse(report.as_dict())
