"""The open data API's contract: every documented path against the OpenAPI document, pagination,
bad parameters, ETags, compression, CORS and errors as problem details (RFC 9457)."""

import json
import re
from urllib.parse import quote

import pytest
from openapi_core.validation.response.exceptions import InvalidData

from core.web.converters import ID_MAX, ID_MIN
from opendata.web.parameters import MAX_PER_PAGE, YEAR_MAX, YEAR_MIN
from tests.helpers import budget_csv
from tests.opendata.web.conftest import FULL_HEADER, ROWS, conforms

# ---------------------------------------------------------------- conformance

def test_every_documented_path_answers_as_documented(client, published, document, openapi):
    """Covers endpoints added later too: each path of the document is called and checked."""
    path_values = {"facility_id": "T1", "version_id": published, "bin_": "180340021791"}
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
    ("/api/v1/districts?year=2031", 200), ("/api/v1/risk-flags?year=2100", 200),
    ("/api/v1/facilities?type=castle", 400), ("/api/v1/facilities?per_page=5000", 400),
    ("/api/v1/districts.csv?year=1999", 400), ("/api/v1/risk-flags?year=2101", 400),
    ("/api/v1/risk-flags?year=6298740571385592320995330145151614976", 400),
    ("/api/v1/facilities.csv?district=61100000", 400), ("/api/v1/facilities?page=9", 404),
    ("/api/v1/facilities?year=2031", 404), ("/api/v1/facilities.geojson?district=619999999", 404),
    ("/api/v1/districts.geojson?year=2031", 404),
    ("/api/v1/facilities/NOPE", 404), ("/api/v1/versions/999/datapackage.zip", 404),
])
def test_answers_with_parameters_and_errors_conform(client, published, openapi, url, status):
    """Values the document allows are answered (a year or district with no data: 404); others are a 400."""
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    conforms(openapi, response, check_request=status < 400)
    if status >= 400:
        assert response.mimetype == "application/problem+json" and response.json["error"]
        assert response.json["status"] == status and response.json["type"] == "about:blank"


def test_a_field_outside_the_schema_fails_the_check(client, published, openapi):
    """The conformance check is strict: an unlisted field (say, a contact) would not pass."""
    response = client.get("/api/v1/facilities/T1")
    tampered = json.loads(response.data)
    tampered["contact"] = "+7 701 000 00 00"
    response.set_data(json.dumps(tampered))
    with pytest.raises(InvalidData) as failure:
        conforms(openapi, response)
    assert "contact" in str(failure.value.__cause__.schema_errors[0])


# ---------------------------------------------------------------- pagination and parameters

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
    ("page=99999999999999999999", ["page"]), ("page=" + "9" * 5000, ["page"]),
    ("type=castle&year=1999&page=-1", ["year", "type", "page"]), ("q=" + "x" * 101, ["q"]),
    ("year=6298740571385592320995330145151614976", ["year"]), ("year=%C2%B2", ["year"]),
    ("year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%95", ["year"]), ("year=2025.0", ["year"]), ("year=+2025", ["year"]),
    ("year=", ["year"]), ("type=School", ["type"]), ("type=school%20", ["type"]),
    ("district=61100000", ["district"]), ("district=611000000%0A", ["district"]), ("risk=maybe", ["risk"]),
    ("q=a%00b", ["q"]), ("q=%1B%5B31m", ["q"]), ("q=%C2%85", ["q"]), ("q=%7F&district=%00", ["district", "q"]),
])
def test_bad_parameters_are_a_400_naming_them(client, published, query, bad):
    response = client.get(f"/api/v1/facilities?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.json == {
        "type": "about:blank", "title": "Bad Request", "status": 400, "error": "bad_parameter", "parameters": bad,
        "detail": f"Parameter values not understood: {', '.join(bad)}. The OpenAPI document at /api/openapi.json "
                  "says which values each parameter takes."}


@pytest.mark.parametrize("url", ["/api/v1/feedback", "/api/v1/risk-flags.csv"])
def test_the_facility_parameter_is_text_of_at_most_64_characters_without_controls(client, published, url):
    assert client.get(f"{url}?facility=T1").status_code == 200
    assert client.get(f"{url}?facility={'x' * 64}").status_code == 200
    assert client.get(f"{url}?facility=%D0%A8%09%E2%84%96").status_code == 200  # "Ш<tab>№": text
    for bad in ("x" * 65, "T1%00", "%1B", "T%C2%9B1"):
        refused = client.get(f"{url}?facility={bad}")
        assert refused.status_code == 400 and refused.json["parameters"] == ["facility"], bad


@pytest.mark.parametrize("value", [2**63, 2**64, -1, 0, 99999999999999999999])
def test_every_integer_parameter_of_the_document_refuses_a_number_out_of_range(client, published, document, value):
    """Each integer query parameter of each path: a 400 naming it, as problem details."""
    checked = set()
    for path, operations in document["paths"].items():
        for parameter in operations["get"]["parameters"]:
            if parameter["in"] == "query" and parameter["schema"]["type"] == "integer":
                refused = client.get(f"{path}?{parameter['name']}={value}")
                assert refused.status_code == 400, (path, parameter["name"])
                assert refused.mimetype == "application/problem+json"
                assert refused.json["parameters"] == [parameter["name"]]
                checked.add((path, parameter["name"]))
    assert {("/api/v1/risk-flags", "year"), ("/api/v1/facilities.geojson", "year"), ("/api/v1/versions", "page"),
            ("/api/v1/feedback", "per_page"), ("/api/v1/districts.csv", "year")} <= checked


def test_the_document_declares_every_error_as_problem_details_and_the_405_allow(document):
    for path, operations in document["paths"].items():
        responses = operations["get"]["responses"]
        assert {"304", "405", "500", "503"} <= responses.keys(), path
        assert "404" in responses or path in ("/api/openapi.json", "/api/v1/"), path
        for status, declared in responses.items():
            if int(status) >= 400:
                assert declared["content"] == {"application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}, (path, status)
        assert responses["405"]["headers"]["Allow"] == {
            "required": True, "schema": {"const": "GET, HEAD, OPTIONS"}, "description": "The methods answered."}


def test_the_document_and_the_server_share_the_bounds(client, published, document):
    """The document's bounds are the server's: the last value in is taken, the first one out is a 400."""
    bounds = {"year": (YEAR_MIN, YEAR_MAX), "page": (1, ID_MAX), "per_page": (1, MAX_PER_PAGE)}
    for path, operations in document["paths"].items():
        for parameter in operations["get"]["parameters"]:
            schema = parameter["schema"]
            if parameter["in"] == "path" and schema["type"] == "integer":
                assert (schema["minimum"], schema["maximum"]) == (ID_MIN, ID_MAX), path
            elif parameter["in"] == "query":
                assert schema["type"] != "integer" or (schema["minimum"], schema["maximum"]) == bounds[parameter["name"]]
                assert schema["type"] == "integer" or "enum" in schema or "pattern" in schema or \
                    parameter["name"] in ("q", "facility"), (path, parameter["name"])
    for url in ("/api/v1/risk-flags", "/api/v1/districts.csv"):
        assert client.get(f"{url}?year={YEAR_MIN}").status_code == 200
        assert client.get(f"{url}?year={YEAR_MAX}").status_code == 200
        assert client.get(f"{url}?year={YEAR_MIN - 1}").status_code == 400
        assert client.get(f"{url}?year={YEAR_MAX + 1}").status_code == 400
    assert client.get(f"/api/v1/versions?per_page={MAX_PER_PAGE}").status_code == 200
    assert client.get(f"/api/v1/versions?page={ID_MAX}").status_code == 404  # past the last page
    assert client.get(f"/api/v1/versions?page={ID_MAX + 1}").status_code == 400
    assert client.get(f"/api/v1/versions/{ID_MAX}/datapackage.zip").json["detail"]  # no such version: 404
    assert client.get(f"/api/v1/versions/{ID_MAX + 1}/datapackage.zip").status_code == 404


def test_a_year_or_district_without_data_is_a_404_naming_it(client, published):
    unpublished = client.get("/api/v1/facilities.csv?year=2031&type=school", headers={"Accept-Language": "en"})
    assert unpublished.status_code == 404 and unpublished.json["parameters"] == ["year"]
    assert unpublished.json["detail"] == "No budget is published for 2031."
    nowhere = client.get("/api/v1/facilities?district=619999999", headers={"Accept-Language": "en"})
    assert nowhere.status_code == 404 and nowhere.json["parameters"] == ["district"]
    assert nowhere.json["detail"] == "There is no district with the KATO code 619999999."
    assert client.get("/api/v1/facilities?district=611000000&year=2024").status_code == 200
    assert client.get("/api/v1/districts?year=2031").json["items"][0]["years"] == []  # a filter: nothing matches


# ---------------------------------------------------------------- ETags, compression, CORS, errors

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


def test_api_errors_are_problem_details_in_the_request_language(client, published):
    unknown = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    assert unknown.json == {"type": "about:blank", "title": "Not Found", "status": 404, "error": "not_found",
                            "detail": "There is no such page or facility."}
    assert unknown.headers["Access-Control-Allow-Origin"] == "*"
    russian = client.get("/api/v1/facilities/NOPE", headers={"Accept-Language": "ru"})
    assert russian.status_code == 404 and russian.json["detail"] == "Такого объекта нет."
    for method in ("POST", "PUT", "DELETE", "TRACE"):
        refused = client.open("/api/v1/facilities", method=method, headers={"Accept-Language": "en"})
        assert refused.status_code == 405 and refused.json["error"] == "method_not_allowed"
        assert refused.mimetype == "application/problem+json" and refused.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert refused.json["detail"] == "The API is read-only: it answers GET, HEAD and OPTIONS requests only."
    too_big = client.get(f"/api/v1/versions/{2**63}/datapackage.zip")
    assert too_big.status_code == 404 and too_big.mimetype == "application/problem+json"
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"  # pages stay pages


def test_a_server_error_is_problem_details_too(app, client, published, monkeypatch):
    from risk import store

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(store, "risk_flag_rows", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failed = client.get("/api/v1/risk-flags", headers={"Accept-Language": "en"})
    assert failed.status_code == 500 and failed.mimetype == "application/problem+json"
    assert failed.json["error"] == "internal_server_error" and failed.json["title"] == "Internal Server Error"
    assert "went away" not in failed.get_data(as_text=True)
