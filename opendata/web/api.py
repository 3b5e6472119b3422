"""The open data API: read-only JSON, CSV and GeoJSON under /api/v1/, described at /api/openapi.json.

URL scheme (as Datasette's): a list is JSON at its path, the whole list as CSV at the same path
plus ``.csv``, and as GeoJSON (RFC 7946) at the path plus ``.geojson`` where its rows are places.
The facilities take the map's filter parameters (``explore.filters``, the same selection
code as the map and the table), so a map link's query string works on the API as it is. JSON
lists are paginated (``page``, ``per_page`` up to ``MAX_PER_PAGE``, links to the other pages);
CSV and GeoJSON hold every row of the selection. Every answer carries an ETag made of the data
version and the URL (unchanged data: 304), ``Access-Control-Allow-Origin: *``, and errors as
JSON (``web.errors``). Fields are those of the tables in ``opendata.tables``, nothing else.

Adding an endpoint is one table and one function (the feedback and risk flag lists, say):

    # data/open_data.py
    FEEDBACK = Table("feedback", "Published feedback", "...", (Field("id", INTEGER, "..."), ...))

    # here
    @listing("/v1/feedback", open_data.FEEDBACK, summary="Published feedback")
    def feedback(args) -> Rows:
        return Rows(feedback_queries.published(database.connection()), etag=(last_change,))

``listing`` (or ``item``, ``feature_collection``, ``download``) registers the URLs, the JSON
pages, the CSV, ETag and CORS, and the operation in the OpenAPI document; the conformance test
in ``tests/web/test_api.py`` calls every path of that document and checks the answers against
it, so a new endpoint is tested against its schema without a new test.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from budget import publish as uploads
from core import versions as published
from core.web import database
from core.web.cache import app_cache
from core.web.responses import bad_parameters, conditional, etag_of, gzipped, json_error
from explore import queries
from explore.filters import CHOICES, MAX_TEXT, PARAMETERS
from explore.web import map_page
from feedback import store as feedback_store
from geo.coords import geojson_geometry, geojson_point
from opendata import tables as open_data
from opendata.tables import Table
from risk import store as risk_store
from risk.rules import RULES as RISK_RULES

bp = Blueprint("api", __name__, url_prefix="/api")

PREFIX = "/api"
PER_PAGE, MAX_PER_PAGE = 100, 1000


class BadParameters(ValueError):
    """URL parameters whose values were not understood (answered 400, naming them)."""

    def __init__(self, problems: list[str]):
        super().__init__(", ".join(problems))
        self.problems = problems


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


@dataclass(frozen=True)
class Operation:
    """One documented GET path: what the OpenAPI document says about it."""

    rule: str  # the Flask rule, without the blueprint prefix
    endpoint: str
    summary: str
    description: str
    parameters: Callable[[], list[dict]]
    content: dict  # media type -> {"schema": ...}
    errors: tuple[int, ...]


OPERATIONS: list[Operation] = []


def _no_parameters() -> list[dict]:
    return []


def _register(rule: str, endpoint: str, view, operation: Operation) -> None:
    bp.add_url_rule(rule, endpoint, view)
    OPERATIONS.append(operation)


# --------------------------------------------------------------------- registration helpers

def listing(rule: str, table: Table, *, summary: str, description: str = "",
            parameters: Callable[[], list[dict]] = _no_parameters, meta: dict | None = None):
    """Register a list: paginated JSON at ``rule``, every row as CSV at ``rule + ".csv"``.

    The decorated function takes the request's arguments and returns ``Rows`` (or raises
    ``BadParameters``); ``meta`` documents ``Rows.meta`` (member name -> JSON Schema).
    """
    def register(fetch: Callable[..., Rows]) -> Callable[..., Rows]:
        name = fetch.__name__
        _register(rule, name, lambda: _json_page(name, table, fetch), Operation(
            rule, name, summary, description, lambda: [*parameters(), *PAGING_PARAMETERS],
            {"application/json": {"schema": _page_schema(table, meta or {})}}, (400, 404)))
        _register(rule + ".csv", f"{name}_csv", lambda: _csv_file(name, table, fetch), Operation(
            rule + ".csv", f"{name}_csv", f"{summary} (CSV)",
            "Every row (no pagination) as CSV for spreadsheets: UTF-8 with a byte-order mark, "
            "text cells that would start a formula prefixed with an apostrophe. Columns: "
            + ", ".join(table.flat().field_names) + ".", parameters,
            {"text/csv": {"schema": {"type": "string"}}}, (400,)))
        return fetch
    return register


def feature_collection(rule: str, table: Table, *, geometry: Callable[[dict], dict | None], feature_id: str,
                       summary: str, description: str = "", omit: tuple[str, ...] = (),
                       parameters: Callable[[], list[dict]] = _no_parameters):
    """Register a GeoJSON FeatureCollection (RFC 7946: EPSG:4326, longitude first) of ``Rows``.

    Properties are the table's public fields minus ``omit`` (those the geometry carries).
    """
    def register(fetch: Callable[..., Rows]) -> Callable[..., Rows]:
        name = f"{fetch.__name__}_geojson"
        _register(rule, name, lambda: _geojson_file(table, fetch, geometry, feature_id, omit), Operation(
            rule, name, summary, description, parameters,
            {"application/geo+json": {"schema": _feature_collection_schema(table, omit)}}, (400,)))
        return fetch
    return register


def item(rule: str, table: Table, *, summary: str, description: str = "",
         not_found=_l("There is no such item.")):
    """Register one object at ``rule``; the function gets the path's values, returns Rows or None."""
    def register(fetch: Callable[..., Rows | None]) -> Callable[..., Rows | None]:
        name = fetch.__name__
        _register(rule, name, lambda **values: _json_item(table, fetch, values, not_found), Operation(
            rule, name, summary, description, _no_parameters,
            {"application/json": {"schema": _ref(table)}}, (404,)))
        return fetch
    return register


@dataclass
class File:
    body: bytes
    file_name: str
    etag: tuple


def download(rule: str, mimetype: str, *, summary: str, description: str = "",
             not_found=_l("There is no such item.")):
    """Register a file download; the function gets the path's values and returns File or None."""
    def register(fetch: Callable[..., File | None]) -> Callable[..., File | None]:
        name = fetch.__name__
        _register(rule, name, lambda **values: _file(fetch, values, mimetype, not_found), Operation(
            rule, name, summary, description, _no_parameters,
            {mimetype: {"schema": {"contentMediaType": mimetype}}}, (404,)))
        return fetch
    return register


# --------------------------------------------------------------------- answering

def _etag_parts(data_etag: tuple) -> tuple:
    return ("api", request.endpoint, sorted(request.args.items(multi=True)), *data_etag)


def _answer(response: Response, data_etag: tuple) -> Response:
    return conditional(response, *_etag_parts(data_etag), language_free=True)


def _json(payload) -> Response:
    return Response(orjson.dumps(payload), mimetype="application/json")


def _paging(args) -> tuple[int, int, list[str]]:
    problems = []
    values = {}
    for name, default, highest in (("page", 1, None), ("per_page", PER_PAGE, MAX_PER_PAGE)):
        raw = (args.get(name) or "").strip()
        if not raw:
            values[name] = default
        elif raw.isdigit() and int(raw) >= 1 and (highest is None or int(raw) <= highest):
            values[name] = int(raw)
        else:
            problems.append(name)
            values[name] = default
    return values["page"], values["per_page"], problems


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


def _json_page(name: str, table: Table, fetch) -> Response:
    page, per_page, problems = _paging(request.args)
    try:
        rows = fetch(request.args)
    except BadParameters as error:
        problems = error.problems + problems
    if problems:
        return bad_parameters(problems)
    total = len(rows.rows)
    pages = max(1, -(-total // per_page))
    if page > pages:
        return json_error(404, "not_found", _("There is no page %(page)s: the list has %(pages)s.",
                                              page=page, pages=pages))
    shown = rows.records(rows.rows[(page - 1) * per_page: page * per_page])
    version_id, demo = _data_facts()
    endpoint = f"api.{name}"
    links = {"self": _url(endpoint), "first": _url(endpoint, page=None), "last": _url(endpoint, page=pages),
             "prev": _url(endpoint, page=page - 1) if page > 1 else None,
             "next": _url(endpoint, page=page + 1) if page < pages else None,
             **{fmt: _url(other, page=None, per_page=None) for fmt, other in _formats(name).items()}}
    payload = {**rows.meta, "data_version": version_id, "demo_data": demo, "total": total, "page": page,
               "per_page": per_page, "pages": pages, "links": links,
               "items": [table.public(row) for row in shown]}
    return _answer(_json(payload), (version_id, *rows.etag))


def _formats(name: str) -> dict[str, str]:
    """The other formats of list ``name`` (its path plus .csv or .geojson): format -> endpoint."""
    rule = next(op.rule for op in OPERATIONS if op.endpoint == name)
    return {fmt: f"api.{op.endpoint}" for fmt in ("csv", "geojson") for op in OPERATIONS
            if op.rule == f"{rule}.{fmt}"}


def _cached_gzip(kind: str, data_etag: tuple, build: Callable[[], bytes]) -> bytes:
    """A whole-list body, built and gzip-compressed once per data version and URL."""
    key = (kind, etag_of(*_etag_parts(data_etag)))
    return app_cache("api_files", 16).get_or_build(
        key, lambda: gzip.compress(build(), compresslevel=6, mtime=0))


def _csv_file(name: str, table: Table, fetch) -> Response:
    try:
        rows = fetch(request.args)
    except BadParameters as error:
        return bad_parameters(error.problems)
    version_id = database.published_version_id()
    body = _cached_gzip("csv", rows.etag, lambda: table.csv(rows.records()))
    response = gzipped(body, "text/csv")
    suffix = f"-v{version_id}" if version_id else ""
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    return _answer(response, (version_id, *rows.etag))


def _geojson_file(table: Table, fetch, geometry, feature_id: str, omit: tuple[str, ...]) -> Response:
    try:
        rows = fetch(request.args)
    except BadParameters as error:
        return bad_parameters(error.problems)

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
    return _answer(response, (version_id, *rows.etag))


def _json_item(table: Table, fetch, values: dict, not_found) -> Response:
    rows = fetch(**values)
    if rows is None or not rows.rows:
        return json_error(404, "not_found", not_found)
    return _answer(_json(table.public(rows.records()[0])), rows.etag)


def _file(fetch, values: dict, mimetype: str, not_found) -> Response:
    found = fetch(**values)
    if found is None:
        return json_error(404, "not_found", not_found)
    response = Response(found.body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    return _answer(response, found.etag)


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


# --------------------------------------------------------------------- schemas of the OpenAPI document

ERROR_SCHEMA = {
    "type": "object", "required": ["error"], "additionalProperties": False,
    "properties": {
        "error": {"type": "string", "description": "bad_parameter, not_found, method_not_allowed..."},
        "message": {"type": "string", "description": "What went wrong, in the request's language."},
        "parameters": {"type": "array", "items": {"type": "string"},
                       "description": "For bad_parameter: the parameters whose values were not understood."},
    },
}
GEOMETRY_SCHEMA = {
    "type": ["object", "null"], "required": ["type", "coordinates"],
    "properties": {"type": {"enum": ["Point", "Polygon", "MultiPolygon"]}, "coordinates": {"type": "array"}},
    "description": "RFC 7946 geometry, EPSG:4326, [longitude, latitude] positions.",
}
ERROR_TEXT = {400: "Parameter values that were not understood.", 404: "No such item or page."}


def _component(table: Table) -> str:
    return "".join(part.title() for part in table.name.split("_"))


def _ref(table: Table) -> dict:
    return {"$ref": f"#/components/schemas/{_component(table)}"}


def _page_schema(table: Table, meta: dict) -> dict:
    link = {"type": ["string", "null"], "format": "uri"}
    link_names = ["self", "first", "last", "prev", "next"]
    return {
        "type": "object", "additionalProperties": False,
        "required": [*meta, "data_version", "demo_data", "total", "page", "per_page", "pages", "links", "items"],
        "properties": {
            **meta,
            "data_version": {"type": ["integer", "null"], "description": "The published version answering."},
            "demo_data": {"type": "boolean", "description": "True while the generated demo data are published."},
            "total": {"type": "integer", "minimum": 0, "description": "Items in the whole list."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "pages": {"type": "integer", "minimum": 1},
            "links": {"type": "object", "additionalProperties": {"type": ["string", "null"], "format": "uri"},
                      "required": link_names, "properties": {key: link for key in link_names},
                      "description": "This page, the others, and the whole list as CSV (and GeoJSON)."},
            "items": {"type": "array", "items": _ref(table)},
        },
    }


def _feature_collection_schema(table: Table, omit: tuple[str, ...]) -> dict:
    properties = table.json_schema()
    properties = {**properties, "required": [k for k in properties["required"] if k not in omit],
                  "properties": {k: v for k, v in properties["properties"].items() if k not in omit}}
    feature = {"type": "object", "required": ["type", "geometry", "properties"],
               "properties": {"type": {"const": "Feature"}, "id": {"type": ["string", "integer"]},
                              "geometry": GEOMETRY_SCHEMA, "properties": properties}}
    return {"type": "object", "required": ["type", "features"], "not": {"required": ["crs"]},
            "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": feature}}}


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    """A Flask rule as an OpenAPI path, and its path parameters."""
    parameters = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1) or "string", match.group(2)
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": {"type": "integer"} if converter == "int" else {"type": "string"}})
        return "{" + name + "}"

    return PREFIX + re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule), parameters


IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "The ETag of an earlier answer: 304 when the data have not changed."}


# --------------------------------------------------------------------- the endpoints

FILTER_DOCS = {
    "year": "Fiscal year the amounts are for; default: the latest published year.",
    "type": "Facility type.",
    "work": "Only budget lines of this work type are summed, and only facilities with one are listed.",
    "status": "Only budget lines at this stage are summed, and only facilities with one are listed.",
    "funding": "Only budget lines paid from this budget level are summed, and only facilities with one are listed.",
    "district": "District KATO code (see districts).",
    "q": "Text in the facility's names (any language) or identifier, case-insensitive.",
    "risk": "Only facilities with a raised risk flag of this rule in the year (any: of any rule); see "
            "docs/risk-flags.md.",
}


def filter_parameters() -> list[dict]:
    """The map's filter parameters (``explore.filters.PARAMETERS``), documented."""
    parameters = []
    for param, field_name in PARAMETERS.items():
        if param == "year":
            schema = {"type": "integer"}
        elif field_name in CHOICES:
            schema = {"type": "string", "enum": list(CHOICES[field_name])}
        elif param == "district":
            schema = {"type": "string", "pattern": open_data.KATO_PATTERN}
        elif param == "q":
            schema = {"type": "string", "maxLength": MAX_TEXT}
        else:
            schema = {"type": "string"}
        parameters.append({"name": param, "in": "query", "required": False, "schema": schema,
                           "description": FILTER_DOCS.get(param, f"Filter by {field_name.replace('_', ' ')}, "
                                                                 "as on the map.")})
    return parameters


PAGING_PARAMETERS = (
    {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "default": 1},
     "description": "Page number; a page past the last answers 404."},
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": PER_PAGE},
     "description": f"Items per page, at most {MAX_PER_PAGE}."},
)


def year_parameter(description: str) -> Callable[[], list[dict]]:
    return lambda: [{"name": "year", "in": "query", "required": False, "schema": {"type": "integer"},
                     "description": description}]


def _facility_point(row: dict) -> dict:
    return geojson_point(row["lat"], row["lon"])


FACILITY_LIST_DOC = ("The facilities the map shows for the same filter parameters, with the sums of their "
                     "budget lines of the year, ordered by facility_id.")


@feature_collection("/v1/facilities.geojson", open_data.FACILITY_YEARS, geometry=_facility_point,
                    feature_id="facility_id", omit=("lat", "lon"), parameters=filter_parameters,
                    summary="Facilities as GeoJSON",
                    description=FACILITY_LIST_DOC + " Every facility of the selection (no pagination); "
                    "points in EPSG:4326, longitude first.")
@listing("/v1/facilities", open_data.FACILITY_YEARS, summary="Facilities", description=FACILITY_LIST_DOC,
         parameters=filter_parameters,
         meta={"year": {"type": ["integer", "null"], "description": "The fiscal year of the amounts."}})
def facilities(args) -> Rows:
    selection = map_page.current_selection(args)
    if selection.problems:
        raise BadParameters(selection.problems)
    year = selection.filter.year
    return Rows(selection.rows, etag=(selection.version_id,), each={"fiscal_year": year}, meta={"year": year})


@item("/v1/facilities/<path:facility_id>", open_data.FACILITY_WITH_LINES, summary="One facility",
      not_found=_l("There is no such facility."),
      description="A facility's attributes and all its published budget lines (every year), newest first.")
def facility(facility_id: str) -> Rows | None:
    version_id = database.published_version_id()
    detail = published.published_facility(database.connection(), version_id, facility_id)
    if detail is None:
        return None
    detail["lines"] = [{**line, "facility_id": detail["facility_id"]} for line in detail["lines"]]
    return Rows([detail], etag=(version_id, facility_id))


def _published_districts() -> tuple[int | None, list[int], list[dict]]:
    """The published version, its fiscal years, and every district with its money in each."""
    connection, version_id = database.connection(), database.published_version_id()

    def build() -> tuple[list[int], list[dict]]:
        return published.fiscal_years(connection, version_id), districts_of_version(connection, version_id)

    years, rows = app_cache("api_districts", 8).get_or_build(("districts", version_id), build)
    return version_id, years, rows


def districts_of_version(connection, version_id: int | None) -> list[dict]:
    """Every district with its money in each fiscal year published as of ``version_id``."""
    years = published.fiscal_years(connection, version_id)
    return open_data.districts_with_years(
        queries.district_list(connection),
        {year: queries.district_totals(connection, version_id, year) for year in years})


def _year_of(args, years: list[int], default: int | None) -> int | None:
    raw = (args.get("year") or "").strip()
    if not raw:
        return default
    if raw.isdigit() and int(raw) in years:
        return int(raw)
    raise BadParameters(["year"])


@listing("/v1/districts", open_data.DISTRICTS_WITH_YEARS, summary="Districts with their money by year",
         description="Every district with its population and, for each published fiscal year, the money "
         "allocated, contracted and paid for its facilities, per resident and the share paid. The CSV has "
         "one row per district and year.",
         parameters=year_parameter("Only this fiscal year; default: every published year."))
def districts(args) -> Rows:
    version_id, years, rows = _published_districts()
    year = _year_of(args, years, None)
    if year is not None:
        rows = [{**row, "years": [e for e in row["years"] if e["fiscal_year"] == year]} for row in rows]
    return Rows(rows, etag=(version_id,))


def _district_geometry(row: dict) -> dict | None:
    def build() -> dict:
        display = current_app.extensions["geography"].districts_display
        return {kato: geojson_geometry(geometry) for kato, geometry in display.geometry.items()}

    return app_cache("district_geometries", 1).get_or_build("all", build).get(row["kato"])


@feature_collection("/v1/districts.geojson", open_data.DISTRICT_TOTALS, geometry=_district_geometry,
                    feature_id="kato", summary="Districts as GeoJSON, with one year's money",
                    description="District boundaries (simplified; (c) OpenStreetMap contributors, ODbL 1.0) "
                    "with their money in one fiscal year as properties.",
                    parameters=year_parameter("The fiscal year of the money; default: the latest published."))
def districts_of_year(args) -> Rows:
    version_id, years, rows = _published_districts()
    year = _year_of(args, years, years[-1] if years else None)
    flat = [found for row in rows if (found := open_data.district_year(row, year)) is not None]
    return Rows(flat, etag=(version_id,))


@listing("/v1/feedback", open_data.FEEDBACK, summary="Published feedback",
         description="Residents' feedback as published by moderators, newest first, with the official "
         "answers. Never the resident's contact details or address. Filter by facility with `facility`.",
         parameters=lambda: [{"name": "facility", "in": "query", "required": False, "schema": {"type": "string"},
                              "description": "Only the feedback on this facility (its facility_id)."}])
def feedback(args) -> Rows:
    connection = database.connection()
    facility_id = (args.get("facility") or "").strip() or None
    rows = feedback_store.published_items(connection, facility_id)
    for row in rows:
        row["photo_url"] = (url_for("feedback.public_photo", feedback_id=row["id"], size="full", _external=True)
                            if row["has_photo"] else None)
    return Rows(rows, etag=feedback_store.last_change(connection))


def risk_parameters() -> list[dict]:
    return [
        {"name": "year", "in": "query", "required": False, "schema": {"type": "integer"},
         "description": "Only the flags of this fiscal year."},
        {"name": "rule", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(RISK_RULES)}, "description": "Only the flags of this rule."},
        {"name": "facility", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Only the flags of this facility (its facility_id)."},
        {"name": "outcome", "in": "query", "required": False, "schema": {"type": "string", "enum": ["raised", "all"]},
         "description": "raised (default): the flags that fired; all: also the checks that could not be judged."},
    ]


@listing("/v1/risk-flags", open_data.RISK_FLAGS, summary="Risk flags of the published version",
         description="The risk flags stored with the published version, by facility, newest year first. The "
         "rules and thresholds are explained in docs/risk-flags.md.", parameters=risk_parameters)
def risk_flags(args) -> Rows:
    problems = []
    year = (args.get("year") or "").strip()
    if year and not year.isdigit():
        problems.append("year")
    rule = (args.get("rule") or "").strip() or None
    if rule is not None and rule not in RISK_RULES:
        problems.append("rule")
    outcome = (args.get("outcome") or "raised").strip()
    if outcome not in ("raised", "all"):
        problems.append("outcome")
    if problems:
        raise BadParameters(problems)
    version_id = database.published_version_id()
    rows = risk_store.risk_flag_rows(database.connection(), version_id, facility_id=(args.get("facility") or None),
                                  fiscal_year=int(year) if year else None, rule=rule,
                                  outcome=None if outcome == "all" else outcome)
    for row in rows:
        row["figures_json"] = orjson.dumps(row["figures"], option=orjson.OPT_SORT_KEYS).decode()
    return Rows(rows, etag=(version_id,))


@listing("/v1/versions", open_data.VERSIONS, summary="Published versions",
         description="Every publication of budget data, newest first. The data of each is downloadable "
         "as a data package at /api/v1/versions/{id}/datapackage.zip.")
def versions(args) -> Rows:
    return Rows(uploads.history(database.connection()), etag=(database.published_version_id(),))


@download("/v1/versions/<int:version_id>/datapackage.zip", "application/zip",
          not_found=_l("There is no such version."),
          summary="A version's data as a Frictionless data package",
          description="datapackage.json (Table Schema of every table) and CSV files: facilities, "
          "budget_lines, districts and district_totals, as published by this version. Money in integer tiyn.")
def data_package(version_id: int) -> File | None:
    connection = database.connection()
    version = published.version(connection, version_id)
    if version is None:
        return None

    def build() -> bytes:
        files = open_data.data_package(
            version, facilities=queries.version_facilities(connection, version_id),
            lines=queries.version_lines(connection, version_id),
            districts=districts_of_version(connection, version_id),
            demo=published.shows_demo_data(connection, version_id),
            homepage=url_for("public.index", _external=True))
        return zipped(files, datetime.fromisoformat(version["created_at"]))

    body = app_cache("data_packages", 4).get_or_build((version_id, request.host_url), build)
    return File(body, f"open-budget-map-v{version_id}.zip", etag=(version_id,))


def zipped(files: dict[str, bytes], when: datetime) -> bytes:
    """The files as a zip archive; the same files always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=when.timetuple()[:6]), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --------------------------------------------------------------------- the OpenAPI document

def openapi_document() -> dict:
    """The OpenAPI 3.1 description of every registered endpoint."""
    paths: dict = {}
    tables: dict[str, dict] = {}
    for op in OPERATIONS:
        path, path_parameters = _openapi_path(op.rule)
        responses = {
            "200": {"description": op.summary, "content": op.content,
                    "headers": {"ETag": {"schema": {"type": "string"},
                                         "description": "Changes when the published data change."}}},
            "304": {"description": "Not modified: the answer for the ETag sent in If-None-Match still holds."},
            **{str(status): {"description": ERROR_TEXT[status],
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
               for status in op.errors},
        }
        paths[path] = {"get": {"operationId": op.endpoint, "summary": op.summary, "description": op.description,
                               "parameters": [*path_parameters, *op.parameters(), IF_NONE_MATCH],
                               "responses": responses}}
    for table in _documented_tables():
        tables[_component(table)] = table.json_schema()
    return {
        "openapi": "3.1.0",
        "info": {"title": "Open Budget Map API", "version": "1.0.0",
                 "description": "Read-only open data of the Open Budget Map of Turkestan region: public budget "
                                "money for social facilities. Money in integer tiyn (1 KZT = 100 tiyn). "
                                "See docs/api.md."},
        "servers": [{"url": request.script_root or "/"}],
        "paths": paths,
        "components": {"schemas": {**tables, "Error": ERROR_SCHEMA}},
    }


def _documented_tables() -> list[Table]:
    tables = {}
    for op in OPERATIONS:
        for value in _refs(op.content):
            tables[value] = None
    known = {_component(t): t for t in _all_tables()}
    return [known[name] for name in tables if name in known]


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                found.append(value.rsplit("/", 1)[1])
            else:
                found.extend(_refs(value))
        return found
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _all_tables() -> list[Table]:
    return [value for value in vars(open_data).values() if isinstance(value, Table)]


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document (built once per script root; its ETag follows its content)."""
    def build() -> tuple[bytes, str]:
        body = orjson.dumps(openapi_document())
        return body, etag_of(body)

    body, etag = app_cache("openapi", 2).get_or_build(request.script_root, build)
    return _answer(Response(body, mimetype="application/json"), (etag,))


OPERATIONS.append(Operation("/openapi.json", "openapi", "This OpenAPI document", "", _no_parameters,
                            {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}},
                            ()))
