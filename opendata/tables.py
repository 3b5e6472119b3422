"""Open data: the public tables, their schemas, CSV bytes and a version's data package.

Pure functions, no Flask and no SQL: read-model rows (``explore.queries``) in, dicts and bytes out.
The API (``opendata.web.api``) serves these tables as JSON, CSV and GeoJSON and describes them in its
OpenAPI document; the data package describes them as Frictionless Table Schemas. Both schemas
are generated from the one list of fields below, so they cannot disagree.

Privacy by whitelist: each table names its public fields, and everything that leaves the app
as open data goes through ``Table.public`` (or ``Table.csv``), which keeps only those. A column
added to the database is not published until it is listed here; no ``SELECT *`` can leak a
resident's contact details. Officials' logins (``versions.created_by``) are not published
either: the publisher is the akimat, and the audit log keeps who did what.

Money is integer tiyn (1 KZT = 100 tiyn) everywhere, in fields named ``*_tiyn``: exact, and the
same number in JSON, CSV and the data package. CSV comes from ``core.csv_export`` (UTF-8 with
BOM, text that a spreadsheet would run as a formula gets a leading apostrophe).

Adding a table (say, published feedback): one ``Table`` here listing its public fields; the
API endpoint that serves it then gets its JSON Schema, CSV and OpenAPI entry from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from core.csv_export import excel_csv
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES
from explore.figures import with_ratios
from risk.rules import OUTCOMES as RISK_OUTCOMES
from risk.rules import RULES as RISK_RULES

STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, YEAR, ARRAY = (
    "string", "integer", "number", "boolean", "date", "datetime", "year", "array")

# Table Schema type -> JSON Schema (OpenAPI 3.1) of a non-empty value.
JSON_TYPES = {
    STRING: {"type": "string"}, INTEGER: {"type": "integer"}, NUMBER: {"type": "number"},
    BOOLEAN: {"type": "boolean"}, DATE: {"type": "string", "format": "date"},
    DATETIME: {"type": "string", "format": "date-time"}, YEAR: {"type": "integer"},
}
KATO_PATTERN = "^[0-9]{9}$"
TIYN = "integer tiyn (1 KZT = 100 tiyn; divide by 100 for tenge)"


@dataclass(frozen=True)
class Field:
    """One public column: its name, Table Schema type, meaning and constraints."""

    name: str
    type: str
    description: str
    required: bool = False  # never empty
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    items: str | None = None  # an array's item type
    source: str | None = None  # the read model's key, when it differs from ``name``

    def value(self, row: Mapping):
        """The field's value in a read-model row, as JSON has it (None when empty)."""
        raw = row.get(self.source or self.name)
        if raw is None or raw == "":
            return None
        if self.type in (INTEGER, YEAR):
            return int(raw)
        if self.type == NUMBER:
            return float(raw)
        if self.type == BOOLEAN:
            return bool(raw)
        if self.type == ARRAY:  # stored as "2022,2023" (versions.fiscal_years)
            parts = raw.split(",") if isinstance(raw, str) else raw
            return [int(p) if self.items in (INTEGER, YEAR) else p for p in parts if p != ""]
        return str(raw)

    def cell(self, row: Mapping):
        """The field's CSV cell (an array as comma-separated values)."""
        value = self.value(row)
        return ",".join(map(str, value)) if isinstance(value, list) else value

    def json_schema(self) -> dict:
        if self.type == ARRAY:
            schema = {"type": "array", "items": dict(JSON_TYPES[self.items or STRING])}
        else:
            schema = dict(JSON_TYPES[self.type])
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.pattern:
            schema["pattern"] = self.pattern
        if not self.required:
            schema["type"] = [schema["type"], "null"]
            if self.enum:
                schema["enum"].append(None)
        return {**schema, "description": self.description}

    def table_schema(self) -> dict:
        """The field in a Frictionless Table Schema (an array is written as text in CSV)."""
        spec: dict = {"name": self.name, "type": STRING if self.type == ARRAY else self.type,
                      "description": self.description}
        constraints = {key: value for key, value in (("required", self.required), ("enum", list(self.enum)),
                                                     ("pattern", self.pattern)) if value}
        if constraints:
            spec["constraints"] = constraints
        return spec


@dataclass(frozen=True)
class Table:
    """A public table: its fields, keys, and optionally a list of child rows (``nested``)."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (field, other table, its field)
    nested: tuple[str, Table] | None = None

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def public(self, row: Mapping) -> dict:
        """The row's public fields only (and its children's), as JSON has them."""
        values = {f.name: f.value(row) for f in self.fields}
        if self.nested:
            key, child = self.nested
            values[key] = [child.public(c) for c in row.get(key) or ()]
        return values

    def json_schema(self) -> dict:
        """JSON Schema of one public row: every field present (maybe null), nothing else."""
        properties = {f.name: f.json_schema() for f in self.fields}
        if self.nested:
            key, child = self.nested
            properties[key] = {"type": "array", "items": child.json_schema(), "description": child.title}
        return {"type": "object", "title": self.title, "description": self.description,
                "required": list(properties), "properties": properties, "additionalProperties": False}

    def flat(self, name: str | None = None, title: str | None = None, description: str | None = None,
             primary_key: tuple[str, ...] = (), foreign_keys: tuple[tuple[str, str, str], ...] = ()) -> Table:
        """The table with its children's fields as columns: one row per child (for CSV)."""
        if not self.nested:
            return self
        child = self.nested[1]
        own = set(self.field_names)
        return Table(name or self.name, title or self.title, description or self.description,
                     self.fields + tuple(f for f in child.fields if f.name not in own),
                     primary_key, foreign_keys)

    def flat_rows(self, rows: Iterable[Mapping]) -> list[dict]:
        """Read-model rows with children as one row per child (a row without children drops)."""
        if not self.nested:
            return list(rows)
        key = self.nested[0]
        return [{**row, **child} for row in rows for child in row.get(key) or ()]

    def csv(self, rows: Iterable[Mapping]) -> bytes:
        """Read-model rows as CSV for Excel, with the field names as header (children flattened)."""
        flat = self.flat()
        return excel_csv(flat.field_names, ([f.cell(row) for f in flat.fields] for row in self.flat_rows(rows)))

    def table_schema(self) -> dict:
        """The Frictionless Table Schema of the table's CSV."""
        flat = self.flat()
        schema: dict = {"fields": [f.table_schema() for f in flat.fields], "missingValues": [""]}
        if flat.primary_key:
            schema["primaryKey"] = list(flat.primary_key)
        if flat.foreign_keys:
            schema["foreignKeys"] = [{"fields": [mine], "reference": {"resource": other, "fields": [theirs]}}
                                     for mine, other, theirs in flat.foreign_keys]
        return schema


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
        Field("figures", STRING, "The figures the rule compared, as a JSON object (money in tiyn).",
              required=True, source="figures_json"),
    ))

PACKAGE_TABLES = (FACILITIES, BUDGET_LINES, DISTRICTS, DISTRICT_TOTALS)


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


PACKAGE_DESCRIPTION = (
    "Budget money for schools, kindergartens, clinics, hospitals and other social facilities of "
    "Turkestan region, Kazakhstan, as published on the Open Budget Map. Money is in integer tiyn "
    "(1 KZT = 100 tiyn). CSV files are UTF-8 with a byte-order mark; a text cell that begins with "
    "=, +, -, @, a tab or a carriage return carries a leading apostrophe so that spreadsheets do "
    "not run it as a formula. District boundaries and settlements: (c) OpenStreetMap contributors, "
    "ODbL 1.0; population: Bureau of National Statistics of the Republic of Kazakhstan.")
DEMO_NOTE = (" This version contains the generated demo data set: the facilities are at real "
             "settlements, but the money is invented.")


def data_package(version: Mapping, *, facilities: list[dict], lines: list[dict], districts: list[dict],
                 demo: bool, homepage: str | None = None) -> dict[str, bytes]:
    """The files of a version's Frictionless data package: ``datapackage.json`` and ``data/*.csv``.

    ``facilities`` and ``lines`` are the version's (``queries.version_facilities`` and
    ``queries.version_lines``), ``districts`` come from ``districts_with_years``.
    """
    bodies = {FACILITIES.name: FACILITIES.csv(facilities), BUDGET_LINES.name: BUDGET_LINES.csv(lines),
              DISTRICTS.name: DISTRICTS.csv(districts),
              DISTRICT_TOTALS.name: DISTRICT_TOTALS.csv(DISTRICTS_WITH_YEARS.flat_rows(districts))}
    resources = [{
        "profile": "tabular-data-resource", "name": table.name, "title": table.title,
        "description": table.description, "path": f"data/{table.name}.csv", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(bodies[table.name]),
        "hash": "sha256:" + hashlib.sha256(bodies[table.name]).hexdigest(),
        "schema": table.table_schema(),
    } for table in PACKAGE_TABLES]
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"open-budget-map-turkestan-v{version['id']}",
        "title": f"Open Budget Map of Turkestan region: budget data of version {version['id']}",
        "description": PACKAGE_DESCRIPTION + (DEMO_NOTE if demo else ""),
        "created": version["created_at"],
        "keywords": ["budget", "Turkestan region", "Kazakhstan", "schools", "social facilities"],
        "open_budget_map": {"version": VERSIONS.public(version), "demo_data": demo},
        "resources": resources,
    }
    if homepage:
        descriptor["homepage"] = homepage
    files = {"datapackage.json": json.dumps(descriptor, ensure_ascii=False, indent=2).encode("utf-8")}
    files.update({resource["path"]: bodies[resource["name"]] for resource in resources})
    return files
