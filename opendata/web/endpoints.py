"""The API's data endpoints: facilities, districts, published feedback and risk flags.

One function per list or item, registered by the decorators of ``opendata.web.registry`` with the
table (``opendata.tables``) that names its public fields; the query parameters each takes are
documented here for the OpenAPI document. The facilities take the map's filter parameters and
selection (``explore.web.map_page``), so a map link's query string works on the API as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from core import versions as published
from core.web import database
from core.web.cache import app_cache
from explore import queries
from explore.filters import CHOICES, MAX_TEXT, PARAMETERS
from explore.web import map_page
from feedback import store as feedback_store
from geo.coords import geojson_geometry, geojson_point
from opendata import tables as open_data
from opendata.schema import KATO_PATTERN
from opendata.web.answers import BadParameters, Rows
from opendata.web.registry import feature_collection, item, listing
from risk import store as risk_store
from risk.rules import RULES as RISK_RULES

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
            schema = {"type": "string", "pattern": KATO_PATTERN}
        elif param == "q":
            schema = {"type": "string", "maxLength": MAX_TEXT}
        else:
            schema = {"type": "string"}
        parameters.append({"name": param, "in": "query", "required": False, "schema": schema,
                           "description": FILTER_DOCS.get(param, f"Filter by {field_name.replace('_', ' ')}, "
                                                                 "as on the map.")})
    return parameters


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
