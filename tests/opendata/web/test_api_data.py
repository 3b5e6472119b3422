"""What the open data API publishes: facilities, districts, versions, the data package, feedback
and risk flags, with real values in JSON, CSV and GeoJSON, and the table page's links to them."""

import io
import json
import zipfile

import frictionless
import pytest
from shapely.geometry import shape

from tests.helpers import budget_csv
from tests.opendata.web.conftest import FULL_HEADER, ROWS, SARYAGASH, TURKESTAN, conforms, read_csv

# ---------------------------------------------------------------- facilities

def test_facilities_are_the_maps_selection_with_exact_money(client, published):
    body = client.get("/api/v1/facilities").json
    assert body["year"] == 2025 and body["data_version"] == published and body["demo_data"] is False
    assert body["total"] == 3 and [f["facility_id"] for f in body["items"]] == ["F1", "S1", "T1"]
    t1 = body["items"][2]
    assert (t1["allocated_tiyn"], t1["contracted_tiyn"], t1["paid_tiyn"]) == (12_500_000_050, 11_840_000_000,
                                                                              6_000_000_000)
    assert t1["status"] == "in_progress" and t1["progress_pct"] == 40.0 and t1["line_count"] == 1
    assert t1["district_kato"] == TURKESTAN and (t1["lat"], t1["lon"]) == (43.297, 68.2518)
    assert body["items"][0]["name_kk"] == "=1+2"  # JSON carries text as it is


@pytest.mark.parametrize("query", ["", "?type=kindergarten", "?work=equipment", "?status=suspended",
                                   "?funding=oblast", f"?district={SARYAGASH}", "?q=%D1%81%D0%B0%D0%B4",
                                   "?year=2024", "?year=2024&work=equipment"])
def test_facility_filters_are_the_maps(client, published, query):
    on_map = client.get(f"/map/facilities.json{query}").json["id"]
    assert [f["facility_id"] for f in client.get(f"/api/v1/facilities{query}").json["items"]] == sorted(on_map)
    rows = read_csv(client.get(f"/api/v1/facilities.csv{query}"))
    assert [r["facility_id"] for r in rows] == sorted(on_map)


def test_facilities_csv_opens_in_excel_and_runs_no_formula(client, published):
    response = client.get("/api/v1/facilities.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="facilities-v{published}.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == ["facility_id", "name_kk", "name_ru", "name_en", "facility_type", "district_kato",
                             "lat", "lon", "fiscal_year", "line_count", "allocated_tiyn", "contracted_tiyn",
                             "paid_tiyn", "progress_pct", "status"]
    f1, s1, t1 = rows
    assert f1["name_kk"] == "'=1+2" and f1["name_ru"] == "'-Школа"
    assert (t1["allocated_tiyn"], t1["paid_tiyn"], t1["lat"], t1["lon"]) == ("12500000050", "6000000000",
                                                                             "43.297", "68.2518")
    assert s1["paid_tiyn"] == "" and response.data.count(b"\r\n") == 4


def test_facilities_geojson_is_rfc_7946_longitude_first(client, published):
    response = client.get("/api/v1/facilities.geojson")
    assert response.mimetype == "application/geo+json"
    collection = response.json
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {"F1", "S1", "T1"}
    assert features["T1"]["geometry"] == {"type": "Point", "coordinates": [68.2518, 43.297]}
    assert features["S1"]["geometry"]["coordinates"] == [69.15946, 41.655447]
    properties = features["T1"]["properties"]
    assert "lat" not in properties and "lon" not in properties
    assert properties["allocated_tiyn"] == 12_500_000_050 and properties["fiscal_year"] == 2025
    kindergartens = client.get("/api/v1/facilities.geojson?type=kindergarten").json["features"]
    assert [f["id"] for f in kindergartens] == ["S1"]


def test_one_facility_with_all_its_lines(client, published):
    response = client.get("/api/v1/facilities/T1")
    facility = response.json
    assert facility["facility_id"] == "T1" and facility["in_overlap"] is False
    assert [(l["fiscal_year"], l["work_type"], l["allocated_tiyn"], l["paid_tiyn"]) for l in facility["lines"]] == [
        (2025, "capital_repair", 12_500_000_050, 6_000_000_000), (2024, "current_repair", 500_000_000, 500_000_000)]
    assert facility["lines"][0]["contractor_name"] == "ТОО «Құрылыс»"
    assert {l["version_id"] for l in facility["lines"]} == {published}
    assert "facility_pk" not in facility["lines"][0] and "id" not in facility
    f1 = client.get("/api/v1/facilities/F1").json
    assert f1["lines"][0]["contractor_name"] == "@SUM(A1)"  # JSON escaping, not spreadsheet quoting
    missing = client.get("/api/v1/facilities/NOPE", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json == {"type": "about:blank", "title": "Not Found", "status": 404, "error": "not_found",
                            "detail": "There is no such facility."}


# ---------------------------------------------------------------- districts and versions

def test_districts_with_totals_per_year_and_per_resident(client, published):
    body = client.get("/api/v1/districts").json
    assert body["total"] == 17
    turkestan = next(d for d in body["items"] if d["kato"] == TURKESTAN)
    assert turkestan["population"] == 248160 and turkestan["name_en"]
    assert [(y["fiscal_year"], y["allocated_tiyn"], y["paid_tiyn"], y["facility_count"]) for y in turkestan["years"]] == [
        (2024, 500_000_000, 500_000_000, 1), (2025, 12_500_100_050, 6_000_000_000, 2)]
    year_2025 = turkestan["years"][1]
    assert year_2025["allocated_per_resident_tiyn"] == 50371  # 12 500 100 050 / 248 160 = 50 371.13
    assert year_2025["execution_pct"] == 48.0
    only_2024 = client.get("/api/v1/districts?year=2024").json["items"]
    assert all([y["fiscal_year"] for y in d["years"]] == [2024] for d in only_2024)
    assert body["links"]["geojson"] == "http://localhost/api/v1/districts.geojson"
    rows = read_csv(client.get(body["links"]["csv"]))
    assert len(rows) == 34 and {"kato", "name_kk", "fiscal_year", "allocated_per_resident_tiyn"} <= set(rows[0])


def test_districts_geojson_has_boundaries_and_one_years_money(client, published):
    collection = client.get("/api/v1/districts.geojson").json
    assert "crs" not in collection and len(collection["features"]) == 17
    turkestan = next(f for f in collection["features"] if f["id"] == TURKESTAN)
    assert turkestan["properties"]["fiscal_year"] == 2025
    assert turkestan["properties"]["allocated_tiyn"] == 12_500_100_050
    geometry = shape(turkestan["geometry"])
    assert geometry.contains(shape({"type": "Point", "coordinates": [68.2518, 43.297]}))  # lon, lat
    polygons = getattr(geometry, "geoms", [geometry])
    assert all(p.exterior.is_ccw for p in polygons)  # RFC 7946 winding
    older = client.get("/api/v1/districts.geojson?year=2024").json["features"]
    assert next(f for f in older if f["id"] == TURKESTAN)["properties"]["allocated_tiyn"] == 500_000_000


def test_versions_are_public_without_the_officials_login(client, published, publish_csv):
    second = publish_csv(budget_csv(ROWS[2], header=FULL_HEADER), actor="akimat:aigul.editor")
    response = client.get("/api/v1/versions")
    body = response.json
    assert [v["id"] for v in body["items"]] == [second, published]
    newest = body["items"][0]
    assert newest["kind"] == "import" and newest["fiscal_years"] == [2025] and len(newest["sha256"]) == 64
    assert (newest["row_count"], newest["facility_count"]) == (1, 1)
    assert b"aigul" not in response.data and "created_by" not in newest
    rows = read_csv(client.get("/api/v1/versions.csv"))
    assert rows[1]["fiscal_years"] == "2024,2025" and "created_by" not in rows[0]


# ---------------------------------------------------------------- data package

def test_each_version_downloads_as_a_valid_data_package(client, published, publish_csv, tmp_path):
    publish_csv(budget_csv(ROWS[2], header=FULL_HEADER))  # a newer version: the first keeps its data
    response = client.get(f"/api/v1/versions/{published}/datapackage.zip")
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="open-budget-map-v{published}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["datapackage.json", "data/facilities.csv", "data/budget_lines.csv",
                                  "data/districts.csv", "data/district_totals.csv"]
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {t.name: t.stats["rows"] for t in report.tasks} == {
        "facilities": 3, "budget_lines": 4, "districts": 17, "district_totals": 34}
    descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["homepage"] == "http://localhost/"
    assert client.get(f"/api/v1/versions/{published}/datapackage.zip").data == response.data  # stable bytes


# ---------------------------------------------------------------- the table page

def test_the_table_page_links_geojson_and_json_of_its_filter(client, published):
    # Its CSV is the residents' own (tenge, the page's language: tests/explore/web/test_downloads.py).
    html = client.get("/facilities?type=school", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/api/v1/facilities.geojson?year=2025&amp;type=school"' in html
    assert 'href="/api/v1/facilities?year=2025&amp;type=school"' in html

# ---------------------------------------------------------------- published feedback

def test_feedback_lists_published_items_with_public_fields_only(client, engine, published, openapi):
    import datetime as dt

    from feedback import decisions
    from feedback import store as fb
    from feedback.rules import Submission

    now = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)
    with engine.begin() as connection:
        def add(text, **extra):
            return fb.submit(connection, "T1", Submission(kind="complaint", text=text, **extra), language="ru",
                             now=now, policy=fb.DeadlinePolicy(), ip_hash="hash", photo=extra.pop("photo", None))

        shown = add("=HYPERLINK(\"http://evil\") roof leaks, call 87011234567", author_name="Aigul",
                    contact="aigul@example.kz", contact_kind="email")
        add("still pending", contact="87012345678", contact_kind="phone")
        decisions.moderate(connection, shown.feedback_id, "published", actor="mod", actor_name="Dana", now=now)
        decisions.redact(connection, shown.feedback_id, public_text="=HYPERLINK(\"http://evil\") roof leaks, call [removed]",
                  public_name=None, remove_photo=False, actor="mod", actor_name="Dana", now=now)
    first = client.get("/api/v1/feedback")
    assert first.status_code == 200
    conforms(openapi, first)
    items = first.json["items"]
    assert [item["id"] for item in items] == [shown.feedback_id]
    item = items[0]
    assert (item["facility_id"], item["text"], item["redacted"], item["name"], item["status"], item["deadline"]) == \
        ("T1", "=HYPERLINK(\"http://evil\") roof leaks, call [removed]", True, "Aigul", "received", "2026-12-11")
    body = first.get_data(as_text=True)
    for private in ("aigul@example.kz", "87012345678", "87011234567", "hash", "still pending", "tracking"):
        assert private not in body
    assert client.get("/api/v1/feedback?facility=S1").json["items"] == []
    rows = read_csv(client.get("/api/v1/feedback.csv"))
    assert rows[0]["text"].startswith("'=HYPERLINK")  # neutralised for Excel
    assert "aigul@example.kz" not in json.dumps(rows)
    with engine.begin() as connection:
        decisions.change_status(connection, shown.feedback_id, "answered", actor="mod", actor_name="Dana", now=now,
                         answer="Fixed.")
    again = client.get("/api/v1/feedback", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.json["items"][0]["answer_text"] == "Fixed."
    assert client.get("/api/v1/feedback", headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_risk_flags_list_the_published_versions_flags(client, publish_csv, openapi):
    publish_csv(budget_csv("P1;Мектеп;Школа;school;43,297;68,2518;2025;equipment;1 000;2 000"))
    flags = client.get("/api/v1/risk-flags")
    assert flags.status_code == 200
    conforms(openapi, flags)
    paid = [item for item in flags.json["items"] if item["rule"] == "paid_above_allocated"]
    assert len(paid) == 1
    assert (paid[0]["facility_id"], paid[0]["fiscal_year"], paid[0]["outcome"]) == ("P1", 2025, "raised")
    figures = paid[0]["figures"]  # a JSON object, not a JSON string
    assert isinstance(figures, dict) and figures["paid_tiyn"] == 200_000 and figures["allocated_tiyn"] == 100_000
    assert json.loads(read_csv(client.get("/api/v1/risk-flags.csv"))[0]["figures"]) == figures
    assert client.get("/api/v1/risk-flags?rule=overdue").json["items"] == []
    assert client.get("/api/v1/risk-flags?year=2024").json["items"] == []
    assert read_csv(client.get("/api/v1/risk-flags.csv"))[0]["facility_id"] == "P1"
    for bad in ("year=soon", "rule=witchcraft", "outcome=maybe"):
        response = client.get(f"/api/v1/risk-flags?{bad}")
        assert response.status_code == 400 and response.json["parameters"] == [bad.split("=")[0]]


def test_the_api_index_lists_every_resource(client, published, document):
    answer = client.get("/api/v1/")
    assert answer.status_code == 200
    listed = {resource["path"] for resource in answer.json["resources"]}
    assert listed == set(document["paths"])
    facilities = next(r for r in answer.json["resources"] if r["path"] == "/api/v1/facilities")
    assert facilities["url"] == "http://localhost/api/v1/facilities"
    assert next(r for r in answer.json["resources"] if r["path"] == "/api/v1/facilities/{facility_id}")["url"] is None
    assert answer.json["openapi"] == "http://localhost/api/openapi.json"
    assert client.get("/api/v1").status_code in (301, 308)
