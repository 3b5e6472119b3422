"""The open data API: every documented path against the OpenAPI document, real values, formats,
pagination, ETags, errors as JSON, CORS, and the data package."""

import csv
import io
import json
import re
import zipfile
from urllib.parse import quote

import frictionless
import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData
from shapely.geometry import shape

from tests.helpers import HEADER, budget_csv

FULL_HEADER = HEADER + ";status;funding_source;physical_progress_pct;amount_contracted;contractor_name"
ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;60 000 000;in_progress;oblast;"
    "40;118 400 000;ТОО «Құрылыс»",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;current_repair;5 000 000;5 000 000;completed;district;100;;",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;;planned;republican;;;",
    "F1;=1+2;-Школа;school;43,297;68,2518;2025;equipment;1 000;;suspended;oblast;;;@SUM(A1)",
)
TURKESTAN, SARYAGASH = "611000000", "615400000"


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*ROWS, header=FULL_HEADER), actor="akimat:aigul.editor")


@pytest.fixture()
def document(client):
    return client.get("/api/openapi.json").json


@pytest.fixture()
def openapi(document):
    """The document, checked as valid OpenAPI 3.1 by openapi-core, ready to validate answers."""
    decoders = {"text/csv": lambda body, **_: body.decode("utf-8-sig"),
                "application/geo+json": lambda body, **_: json.loads(body)}
    return OpenAPI.from_dict(document, config=Config(extra_media_type_deserializers=decoders))


def conforms(openapi, response, check_request: bool = True) -> None:
    """The request and the response are what the OpenAPI document says (raises otherwise)."""
    request = WerkzeugOpenAPIRequest(response.request)
    if check_request:
        openapi.validate_request(request)
    openapi.validate_response(request, WerkzeugOpenAPIResponse(response))


def read_csv(response) -> list[dict]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- conformance

def test_every_documented_path_answers_as_documented(client, published, document, openapi):
    """Covers endpoints added later too: each path of the document is called and checked."""
    path_values = {"facility_id": "T1", "version_id": published}
    assert {"/api/v1/facilities", "/api/v1/facilities.csv", "/api/v1/facilities.geojson",
            "/api/v1/facilities/{facility_id}", "/api/v1/districts", "/api/v1/districts.csv",
            "/api/v1/districts.geojson", "/api/v1/versions", "/api/v1/versions.csv",
            "/api/v1/versions/{version_id}/datapackage.zip", "/api/openapi.json"} <= set(document["paths"])
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}, path  # read-only
        missing = set(re.findall(r"\{(\w+)\}", path)) - set(path_values)
        assert not missing, f"add a test value for {missing} of {path}"
        url = re.sub(r"\{(\w+)\}", lambda m: quote(str(path_values[m.group(1)])), path)
        response = client.get(url)
        assert response.status_code == 200, (url, response.data[:300])
        assert response.headers["ETag"] and response.headers["Access-Control-Allow-Origin"] == "*"
        conforms(openapi, response)


def test_documented_paths_conform_with_an_empty_database_too(client, document, openapi):
    for path in document["paths"]:
        if "{" not in path:
            response = client.get(path)
            assert response.status_code == 200, path
            conforms(openapi, response)
    assert client.get("/api/v1/facilities").json["total"] == 0
    districts = client.get("/api/v1/districts").json
    assert districts["total"] == 17 and districts["items"][0]["years"] == []
    assert districts["data_version"] is None


@pytest.mark.parametrize("url, status", [
    ("/api/v1/facilities?type=kindergarten&per_page=1", 200), ("/api/v1/facilities?year=2024&work=current_repair", 200),
    ("/api/v1/facilities?q=%D1%88%D0%BA%D0%BE%D0%BB%D0%B0&page=2&per_page=1", 200),
    ("/api/v1/facilities?risk=any", 200), ("/api/v1/districts?year=2024", 200), ("/api/v1/districts.geojson?year=2024", 200),
    ("/api/v1/facilities?type=castle", 400), ("/api/v1/facilities?per_page=5000", 400),
    ("/api/v1/districts.csv?year=1999", 400), ("/api/v1/facilities?page=9", 404),
    ("/api/v1/facilities/NOPE", 404), ("/api/v1/versions/999/datapackage.zip", 404),
])
def test_answers_with_parameters_and_errors_conform(client, published, openapi, url, status):
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    conforms(openapi, response, check_request=status == 200)
    if status >= 400:
        assert response.mimetype == "application/json" and response.json["error"]


def test_a_field_outside_the_schema_fails_the_check(client, published, openapi):
    """The conformance check is strict: an unlisted field (say, a contact) would not pass."""
    response = client.get("/api/v1/facilities/T1")
    tampered = json.loads(response.data)
    tampered["contact"] = "+7 701 000 00 00"
    response.set_data(json.dumps(tampered))
    with pytest.raises(InvalidData) as failure:
        conforms(openapi, response)
    assert "contact" in str(failure.value.__cause__.schema_errors[0])


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


def test_pagination_edges_and_links(client, published):
    first = client.get("/api/v1/facilities?type=school&per_page=1").json
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (2, 2, 1, 1)
    assert first["links"]["prev"] is None
    assert first["links"]["next"] == "http://localhost/api/v1/facilities?type=school&per_page=1&page=2"
    assert first["links"]["csv"] == "http://localhost/api/v1/facilities.csv?type=school"
    assert first["links"]["geojson"] == "http://localhost/api/v1/facilities.geojson?type=school"
    last = client.get(first["links"]["next"]).json
    assert [f["facility_id"] for f in last["items"]] == ["T1"] and last["links"]["next"] is None
    assert last["links"]["prev"] == "http://localhost/api/v1/facilities?type=school&per_page=1&page=1"
    beyond = client.get("/api/v1/facilities?type=school&per_page=1&page=3")
    assert beyond.status_code == 404 and beyond.json["error"] == "not_found"
    assert client.get("/api/v1/facilities?per_page=1000").json["pages"] == 1
    nothing = client.get("/api/v1/facilities?year=2024&work=equipment").json
    assert (nothing["total"], nothing["pages"], nothing["items"]) == (0, 1, [])


@pytest.mark.parametrize("query, bad", [
    ("page=0", ["page"]), ("page=x", ["page"]), ("per_page=0", ["per_page"]), ("per_page=1001", ["per_page"]),
    ("type=castle&year=1999&page=-1", ["year", "type", "page"]), ("q=" + "x" * 101, ["q"]),
])
def test_bad_parameters_are_a_400_naming_them(client, published, query, bad):
    response = client.get(f"/api/v1/facilities?{query}")
    assert response.status_code == 400
    assert response.json == {"error": "bad_parameter", "parameters": bad}


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
    assert missing.json == {"error": "not_found", "message": "There is no such facility."}


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


# ---------------------------------------------------------------- ETags, CORS, errors, the table page

@pytest.mark.parametrize("url", ["/api/v1/facilities", "/api/v1/facilities.csv", "/api/v1/facilities.geojson",
                                 "/api/v1/districts", "/api/v1/versions", "/api/v1/facilities/T1"])
def test_unchanged_data_answers_304_until_a_new_version(client, published, publish_csv, url):
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    publish_csv(budget_csv(ROWS[0], header=FULL_HEADER))
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag


def test_an_other_filter_or_page_has_an_other_etag(client, published):
    etags = {client.get(url).headers["ETag"] for url in (
        "/api/v1/facilities", "/api/v1/facilities?type=school", "/api/v1/facilities?per_page=1",
        "/api/v1/facilities.csv", "/api/v1/facilities.csv?type=school")}
    assert len(etags) == 5


def test_csv_and_geojson_are_sent_gzip_compressed_to_who_accepts_it(client, published):
    import gzip
    plain = client.get("/api/v1/facilities.geojson")
    packed = client.get("/api/v1/facilities.geojson", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data and "Accept-Encoding" in packed.headers["Vary"]


def test_cors_lets_any_site_read_the_api(client, published):
    assert client.get("/api/v1/facilities?type=castle").headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in client.get("/api/v1/versions").headers["Access-Control-Expose-Headers"]
    preflight = client.options("/api/v1/facilities", headers={"Origin": "https://example.org",
                                                               "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in client.get("/facilities").headers  # pages are not the API


def test_api_errors_are_json_in_the_request_language(client, published):
    unknown = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and unknown.json == {"error": "not_found",
                                                            "message": "There is no such page or facility."}
    posted = client.post("/api/v1/facilities")
    assert posted.status_code == 405 and posted.json["error"] == "method_not_allowed"
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"  # pages stay pages


def test_the_table_page_links_csv_and_geojson_of_its_filter(client, published):
    html = client.get("/facilities?type=school", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/api/v1/facilities.csv?year=2025&amp;type=school"' in html
    assert 'href="/api/v1/facilities.geojson?year=2025&amp;type=school"' in html
    assert "CSV table (opens in Excel)" in html


# ---------------------------------------------------------------- published feedback

def test_feedback_lists_published_items_with_public_fields_only(client, engine, published, openapi):
    import datetime as dt

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
        fb.moderate(connection, shown.feedback_id, "published", actor="mod", actor_name="Dana", now=now)
        fb.redact(connection, shown.feedback_id, public_text="=HYPERLINK(\"http://evil\") roof leaks, call [removed]",
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
        fb.change_status(connection, shown.feedback_id, "answered", actor="mod", actor_name="Dana", now=now,
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
    figures = json.loads(paid[0]["figures"])
    assert figures["paid_tiyn"] == 200_000 and figures["allocated_tiyn"] == 100_000
    assert client.get("/api/v1/risk-flags?rule=overdue").json["items"] == []
    assert client.get("/api/v1/risk-flags?year=2024").json["items"] == []
    assert read_csv(client.get("/api/v1/risk-flags.csv"))[0]["facility_id"] == "P1"
    for bad in ("year=soon", "rule=witchcraft", "outcome=maybe"):
        response = client.get(f"/api/v1/risk-flags?{bad}")
        assert response.status_code == 400 and response.json["parameters"] == [bad.split("=")[0]]
