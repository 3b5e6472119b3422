"""Open data: the public tables, field by field, and the district rows they describe.

Privacy by whitelist: each table names its public fields, and everything that leaves the app
as open data goes through ``Table.public`` (or ``Table.csv``), which keeps only those. A column
added to the database is not published until it is listed here; no ``SELECT *`` can leak a
resident's contact details. Officials' logins (``versions.created_by``) are not published
either: the publisher is the akimat, and the audit log keeps who did what.

Pure, no Flask and no SQL: read-model rows (``explore.queries``) in, dicts out. The API
(``opendata.web``) serves these tables as JSON, CSV and GeoJSON and describes them in its OpenAPI
document; the data package (``opendata.package``) describes them as Frictionless Table Schemas.
Both schemas are generated from the one list of fields below (``opendata.schema``), so they
cannot disagree.

Money is integer tiyn (1 KZT = 100 tiyn) everywhere, in fields named ``*_tiyn``: exact, and the
same number in JSON, CSV and the data package. CSV comes from ``core.csv_export`` (UTF-8 with
BOM, text that a spreadsheet would run as a formula gets a leading apostrophe).

Adding a table (say, published feedback): one ``Table`` here listing its public fields; the
API endpoint that serves it then gets its JSON Schema, CSV and OpenAPI entry from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES
from explore.figures import with_ratios
from opendata.schema import (
    ARRAY,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    KATO_PATTERN,
    NUMBER,
    OBJECT,
    STRING,
    YEAR,
    Field,
    Table,
)
from risk.rules import OUTCOMES as RISK_OUTCOMES
from risk.rules import RULES as RISK_RULES

TIYN = "integer tiyn (1 KZT = 100 tiyn; divide by 100 for tenge)"


def _names() -> tuple[Field, ...]:
    return (Field("name_kk", STRING, "Name in Kazakh."), Field("name_ru", STRING, "Name in Russian."),
            Field("name_en", STRING, "Name in English."))


FACILITY_CORE = (
    Field("facility_id", STRING, "Stable identifier of the facility, the same in every file and year.",
          required=True),
    *_names(),
    Field("facility_type", STRING, "Kind of facility.", required=True, enum=FACILITY_TYPES),
    Field("district_kato", STRING, "9-digit KATO code of the district the facility's location lies in.",
          required=True, pattern=KATO_PATTERN),
    Field("lat", NUMBER, "Latitude, WGS 84 (EPSG:4326), decimal degrees.", required=True),
    Field("lon", NUMBER, "Longitude, WGS 84 (EPSG:4326), decimal degrees.", required=True),
)

FACILITIES = Table(
    "facilities", "Facilities",
    "Schools, kindergartens, clinics and other social facilities with published budget lines, "
    "with the attributes the version published.",
    FACILITY_CORE + (
        Field("in_overlap", BOOLEAN, "True when the location lies where two district boundaries overlap "
              "(Arys and Baidibek); the district is then the one the boundaries data put first.",
              required=True),
        Field("address", STRING, "Street address."),
        Field("capacity", INTEGER, "Capacity (places, beds, visits per shift...), in capacity_unit."),
        Field("capacity_unit", STRING, "Unit of capacity."),
        Field("floor_area_m2", NUMBER, "Floor area, square metres."),
    ),
    primary_key=("facility_id",), foreign_keys=(("district_kato", "districts", "kato"),))

FACILITY_YEARS = Table(
    "facility_years", "Facility in a fiscal year",
    "A facility with the sums of its budget lines of one fiscal year that match the line filters "
    "(work type, status, funding source); a facility without such lines has no amounts.",
    FACILITY_CORE + (
        Field("fiscal_year", YEAR, "The fiscal year the amounts are for.", required=True),
        Field("line_count", INTEGER, "Budget lines of the year that match the filters.", required=True,
              source="lines"),
        Field("allocated_tiyn", INTEGER, f"Money allocated, {TIYN}."),
        Field("contracted_tiyn", INTEGER, f"Money under contract, {TIYN}."),
        Field("paid_tiyn", INTEGER, f"Money paid, {TIYN}."),
        Field("progress_pct", NUMBER, "Highest physical progress of the works among the lines, 0-100."),
        Field("status", STRING, "Most pressing stage of the works among the lines.", enum=STATUSES),
    ),
    primary_key=("facility_id",))

BUDGET_LINES = Table(
    "budget_lines", "Budget lines",
    "One facility x fiscal year x work: the money allocated, contracted and paid, as published.",
    (
        Field("line_id", INTEGER, "Identifier of the line as published by this version (a later version "
              "that republishes the year gives its lines new identifiers).", required=True, source="id"),
        Field("facility_id", STRING, "The facility (see facilities).", required=True),
        Field("fiscal_year", YEAR, "Budget (fiscal) year.", required=True),
        Field("work_type", STRING, "What the money is for.", required=True, enum=WORK_TYPES),
        Field("funding_source", STRING, "Level of the budget that pays.", enum=FUNDING_SOURCES),
        Field("budget_program_code", STRING, "Budget programme code."),
        Field("allocated_tiyn", INTEGER, f"Money allocated, {TIYN}.", required=True),
        Field("contracted_tiyn", INTEGER, f"Money under contract, {TIYN}."),
        Field("paid_tiyn", INTEGER, f"Money paid, {TIYN}."),
        Field("contractor_name", STRING, "Contractor's name."),
        Field("contractor_bin", STRING, "Contractor's business identification number (BIN), 12 digits.",
              pattern="^[0-9]{12}$"),
        Field("procurement_ref", STRING, "Public procurement reference."),
        Field("start_date", DATE, "Start of works."),
        Field("end_date", DATE, "Planned or actual end of works."),
        Field("status", STRING, "Stage of the works.", enum=STATUSES),
        Field("physical_progress_pct", NUMBER, "Physical progress of the works, 0-100."),
        Field("source_url", STRING, "Link to the source document."),
        Field("description", STRING, "What is being done."),
        Field("version_id", INTEGER, "The version that published the line.", required=True),
    ),
    primary_key=("line_id",), foreign_keys=(("facility_id", "facilities", "facility_id"),))

FACILITY_WITH_LINES = replace(
    FACILITIES, name="facility_with_lines", title="Facility with its budget lines",
    description="A facility's attributes and every published budget line of it, newest year first.",
    primary_key=(), foreign_keys=(), nested=("lines", BUDGET_LINES))

DISTRICTS = Table(
    "districts", "Districts",
    "Districts and cities of regional significance of Turkestan region, with their population.",
    (
        Field("kato", STRING, "9-digit KATO code.", required=True, pattern=KATO_PATTERN),
        *_names(),
        Field("unit_type", STRING, "Kind of unit (district or city).", required=True),
        Field("population", INTEGER, "Population on 1 July 2026 (Bureau of National Statistics)."),
    ),
    primary_key=("kato",))

DISTRICT_YEARS = Table(
    "district_years", "A district's money in a fiscal year",
    "Sums of the published budget lines of the district's facilities in one fiscal year.",
    (
        Field("fiscal_year", YEAR, "Budget (fiscal) year.", required=True),
        Field("allocated_tiyn", INTEGER, f"Money allocated, {TIYN}.", required=True),
        Field("contracted_tiyn", INTEGER, f"Money under contract, {TIYN}.", required=True),
        Field("paid_tiyn", INTEGER, f"Money paid, {TIYN}.", required=True),
        Field("facility_count", INTEGER, "Facilities with budget lines in the year.", required=True),
        Field("allocated_per_resident_tiyn", INTEGER, f"Allocated per resident, {TIYN}, rounded half up; "
              "empty without a population.", source="allocated_per_resident"),
        Field("paid_per_resident_tiyn", INTEGER, f"Paid per resident, {TIYN}, rounded half up; empty "
              "without a population.", source="paid_per_resident"),
        Field("execution_pct", NUMBER, "Paid as a percentage of allocated, one decimal (may exceed 100); "
              "empty when nothing was allocated.", source="execution_pct"),
    ))

DISTRICTS_WITH_YEARS = replace(
    DISTRICTS, name="district_with_years", title="District with its money by year",
    description="A district and its totals for every published fiscal year, oldest first.",
    primary_key=(), nested=("years", DISTRICT_YEARS))

DISTRICT_TOTALS = DISTRICTS_WITH_YEARS.flat(
    "district_totals", "District totals by year",
    "One row per district and published fiscal year: the money of its facilities and per resident.",
    primary_key=("kato", "fiscal_year"), foreign_keys=(("kato", "districts", "kato"),))

VERSIONS = Table(
    "versions", "Published versions",
    "Every publication of budget data, newest first. A rollback publishes a new version equal to an "
    "older one; history is never rewritten.",
    (
        Field("id", INTEGER, "Version number.", required=True),
        Field("created_at", DATETIME, "When it was published (UTC).", required=True),
        Field("kind", STRING, "import: a budget file; demo: the generated demo data set; rollback: the "
              "data of an older version again.", required=True, enum=("import", "demo", "rollback")),
        Field("rollback_of", INTEGER, "For a rollback: the version whose data it publishes again."),
        Field("file_name", STRING, "Name of the published file."),
        Field("sha256", STRING, "SHA-256 of the published file.", pattern="^[0-9a-f]{64}$"),
        Field("row_count", INTEGER, "Budget lines published.", required=True),
        Field("facility_count", INTEGER, "Facilities in the file.", required=True),
        Field("new_facility_count", INTEGER, "Facilities published for the first time.", required=True),
        Field("warning_count", INTEGER, "Warnings the validation gave (published anyway).", required=True),
        Field("fiscal_years", ARRAY, "Fiscal years the version replaced (a rollback: all years it "
              "restores); in CSV comma-separated.", required=True, items=YEAR),
    ),
    primary_key=("id",))

# Residents' feedback as the public sees it: published items only, the moderator's redaction in
# place of the original, never the contact, the IP hash or the tracking code.
FEEDBACK = Table(
    "feedback", "Published feedback",
    "Residents' complaints, questions, suggestions and praise about facilities, as published by a "
    "moderator, with the official answer. Newest first.",
    (
        Field("id", INTEGER, "Number of the feedback item.", required=True),
        Field("facility_id", STRING, "The facility it is about (see facilities).", required=True),
        Field("kind", STRING, "Kind of message.", required=True,
              enum=("complaint", "question", "suggestion", "praise")),
        Field("text", STRING, "The resident's text as published (a moderator may have removed parts).",
              required=True),
        Field("redacted", BOOLEAN, "True when a moderator removed part of the text or the name.", required=True),
        Field("name", STRING, "The name the resident chose to publish, if any."),
        Field("rating", INTEGER, "The resident's rating of the work, 1 (bad) to 5 (good)."),
        Field("fiscal_year", YEAR, "Fiscal year of the budget line it is about, if one was chosen.",
              source="line_year"),
        Field("work_type", STRING, "Work type of that budget line.", enum=WORK_TYPES, source="line_work_type"),
        Field("submitted_at", DATETIME, "When it was received (UTC).", required=True),
        Field("deadline", DATE, "The day by which officials must respond (working days, local time).",
              required=True),
        Field("status", STRING, "Where it stands: received, in review, answered, resolved or rejected.",
              required=True, enum=("received", "in_review", "answered", "resolved", "rejected")),
        Field("status_reason", STRING, "Why it was rejected."),
        Field("answer_text", STRING, "The official answer."),
        Field("answered_by", STRING, "Name of the official who answered."),
        Field("answered_at", DATETIME, "When it was answered (UTC)."),
        Field("photo_url", STRING, "Address of the resident's photo (re-encoded without location data), "
              "if one is published."),
    ),
    primary_key=("id",))

RISK_FLAGS = Table(
    "risk_flags", "Risk flags",
    "Automatic checks of the published figures against fixed rules (docs/risk-flags.md), as computed "
    "when the version was published. A flag is a reason to look closer, not a finding of wrongdoing.",
    (
        Field("facility_id", STRING, "The facility (see facilities).", required=True),
        Field("fiscal_year", YEAR, "Fiscal year of the figures checked.", required=True),
        Field("rule", STRING, "The rule.", required=True, enum=RISK_RULES),
        Field("work_type", STRING, "Work type of the lines checked, when the rule looks at one.", enum=WORK_TYPES),
        Field("outcome", STRING, "raised: the rule fired; not_judged: too few comparable works to judge.",
              required=True, enum=RISK_OUTCOMES),
        Field("threshold", NUMBER, "The threshold the figures were compared with."),
        Field("figures", OBJECT, "The figures the rule compared, a JSON object (money in tiyn; in CSV its "
              "JSON text).", required=True),
    ))
CONTRACTOR = Table(
    "contractor", "A contractor with its budget lines",
    "A contractor (by BIN) across the published data: the names written with its BIN, its money "
    "contracted and paid (all years), and every published budget line naming it, newest year first.",
    (
        Field("bin", STRING, "The contractor's 12-digit BIN.", required=True, pattern="^[0-9]{12}$"),
        Field("names", ARRAY, "Every name written with the BIN in the published lines.", required=True,
              items=STRING),
        Field("contracted_tiyn", INTEGER, "Money contracted with it, in tiyn (all published years).", required=True),
        Field("paid_tiyn", INTEGER, "Money paid to it, in tiyn (all published years).", required=True),
        Field("facility_count", INTEGER, "Facilities it works on.", required=True),
    ),
    nested=("lines", BUDGET_LINES))

RISK_COVERAGE = Table(
    "risk_coverage", "What each risk rule could check",
    "For each risk rule, of the published budget lines: how many it could check, how many it could not "
    "because an input is missing (docs/risk-flags.md says which), and how many it is not about.",
    (
        Field("rule", STRING, "The rule.", required=True, enum=RISK_RULES),
        Field("lines", INTEGER, "Published budget lines (all years).", required=True),
        Field("checked", INTEGER, "Lines the rule could check.", required=True),
        Field("missing_inputs", INTEGER, "Lines the rule is about but could not check: an input is missing "
              "(or, for unit costs, too few comparable works).", required=True),
        Field("not_applicable", INTEGER, "Lines the rule is not about (e.g. equipment for unit costs).",
              required=True),
    ),
    primary_key=("rule",))


def districts_with_years(districts: Iterable[Mapping], year_totals: Mapping[int, list[dict]]) -> list[dict]:
    """Every district, each with its totals for every year (oldest first), as the API lists them.

    ``districts``: ``queries.district_list``; ``year_totals``: fiscal year -> that year's
    ``queries.district_totals``. Per-resident figures and the execution rate come from
    ``explore.figures.with_ratios`` (as on the district pages).
    """
    by_year = {year: {row["kato"]: row for row in rows} for year, rows in year_totals.items()}
    return [{**district, "years": [with_ratios({**by_year[year][district["kato"]], "fiscal_year": year},
                                               district.get("population"))
                                   for year in sorted(by_year) if district["kato"] in by_year[year]]}
            for district in districts]


def district_year(district: Mapping, year: int) -> dict | None:
    """One district's flat row (district fields and money) for ``year``; None without that year."""
    for entry in district.get("years") or ():
        if entry["fiscal_year"] == year:
            return {**district, **entry}
    return None
