"""The API's data endpoints: facilities, districts, published feedback and risk flags.

One function per list or item, registered by the decorators of ``opendata.web.registry`` with the
table (``opendata.tables``) that names its public fields and the query parameters it takes
(``opendata.web.parameters``: declared once, for the OpenAPI document and for reading them). The
facilities take the map's filter parameters and selection (``explore.web.map_page``), so a map
link's query string works on the API as it is. A year that is well formed but has no published
budget is a 404 where the year chooses the money shown, and an empty list where it filters one.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import versions as published
from core.web import database
from core.web.cache import app_cache
from explore import queries
from explore.contractors import contractor as contractor_of
from explore.filters import CHOICES, MAX_TEXT, PARAMETERS
from explore.web import map_page
from feedback import store as feedback_store
from geo.coords import geojson_geometry, geojson_point
from opendata import tables as open_data
from opendata.schema import KATO_PATTERN
from opendata.web.answers import NoSuchValue, Rows
from opendata.web.parameters import Parameter, choice, facility_parameter, text, year
from opendata.web.registry import feature_collection, item, listing
from risk import store as risk_store
from risk.rules import RULES as RISK_RULES
from risk.web.pages import coverage_of

FILTER_DOCS = {
    "year": "Fiscal year the amounts are for; default: the latest published year. A year nothing is published "
            "for answers 404.",
    "type": "Facility type.",
    "work": "Only budget lines of this work type are summed, and only facilities with one are listed.",
    "status": "Only budget lines at this stage are summed, and only facilities with one are listed.",
    "funding": "Only budget lines paid from this budget level are summed, and only facilities with one are listed.",
    "district": "District KATO code (see districts); one that is no district answers 404.",
    "q": "Text in the facility's names (any language) or identifier, case-insensitive.",
    "risk": "Only facilities with a raised risk flag of this rule in the year (any: of any rule); see "
            "docs/risk-flags.md.",
}


def filter_parameter(param: str, field_name: str) -> Parameter:
    """One of the map's filter parameters (``explore.filters.PARAMETERS``), declared."""
    description = FILTER_DOCS.get(param, f"Filter by {field_name.replace('_', ' ')}, as on the map.")
    if param == "year":
        return year(description)
    if field_name in CHOICES:
        return choice(param, CHOICES[field_name], description)
    if param == "district":
        return text(param, description, max_length=9, pattern=KATO_PATTERN)
    if param == "q":
        return text(param, f"{description} At most {MAX_TEXT} characters.", max_length=MAX_TEXT)
    raise LookupError(f"the map's filter parameter {param} is not declared for the API")


FILTERS = tuple(filter_parameter(param, field_name) for param, field_name in PARAMETERS.items())


def _facility_point(row: dict) -> dict:
    return geojson_point(row["lat"], row["lon"])


FACILITY_LIST_DOC = ("The facilities the map shows for the same filter parameters, with the sums of their "
                     "budget lines of the year, ordered by facility_id.")


@feature_collection("/v1/facilities.geojson", open_data.FACILITY_YEARS, geometry=_facility_point,
                    feature_id="facility_id", omit=("lat", "lon"), parameters=FILTERS,
                    summary="Facilities as GeoJSON",
                    description=FACILITY_LIST_DOC + " Every facility of the selection (no pagination); "
                    "points in EPSG:4326, longitude first.")
@listing("/v1/facilities", open_data.FACILITY_YEARS, summary="Facilities", description=FACILITY_LIST_DOC,
         parameters=FILTERS,
         meta={"year": {"type": ["integer", "null"], "description": "The fiscal year of the amounts."}})
def facilities(values: dict) -> Rows:
    # Only values the declarations took reach the map's parser (which would drop what it does not know).
    selection = map_page.current_selection({name: str(value) for name, value in values.items()
                                            if value is not None and name in PARAMETERS})
    if "year" in selection.problems:
        raise not_published(values["year"])
    if "district" in selection.problems:
        raise NoSuchValue(["district"], _("There is no district with the KATO code %(kato)s.", kato=values["district"]))
    fiscal_year = selection.filter.year
    return Rows(selection.rows, etag=(selection.version_id,), each={"fiscal_year": fiscal_year},
                meta={"year": fiscal_year})


def not_published(fiscal_year: int) -> NoSuchValue:
    return NoSuchValue(["year"], _("No budget is published for %(year)s.", year=fiscal_year))


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


@listing("/v1/districts", open_data.DISTRICTS_WITH_YEARS, summary="Districts with their money by year",
         description="Every district with its population and, for each published fiscal year, the money "
         "allocated, contracted and paid for its facilities, per resident and the share paid. The CSV has "
         "one row per district and year.",
         parameters=(year("Only this fiscal year (none at all for a year nothing is published for); default: "
                          "every published year."),))
def districts(values: dict) -> Rows:
    version_id, _years, rows = _published_districts()
    if values["year"] is not None:
        rows = [{**row, "years": [e for e in row["years"] if e["fiscal_year"] == values["year"]]} for row in rows]
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
                    parameters=(year("The fiscal year of the money; default: the latest published. A year "
                                     "nothing is published for answers 404."),))
def districts_of_year(values: dict) -> Rows:
    version_id, years, rows = _published_districts()
    fiscal_year = values["year"] if values["year"] is not None else (years[-1] if years else None)
    if fiscal_year is not None and fiscal_year not in years:
        raise not_published(fiscal_year)
    flat = [found for row in rows if (found := open_data.district_year(row, fiscal_year)) is not None]
    return Rows(flat, etag=(version_id,))


@listing("/v1/feedback", open_data.FEEDBACK, summary="Published feedback",
         description="Residents' feedback as published by moderators, newest first, with the official "
         "answers. Never the resident's contact details or address. Filter by facility with `facility`.",
         parameters=(facility_parameter("Only the feedback on this facility (its facility_id)."),))
def feedback(values: dict) -> Rows:
    connection = database.connection()
    facility_id = values["facility"] or None
    rows = feedback_store.published_items(connection, facility_id)
    for row in rows:
        row["photo_url"] = (url_for("feedback.public_photo", feedback_id=row["id"], size="full", _external=True)
                            if row["has_photo"] else None)
    return Rows(rows, etag=feedback_store.last_change(connection))


RISK_PARAMETERS = (
    year("Only the flags of this fiscal year."),
    choice("rule", RISK_RULES, "Only the flags of this rule."),
    facility_parameter("Only the flags of this facility (its facility_id)."),
    choice("outcome", ("raised", "all"), "raised: the flags that fired; all: also the checks that could not be "
           "judged.", default="raised"),
)


@listing("/v1/risk-flags", open_data.RISK_FLAGS, summary="Risk flags of the published version",
         description="The risk flags stored with the published version, by facility, newest year first. The "
         "rules and thresholds are explained in docs/risk-flags.md.", parameters=RISK_PARAMETERS)
def risk_flags(values: dict) -> Rows:
    version_id = database.published_version_id()
    rows = risk_store.risk_flag_rows(database.connection(), version_id, facility_id=values["facility"] or None,
                                     fiscal_year=values["year"], rule=values["rule"],
                                     outcome=None if values["outcome"] == "all" else values["outcome"])
    return Rows(rows, etag=(version_id,))


@listing("/v1/risk-coverage", open_data.RISK_COVERAGE, summary="What each risk rule could check",
         description="For each rule, of the published budget lines: checked, missing inputs, not applicable "
         "(the figures of the /risk-flags page).")
def risk_coverage(values: dict) -> Rows:
    version_id = database.published_version_id()
    return Rows(coverage_of(version_id), etag=(version_id,))


@item("/v1/contractors/<bin_>", open_data.CONTRACTOR, summary="One contractor",
      not_found=_l("There is no contractor with this BIN in the published data."),
      description="A contractor by its BIN: its names, money contracted and paid, and its published budget "
      "lines (the page /contractor/<bin>).")
def contractor(bin_: str) -> Rows | None:
    version_id = database.published_version_id()
    found = contractor_of(database.connection(), version_id, bin_)
    if found is None:
        return None
    return Rows([{**found, "facility_count": len(found["facilities"])}], etag=(version_id, bin_))
