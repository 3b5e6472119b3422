"""The /api blueprint and its operations registry: one decorator registers an endpoint everywhere.

``listing`` (or ``item``, ``feature_collection``, ``download``) adds the endpoint's URLs to the
blueprint, answered in their formats (``opendata.web.answers``), and records each as an
``Operation`` in ``OPERATIONS``, the list the OpenAPI document is built from. The endpoint modules
import this one and fill the registry when they are imported (``opendata.web.api`` imports them
all); this module imports none of them. Every answer of the blueprint is open to any origin (CORS).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, request
from flask_babel import lazy_gettext as _l

from opendata.schema import Table
from opendata.web.answers import File, Rows, csv_file, file, geojson_file, json_item, json_page
from opendata.web.openapi import (
    PAGING_PARAMETERS,
    PREFIX,
    Operation,
    feature_collection_schema,
    no_parameters,
    page_schema,
    ref,
)

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
            parameters: Callable[[], list[dict]] = no_parameters, meta: dict | None = None):
    """Register a list: paginated JSON at ``rule``, every row as CSV at ``rule + ".csv"``.

    The decorated function takes the request's arguments and returns ``Rows`` (or raises
    ``BadParameters``); ``meta`` documents ``Rows.meta`` (member name -> JSON Schema).
    """
    def registered(fetch: Callable[..., Rows]) -> Callable[..., Rows]:
        name = fetch.__name__
        register(rule, name, lambda: json_page(name, table, fetch, lambda: formats(name)), Operation(
            rule, name, summary, description, lambda: [*parameters(), *PAGING_PARAMETERS],
            {"application/json": {"schema": page_schema(table, meta or {})}}, (400, 404)))
        register(rule + ".csv", f"{name}_csv", lambda: csv_file(name, table, fetch), Operation(
            rule + ".csv", f"{name}_csv", f"{summary} (CSV)",
            "Every row (no pagination) as CSV for spreadsheets: UTF-8 with a byte-order mark, "
            "text cells that would start a formula prefixed with an apostrophe. Columns: "
            + ", ".join(table.flat().field_names) + ".", parameters,
            {"text/csv": {"schema": {"type": "string"}}}, (400,)))
        return fetch
    return registered


def feature_collection(rule: str, table: Table, *, geometry: Callable[[dict], dict | None], feature_id: str,
                       summary: str, description: str = "", omit: tuple[str, ...] = (),
                       parameters: Callable[[], list[dict]] = no_parameters):
    """Register a GeoJSON FeatureCollection (RFC 7946: EPSG:4326, longitude first) of ``Rows``.

    Properties are the table's public fields minus ``omit`` (those the geometry carries).
    """
    def registered(fetch: Callable[..., Rows]) -> Callable[..., Rows]:
        name = f"{fetch.__name__}_geojson"
        register(rule, name, lambda: geojson_file(table, fetch, geometry, feature_id, omit), Operation(
            rule, name, summary, description, parameters,
            {"application/geo+json": {"schema": feature_collection_schema(table, omit)}}, (400,)))
        return fetch
    return registered


def item(rule: str, table: Table, *, summary: str, description: str = "",
         not_found=_l("There is no such item.")):
    """Register one object at ``rule``; the function gets the path's values, returns Rows or None."""
    def registered(fetch: Callable[..., Rows | None]) -> Callable[..., Rows | None]:
        name = fetch.__name__
        register(rule, name, lambda **values: json_item(table, fetch, values, not_found), Operation(
            rule, name, summary, description, no_parameters,
            {"application/json": {"schema": ref(table)}}, (404,)))
        return fetch
    return registered


def download(rule: str, mimetype: str, *, summary: str, description: str = "",
             not_found=_l("There is no such item.")):
    """Register a file download; the function gets the path's values and returns File or None."""
    def registered(fetch: Callable[..., File | None]) -> Callable[..., File | None]:
        name = fetch.__name__
        register(rule, name, lambda **values: file(fetch, values, mimetype, not_found), Operation(
            rule, name, summary, description, no_parameters,
            {mimetype: {"schema": {"contentMediaType": mimetype}}}, (404,)))
        return fetch
    return registered


@bp.after_app_request
def open_to_every_origin(response: Response) -> Response:
    """CORS: the API is public and read-only, so any site's scripts may read it (no credentials)."""
    if request.path.startswith(PREFIX + "/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Content-Disposition"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response
