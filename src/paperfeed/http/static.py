"""The site's own files under ``/static`` (style sheet, scripts, icon), with how long a browser keeps them.

Starlette's ``StaticFiles`` answers with ``ETag`` and ``Last-Modified`` (and 304s) but no
``Cache-Control``, so each page view revalidated every file. The files' names carry no version, so they
are kept an hour, not a year: after an upgrade a browser has the new style sheet within the hour.
"""

from __future__ import annotations

from starlette.staticfiles import StaticFiles

CACHE_CONTROL = "public, max-age=3600"


class StaticAssets(StaticFiles):
    """``StaticFiles`` whose answers (a 304 too) say ``Cache-Control: public, max-age=3600``."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response
