"""Residents' downloads: a page's table as a spreadsheet, as the page shows it.

Headers in the page's language, money in exact tenge with two decimals (``explore.dashboard.kzt``),
and a layout Excel opens as columns with a double click: with Kazakh or Russian regional settings
Excel expects semicolons and decimal commas, so those pages offer that layout first and plain
commas second (English pages the other way round); ``?format=excel|commas`` picks one. The open
data under /api keeps its own machine-readable CSV (codes, tiyn).
"""

from __future__ import annotations

from flask import Response, request, url_for
from flask_babel import lazy_gettext as _l

from core.csv_export import COMMAS, SEMICOLONS, CsvLayout
from core.web.i18n import language

LAYOUTS = {"excel": SEMICOLONS, "commas": COMMAS}
LABELS = {"excel": _l("CSV for Excel (semicolons)"), "commas": _l("CSV (commas)")}
SEMICOLON_LANGUAGES = frozenset({"kk", "ru"})  # Excel's list separator there is ";"


def default_format() -> str:
    return "excel" if language() in SEMICOLON_LANGUAGES else "commas"


def chosen_layout() -> CsvLayout:
    """The layout the URL asks for, or the one of the page's language."""
    return LAYOUTS.get(request.args.get("format", ""), LAYOUTS[default_format()])


def csv_links(endpoint: str, **args) -> list[tuple[str, str]]:
    """(URL, label) of each layout of a download, the language's own first."""
    first = default_format()
    return [(url_for(endpoint, **args, format=name), str(LABELS[name]))
            for name in sorted(LAYOUTS, key=lambda name: name != first)]


def csv_download(body: bytes, file_name: str) -> Response:
    """A CSV attachment, revalidated every time (a new version shows at once) and answered 304
    while unchanged; it differs by language and by the session's language choice."""
    response = Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{file_name}"'})
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)
