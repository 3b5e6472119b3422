"""How the API answers: one list as a JSON page, as CSV or as GeoJSON, one item, one file, an error.

What an endpoint function returns (``Rows``, ``File``) or raises (``BadParameters``, ``NoSuchValue``),
and how each format is made of it: pagination and its links, the ETag (the data version and the
URL; unchanged data answer 304), gzip-compressed whole-list bodies cached per data version, and
errors as RFC 9457 problem details (``application/problem+json``). The registration decorators
(``opendata.web.registry``) route each URL to one of these; they read the declared parameters
(``opendata.web.parameters``) first, so an endpoint function gets only values it can use.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import orjson
from flask import Response, request, url_for
from flask_babel import gettext as _
from werkzeug.http import HTTP_STATUS_CODES

from core import versions as published
from core.web import database
from core.web.cache import app_cache
from core.web.responses import conditional, etag_of, gzipped
from opendata.schema import Table
from opendata.web.parameters import PAGING, BadParameters, Parameter, read_all

PROBLEM_JSON = "application/problem+json"


class NoSuchValue(LookupError):
    """Well-formed parameter values for which there are no data (a year nothing is published
    for, an unknown district): answered 404, naming them, with ``message`` saying why."""

    def __init__(self, parameters: list[str], message: str):
        super().__init__(message)
        self.parameters, self.message = parameters, message


def problem(status: int, error: str, detail=None, parameters: list[str] | None = None) -> Response:
    """An error as RFC 9457 problem details, with the API's own ``error`` code (and the
    ``parameters`` at fault) as extension members."""
    body: dict = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
                  "error": error}
    if detail:
        body["detail"] = str(detail)
    if parameters:
        body["parameters"] = parameters
    return Response(orjson.dumps(body), status=status, mimetype=PROBLEM_JSON)


def bad_parameters(names: list[str]) -> Response:
    return problem(400, "bad_parameter", _("Parameter values not understood: %(names)s. The OpenAPI document "
                                           "at /api/openapi.json says which values each parameter takes.",
                                           names=", ".join(names)), names)


@dataclass
class Rows:
    """What a list function returns: read-model rows and what they depend on.

    ``etag``: the data the rows come from (the data version, say); the URL is added to it.
    ``each``: fields every row shares (the fiscal year of the facilities' amounts).
    ``meta``: extra top-level members of the JSON answer (documented by ``meta`` at registration).
    """

    rows: list[dict]
    etag: tuple
    each: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def records(self, rows: list[dict] | None = None) -> list[dict]:
        rows = self.rows if rows is None else rows
        return [{**self.each, **row} for row in rows] if self.each else rows


@dataclass
class File:
    body: bytes
    file_name: str
    etag: tuple


def etag_parts(data_etag: tuple) -> tuple:
    return ("api", request.endpoint, sorted(request.args.items(multi=True)), *data_etag)


def answer(response: Response, data_etag: tuple) -> Response:
    return conditional(response, *etag_parts(data_etag), language_free=True)


def _json(payload) -> Response:
    return Response(orjson.dumps(payload), mimetype="application/json")


def _url(endpoint: str, **changes) -> str:
    """This request's URL for ``endpoint``, with ``changes`` to its parameters (None drops one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(endpoint, _external=True, **request.view_args, **args)


def _data_facts() -> tuple[int | None, bool]:
    """The published version and whether it shows the demo data set."""
    version_id = database.published_version_id()
    demo = app_cache("api_facts", 8).get_or_build(
        ("demo", version_id), lambda: published.shows_demo_data(database.connection(), version_id))
    return version_id, demo


def fetched(fetch, parameters: Iterable[Parameter]) -> tuple[Rows | None, dict, Response | None]:
    """The rows ``fetch`` gives for the request's values of ``parameters``, or the error answer."""
    try:
        values = read_all(parameters, request.args)
        return fetch(values), values, None
    except BadParameters as error:
        return None, {}, bad_parameters(error.problems)
    except NoSuchValue as error:
        return None, {}, problem(404, "not_found", error.message, error.parameters)


def json_page(name: str, table: Table, fetch, parameters: tuple[Parameter, ...],
              formats: Callable[[], dict[str, str]]) -> Response:
    """One page of list ``name``; ``formats`` gives its other formats (format -> endpoint) for the links."""
    rows, values, error = fetched(fetch, (*parameters, *PAGING))
    if error is not None:
        return error
    page, per_page = values["page"], values["per_page"]
    total = len(rows.rows)
    pages = max(1, -(-total // per_page))
    if page > pages:
        return problem(404, "not_found", _("There is no page %(page)s: the list has %(pages)s.",
                                           page=page, pages=pages), ["page"])
    shown = rows.records(rows.rows[(page - 1) * per_page: page * per_page])
    version_id, demo = _data_facts()
    endpoint = f"api.{name}"
    links = {"self": _url(endpoint), "first": _url(endpoint, page=None), "last": _url(endpoint, page=pages),
             "prev": _url(endpoint, page=page - 1) if page > 1 else None,
             "next": _url(endpoint, page=page + 1) if page < pages else None,
             **{fmt: _url(other, page=None, per_page=None) for fmt, other in formats().items()}}
    payload = {**rows.meta, "data_version": version_id, "demo_data": demo, "total": total, "page": page,
               "per_page": per_page, "pages": pages, "links": links,
               "items": [table.public(row) for row in shown]}
    return answer(_json(payload), (version_id, *rows.etag))


def _cached_gzip(kind: str, data_etag: tuple, build: Callable[[], bytes]) -> bytes:
    """A whole-list body, built and gzip-compressed once per data version and URL."""
    key = (kind, etag_of(*etag_parts(data_etag)))
    return app_cache("api_files", 16).get_or_build(
        key, lambda: gzip.compress(build(), compresslevel=6, mtime=0))


def csv_file(name: str, table: Table, fetch, parameters: tuple[Parameter, ...]) -> Response:
    rows, _values, error = fetched(fetch, parameters)
    if error is not None:
        return error
    version_id = database.published_version_id()
    body = _cached_gzip("csv", rows.etag, lambda: table.csv(rows.records()))
    response = gzipped(body, "text/csv")
    suffix = f"-v{version_id}" if version_id else ""
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    return answer(response, (version_id, *rows.etag))


def geojson_file(table: Table, fetch, parameters: tuple[Parameter, ...], geometry, feature_id: str,
                 omit: tuple[str, ...]) -> Response:
    rows, _values, error = fetched(fetch, parameters)
    if error is not None:
        return error

    def build() -> bytes:
        features = []
        for row in rows.records():
            properties = table.public(row)
            for name in omit:
                properties.pop(name, None)
            features.append({"type": "Feature", "id": properties[feature_id], "geometry": geometry(row),
                             "properties": properties})
        return orjson.dumps({"type": "FeatureCollection", "features": features})

    version_id = database.published_version_id()
    response = gzipped(_cached_gzip("geojson", rows.etag, build), "application/geo+json")
    return answer(response, (version_id, *rows.etag))


def json_item(table: Table, fetch, values: dict, not_found) -> Response:
    rows = fetch(**values)
    if rows is None or not rows.rows:
        return problem(404, "not_found", not_found)
    return answer(_json(table.public(rows.records()[0])), rows.etag)


def file(fetch, values: dict, mimetype: str, not_found) -> Response:
    found = fetch(**values)
    if found is None:
        return problem(404, "not_found", not_found)
    response = Response(found.body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return answer(response, found.etag)
