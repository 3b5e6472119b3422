"""Open data tables: public fields only, schemas, CSV, and a version's Frictionless data package."""

import csv
import io
import json

import frictionless
import pytest

from core import versions as published
from explore import queries
from opendata import package
from opendata import tables as open_data
from opendata.schema import Field, Table
from opendata.tables import BUDGET_LINES, DISTRICTS_WITH_YEARS, FACILITY_YEARS, VERSIONS
from tests.helpers import HEADER, budget_csv

FULL_HEADER = HEADER + ";status;funding_source;amount_contracted;contractor_name"
ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;60 000 000;in_progress;oblast;"
    "118 400 000;ТОО «Құрылыс»",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;current_repair;5 000 000;5 000 000;completed;district;;",
    "S1;=1+2;-Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;;planned;republican;;@SUM(A1)",
)
TURKESTAN, SARYAGASH = "611000000", "615400000"
TURKESTAN_POPULATION = 248160


def read_csv(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


# ---------------------------------------------------------------- tables, fields, schemas

def test_public_keeps_only_the_listed_fields():
    version = {"id": 3, "created_at": "2025-03-01T10:00:00+00:00", "created_by": "akimat:a.nurlanova",
               "kind": "import", "rollback_of": None, "file_name": "b.xlsx", "sha256": "a" * 64, "row_count": 5,
               "facility_count": 2, "new_facility_count": 1, "warning_count": 0, "fiscal_years": "2024,2025",
               "contact": "+7 701 000 00 00"}
    public = VERSIONS.public(version)
    assert "created_by" not in public and "contact" not in public
    assert public["fiscal_years"] == [2024, 2025] and public["id"] == 3
    assert list(public) == VERSIONS.field_names


def test_values_are_typed_and_empty_means_null():
    row = {"facility_id": "T1", "name_kk": "", "facility_type": "school", "district_kato": TURKESTAN,
           "lat": 43.297, "lon": 68.2518, "lines": 0, "allocated_tiyn": None, "status": None}
    public = FACILITY_YEARS.public({**row, "fiscal_year": 2025})
    assert public["name_kk"] is None and public["allocated_tiyn"] is None and public["line_count"] == 0
    assert public["fiscal_year"] == 2025 and public["lat"] == 43.297


def test_json_schema_allows_null_only_where_a_value_may_be_missing():
    schema = FACILITY_YEARS.json_schema()
    assert schema["additionalProperties"] is False and set(schema["required"]) == set(FACILITY_YEARS.field_names)
    assert schema["properties"]["facility_id"]["type"] == "string"
    assert schema["properties"]["allocated_tiyn"]["type"] == ["integer", "null"]
    assert schema["properties"]["status"]["enum"][-1] is None
    nested = DISTRICTS_WITH_YEARS.json_schema()["properties"]["years"]["items"]
    assert nested["properties"]["allocated_tiyn"]["type"] == "integer"


def test_table_schema_states_types_constraints_and_keys():
    schema = BUDGET_LINES.table_schema()
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["allocated_tiyn"] == {"name": "allocated_tiyn", "type": "integer",
                                        "description": fields["allocated_tiyn"]["description"],
                                        "constraints": {"required": True}}
    assert "tiyn" in fields["allocated_tiyn"]["description"]
    assert fields["work_type"]["constraints"]["enum"][0] == "construction"
    assert schema["primaryKey"] == ["line_id"]
    assert schema["foreignKeys"] == [{"fields": ["facility_id"],
                                      "reference": {"resource": "facilities", "fields": ["facility_id"]}}]


def test_csv_neutralises_text_but_not_numbers_and_flattens_children():
    table = Table("t", "T", "", (Field("name", "string", ""), Field("amount", "integer", "")),
                  nested=("parts", Table("p", "P", "", (Field("year", "year", ""),))))
    rows = [{"name": "=cmd|' /C calc'!A0", "amount": -5, "parts": [{"year": 2024}, {"year": 2025}]},
            {"name": "no parts", "amount": 1, "parts": []}]
    assert read_csv(table.csv(rows)) == [
        {"name": "'=cmd|' /C calc'!A0", "amount": "-5", "year": "2024"},
        {"name": "'=cmd|' /C calc'!A0", "amount": "-5", "year": "2025"},
    ]


def test_districts_with_years_per_resident_and_execution():
    districts = [{"kato": TURKESTAN, "name_en": "Turkestan", "population": TURKESTAN_POPULATION},
                 {"kato": SARYAGASH, "name_en": "Saryagash", "population": None}]
    totals = {2025: [{"kato": TURKESTAN, "allocated_tiyn": 12_500_000_050, "contracted_tiyn": 0,
                      "paid_tiyn": 6_000_000_000, "facility_count": 1}]}
    turkestan, saryagash = open_data.districts_with_years(districts, totals)
    year = turkestan["years"][0]
    assert year["fiscal_year"] == 2025
    assert year["allocated_per_resident"] == 50371  # 12 500 000 050 / 248 160 = 50 370.73, half up
    assert year["execution_pct"] == 48.0 and saryagash["years"] == []
    assert open_data.district_year(turkestan, 2025)["paid_tiyn"] == 6_000_000_000
    assert open_data.district_year(turkestan, 2024) is None


# ---------------------------------------------------------------- a version's data from the database

@pytest.fixture()
def versions(publish_csv):
    first = publish_csv(budget_csv(*ROWS, header=FULL_HEADER))
    renamed = ROWS[0].replace("Школа №1", "Школа имени Абая")
    second = publish_csv(budget_csv(renamed, header=FULL_HEADER), mode="replace")  # replaces 2025 only
    return first, second


def test_version_lines_and_facilities_are_those_the_version_published(engine, versions):
    first, second = versions
    with engine.connect() as connection:
        old_lines = queries.version_lines(connection, first)
        new_lines = queries.version_lines(connection, second)
        old_facilities = queries.version_facilities(connection, first)
        new_facilities = queries.version_facilities(connection, second)
    assert [(l["facility_id"], l["fiscal_year"]) for l in old_lines] == [("S1", 2025), ("T1", 2024), ("T1", 2025)]
    assert [(l["facility_id"], l["fiscal_year"], l["version_id"]) for l in new_lines] == [
        ("T1", 2024, first), ("T1", 2025, second)]
    assert {f["facility_id"]: f["name_ru"] for f in old_facilities} == {"S1": "-Детский сад", "T1": "Школа №1"}
    assert {f["facility_id"]: f["name_ru"] for f in new_facilities} == {"T1": "Школа имени Абая"}


def package_of(engine, version_id: int, demo: bool = False) -> dict[str, bytes]:
    with engine.connect() as connection:
        years = published.fiscal_years(connection, version_id)
        return package.data_package(
            published.version(connection, version_id), facilities=queries.version_facilities(connection, version_id),
            lines=queries.version_lines(connection, version_id),
            districts=open_data.districts_with_years(
                queries.district_list(connection),
                {year: queries.district_totals(connection, version_id, year) for year in years}),
            demo=demo, homepage="https://example.org/")


def write(files: dict[str, bytes], folder) -> str:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return str(folder / "datapackage.json")


def test_the_data_package_is_valid_for_frictionless(engine, versions, tmp_path):
    first, _second = versions
    files = package_of(engine, first)
    assert set(files) == {"datapackage.json", "data/facilities.csv", "data/budget_lines.csv",
                          "data/districts.csv", "data/district_totals.csv"}
    report = frictionless.validate(write(files, tmp_path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {task.name: task.stats["rows"] for task in report.tasks} == {
        "facilities": 2, "budget_lines": 3, "districts": 17, "district_totals": 34}


def test_the_data_package_holds_exact_money_and_safe_text(engine, versions):
    first, _second = versions
    files = package_of(engine, first, demo=True)
    descriptor = json.loads(files["datapackage.json"])
    assert descriptor["name"] == f"open-budget-map-turkestan-v{first}" and "demo data" in descriptor["description"]
    assert descriptor["open_budget_map"]["version"]["fiscal_years"] == [2024, 2025]
    assert "created_by" not in descriptor["open_budget_map"]["version"]
    lines = read_csv(files["data/budget_lines.csv"])
    t1_2025 = next(l for l in lines if l["facility_id"] == "T1" and l["fiscal_year"] == "2025")
    assert (t1_2025["allocated_tiyn"], t1_2025["contracted_tiyn"], t1_2025["paid_tiyn"]) == (
        "12500000050", "11840000000", "6000000000")
    s1 = next(l for l in lines if l["facility_id"] == "S1")
    assert s1["contractor_name"] == "'@SUM(A1)" and s1["paid_tiyn"] == ""
    facilities = {f["facility_id"]: f for f in read_csv(files["data/facilities.csv"])}
    assert facilities["S1"]["name_kk"] == "'=1+2" and facilities["S1"]["name_ru"] == "'-Детский сад"
    assert facilities["T1"]["in_overlap"] == "false"
    totals = [r for r in read_csv(files["data/district_totals.csv"]) if r["kato"] == TURKESTAN]
    assert [(r["fiscal_year"], r["allocated_tiyn"], r["allocated_per_resident_tiyn"]) for r in totals] == [
        ("2024", "500000000", "2015"), ("2025", "12500000050", "50371")]


def test_a_broken_package_is_caught_by_the_validator(engine, versions, tmp_path):
    """The check above means something: a line of an unknown facility fails the foreign key."""
    first, _second = versions
    files = package_of(engine, first)
    files["data/budget_lines.csv"] = files["data/budget_lines.csv"].replace(b"S1,", b"X9,")
    descriptor = json.loads(files["datapackage.json"])
    for resource in descriptor["resources"]:
        resource.pop("hash"), resource.pop("bytes")
    files["datapackage.json"] = json.dumps(descriptor).encode()
    report = frictionless.validate(write(files, tmp_path))
    assert not report.valid and "foreign-key" in {e[0] for e in report.flatten(["type"])}
