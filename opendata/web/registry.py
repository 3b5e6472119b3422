"""The /api blueprint and its operations registry: one decorator registers an endpoint everywhere.

``listing`` (or ``item``, ``feature_collection``, ``download``) adds the endpoint's URLs to the
blueprint, answered in their formats (``opendata.web.answers``), and records each as an
``Operation`` in ``OPERATIONS``, the list the OpenAPI document is built from. The endpoint modules
import this one and fill the registry when they are imported (``opendata.web.api`` imports them
all); this module imports none of them. Every answer under /api/ is open to any origin (CORS),
and every error there is problem details, a 405 with its ``Allow`` header (``api_answers``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import MethodNotAllowed

from opendata.schema import Table
from opendata.web.answers import File, Rows, csv_file, file, geojson_file, json_item, json_page, problem
from opendata.web.openapi import PREFIX, Operation, feature_collection_schema, page_schema, ref
from opendata.web.parameters import PAGING, Parameter

bp = Blueprint("api", __name__, url_prefix=PREFIX)

OPERATIONS: list[Operation] = []


def register(rule: str, endpoint: str, view, operation: Operation) -> None:
    bp.add_url_rule(rule, endpoint, view)
    OPERATIONS.append(operation)


def formats(name: str) -> dict[str, str]:
    """The other formats of list ``name`` (its path plus .csv or .geojson): format -> endpoint."""
    rule = next(op.rule for op in OPERATIONS if op.endpoint == name)
    return {fmt: f"api.{op.endpoint}" for fmt in ("csv", "geojson") for op in OPERATIONS
            if op.rule == f"{rule}.{fmt}"}


def listing(rule: str, table: Table, *, summary: str, description: str = "",
            parameters: tuple[Parameter, ...] = (), meta: dict | None = None):
    """Register a list: paginated JSON at ``rule``, every row as CSV at ``rule + ".csv"``.

    The decorated function takes the values of ``parameters`` (read and checked before it is
    called: a value not understood is a 400) and returns ``Rows``, or raises ``NoSuchValue``;
    ``meta`` documents ``Rows.meta`` (member name -> JSON Schema).
    """
    def registered(fetch: Callable[[dict], Rows]) -> Callable[[dict], Rows]:
        name = fetch.__name__
        register(rule, name, lambda: json_page(name, table, fetch, parameters, lambda: formats(name)), Operation(
            rule, name, summary, description, (*parameters, *PAGING),
            {"application/json": {"schema": page_schema(table, meta or {})}}, (400, 404)))
        register(rule + ".csv", f"{name}_csv", lambda: csv_file(name, table, fetch, parameters), Operation(
            rule + ".csv", f"{name}_csv", f"{summary} (CSV)",
            "Every row (no pagination) as CSV for spreadsheets: UTF-8 with a byte-order mark, "
            "text cells that would start a formula prefixed with an apostrophe. Columns: "
            + ", ".join(table.flat().field_names) + ".", parameters,
            {"text/csv": {"schema": {"type": "string"}}}, (400, 404)))
        return fetch
    return registered


def feature_collection(rule: str, table: Table, *, geometry: Callable[[dict], dict | None], feature_id: str,
                       summary: str, description: str = "", omit: tuple[str, ...] = (),
                       parameters: tuple[Parameter, ...] = ()):
    """Register a GeoJSON FeatureCollection (RFC 7946: EPSG:4326, longitude first) of ``Rows``.

    Properties are the table's public fields minus ``omit`` (those the geometry carries).
    """
    def registered(fetch: Callable[[dict], Rows]) -> Callable[[dict], Rows]:
        name = f"{fetch.__name__}_geojson"
        register(rule, name, lambda: geojson_file(table, fetch, parameters, geometry, feature_id, omit), Operation(
            rule, name, summary, description, parameters,
            {"application/geo+json": {"schema": feature_collection_schema(table, omit)}}, (400, 404)))
        return fetch
    return registered


def item(rule: str, table: Table, *, summary: str, description: str = "",
         not_found=_l("There is no such item.")):
    """Register one object at ``rule``; the function gets the path's values, returns Rows or None."""
    def registered(fetch: Callable[..., Rows | None]) -> Callable[..., Rows | None]:
        name = fetch.__name__
        register(rule, name, lambda **values: json_item(table, fetch, values, not_found), Operation(
            rule, name, summary, description, (),
            {"application/json": {"schema": ref(table)}}, (404,)))
        return fetch
    return registered


def download(rule: str, mimetype: str, *, summary: str, description: str = "",
             not_found=_l("There is no such item.")):
    """Register a file download; the function gets the path's values and returns File or None."""
    def registered(fetch: Callable[..., File | None]) -> Callable[..., File | None]:
        name = fetch.__name__
        register(rule, name, lambda **values: file(fetch, values, mimetype, not_found), Operation(
            rule, name, summary, description, (),
            {mimetype: {"schema": {"contentMediaType": mimetype}}}, (404,)))
        return fetch
    return registered


@bp.after_app_request
def api_answers(response: Response) -> Response:
    """Every answer under /api/: an error is problem details, a 405 says what is allowed, and any
    site's scripts may read it (CORS: the API is public and read-only, no credentials)."""
    if request.path.startswith(PREFIX + "/"):
        if response.status_code >= 400 and response.mimetype == "application/json":
            response = as_problem(response)
        if response.status_code == 405 and isinstance(request.routing_exception, MethodNotAllowed):
            response.headers["Allow"] = ", ".join(sorted(request.routing_exception.valid_methods or ()))
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Content-Disposition"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def as_problem(response: Response) -> Response:
    """The app's JSON error (``web.errors``: unknown path, 405, 500) as problem details."""
    body = response.get_json(silent=True) or {}
    converted = problem(response.status_code, body.get("error", "error"), body.get("message"), body.get("parameters"))
    for name, value in response.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            converted.headers.add(name, value)
    return converted
