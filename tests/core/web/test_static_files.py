"""Static files as WhiteNoise serves them (core.web.static_files) and pages link them; pages and
JSON compressed with brotli or gzip by the client's choice (COMPRESS_ALGORITHM)."""

import gzip
import re

import brotli
import pytest

from app import create_app
from core.static_files import BUILD_DIR, MANIFEST, read_manifest
from tests.helpers import GOOD_ROWS, budget_csv, static_href

pytestmark = pytest.mark.skipif(not MANIFEST.is_file(), reason="run `make install`: it builds build/static")
IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_LINK = re.compile(r'(?:src|href)="([^"]*/static/[^"]*)"')


@pytest.fixture()
def hashed():
    return read_manifest(MANIFEST)


def test_url_for_gives_the_hashed_name(client, hashed):
    assert static_href(client, "css/app.css") == f"/static/{hashed['css/app.css']}"
    assert re.fullmatch(r"/static/vendor/leaflet/dist/leaflet\.[0-9a-f]{12}\.js",
                        static_href(client, "vendor/leaflet/dist/leaflet.js"))


@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", gzip.decompress),
                                                  ("identity", lambda data: data)])
def test_a_hashed_file_is_cached_for_a_year_and_sent_compressed_as_the_client_accepts(client, hashed, encoding,
                                                                                    decompress):
    name = "vendor/leaflet/dist/leaflet.js"
    with client.get(static_href(client, name), headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == "text/javascript" and "Accept-Encoding" in response.headers["Vary"]
        assert response.headers.get("Content-Encoding") == (None if encoding == "identity" else encoding)
        body = decompress(response.get_data())
    assert body == (BUILD_DIR / name).read_bytes()
    if encoding == "br":  # leaflet.js: 147 KB as it is, well under a third with brotli
        assert int(response.headers["Content-Length"]) < len(body) / 3


def test_a_hashed_file_answers_304_to_its_etag(client):
    url = static_href(client, "css/app.css")
    with client.get(url, headers={"Accept-Encoding": "br"}) as first:
        etag = first.headers["ETag"]
    with client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["Cache-Control"] == IMMUTABLE


def test_the_plain_name_still_answers_with_a_short_cache(client):
    with client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == "max-age=60, public"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/static/css/app.000000000000.css").status_code == 404


def test_the_pages_link_only_hashed_static_files(client, publish_csv, hashed):
    publish_csv(budget_csv(*GOOD_ROWS))
    served = {f"/static/{name}" for name in hashed.values()}
    for path in ("/", "/facility/T1", "/district/611000000", "/dashboard", "/login"):
        response = client.get(path)
        assert response.status_code == 200, path
        links = STATIC_LINK.findall(response.get_data(as_text=True))
        assert links and set(links) <= served, (path, set(links) - served)
        for link in links:  # each answers, from WhiteNoise, cached for good
            with client.get(link) as static:
                assert static.status_code == 200 and static.headers["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_and_json_are_compressed_as_the_client_accepts(client, publish_csv, encoding):
    publish_csv(budget_csv(*GOOD_ROWS))
    decompress = {"br": brotli.decompress, "gzip": gzip.decompress}[encoding]
    for path, content in (("/facility/T1", "№1 мектеп".encode()), ("/", b'class="folium-map"'),
                          ("/map/summary.json", b'"legend"')):
        response = client.get(path, headers={"Accept-Encoding": f"{encoding}, deflate"})
        assert response.status_code == 200 and response.headers["Content-Encoding"] == encoding, path
        assert "Accept-Encoding" in response.headers["Vary"]
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers
        body = decompress(response.get_data())
        assert content in body and content in plain.get_data()
        assert len(response.get_data()) < len(body) / 2
        if path.endswith(".json"):  # a page differs in its CSRF token; the data does not
            assert body == plain.get_data()


def test_brotli_is_preferred_when_the_browser_accepts_both(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"


def test_the_map_data_stays_pre_gzipped_for_a_brotli_browser(client, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    for _ in range(2):  # the view's answer, then the shared replay
        response = client.get("/map/facilities.json", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert b'"T1"' in gzip.decompress(response.get_data())
    only_br = client.get("/map/facilities.json", headers={"Accept-Encoding": "br"})
    assert "Content-Encoding" not in only_br.headers and b'"T1"' in only_br.get_data()


def test_autorefresh_serves_static_as_it_is_now_under_plain_names(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": "", "STATIC_AUTOREFRESH": True})
    client = app.test_client()
    assert static_href(client, "css/app.css") == "/static/css/app.css"
    with client.get("/static/css/app.css", headers={"Accept-Encoding": "br"}) as response:
        assert response.status_code == 200 and response.headers["Cache-Control"] == "max-age=0, public"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        etag = response.headers["ETag"]
    assert client.get("/static/css/app.css", headers={"If-None-Match": etag}).status_code == 304
