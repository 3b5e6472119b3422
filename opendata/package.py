"""A version's data as a Frictionless data package: ``datapackage.json`` and one CSV per table.

The archive anyone can download and validate offline (``/api/v1/versions/<id>/datapackage.zip``):
the four tables a version publishes as CSV (``opendata.tables``), each described by its Table
Schema, size and hash. Pure: read-model rows in, file bytes out; the API zips them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from opendata.tables import BUDGET_LINES, DISTRICT_TOTALS, DISTRICTS, DISTRICTS_WITH_YEARS, FACILITIES, VERSIONS

PACKAGE_TABLES = (FACILITIES, BUDGET_LINES, DISTRICTS, DISTRICT_TOTALS)

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
    ``queries.version_lines``), ``districts`` come from ``opendata.tables.districts_with_years``.
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
