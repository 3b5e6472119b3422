"""The small facility map: local assets only, one safe marker, optional tiles and outline."""

import json
import re

from map_builder.district_map import MAX_ZOOM, TYPE_COLOURS, Assets, map_parts
from map_builder.point_map import build_point_map

ASSETS = Assets(leaflet_js="/static/vendor/leaflet/dist/leaflet.js",
                        leaflet_css="/static/vendor/leaflet/dist/leaflet.css")
EVIL = '</script><script>alert(1)</script> `${alert(2)}` & "quotes"'
SQUARE = {"type": "Polygon", "coordinates": [[[68.0, 43.0], [68.5, 43.0], [68.5, 43.5], [68.0, 43.0]]]}


def parts(**kwargs):
    options = {"lat": 43.297, "lon": 68.2518, "facility_type": "school", "name": "Школа №1"}
    return map_parts(build_point_map(**{**options, **kwargs}, assets=ASSETS))


def point_data(script: str) -> dict:
    return json.loads(re.search(r"var point = (\{.*?\});", script).group(1))


def test_header_links_only_the_local_leaflet_files():
    header = parts()["header"]
    assert header.splitlines() == [
        '<link rel="stylesheet" href="/static/vendor/leaflet/dist/leaflet.css">',
        '<script src="/static/vendor/leaflet/dist/leaflet.js"></script>']


def test_no_outside_url_and_no_zoom_lock_anywhere():
    page = "".join(parts(outline=SQUARE).values())
    assert re.findall(r"https?://", page) == []
    assert "user-scalable" not in page and "html, body" not in page


def test_map_is_centred_on_the_facility_with_a_max_zoom_and_no_basemap():
    result = parts()
    script = result["script"]
    assert 'class="folium-map"' in result["html"]
    assert "center: [43.297, 68.2518]" in script
    assert f'"maxZoom": {MAX_ZOOM}' in script
    assert '"scrollWheelZoom": false' in script
    assert '"zoom": 10' in script  # no streets to see without tiles
    assert "tileLayer" not in script
    assert point_data(script) == {"lat": 43.297, "lon": 68.2518, "colour": TYPE_COLOURS["school"],
                                  "name": "Школа №1"}


def test_tiles_when_configured_and_a_closer_zoom():
    script = parts(tiles_url="https://tile.example/{z}/{x}/{y}.png", tiles_attribution="© Tiles")["script"]
    assert "L.tileLayer" in script and "https://tile.example/{z}/{x}/{y}.png" in script
    assert '"zoom": 15' in script


def test_colour_by_type_with_a_default():
    assert point_data(parts(facility_type="hospital")["script"])["colour"] == TYPE_COLOURS["hospital"]
    assert point_data(parts(facility_type="unknown")["script"])["colour"] == "#333333"


def test_name_reaches_the_page_only_as_json_text():
    script = parts(name=EVIL)["script"]
    assert "</script>" not in script and "<script>" not in script
    assert point_data(script)["name"] == EVIL
    assert "textContent = point.name" in script


def test_outline_is_drawn_with_osm_attribution():
    script = parts(outline=SQUARE)["script"]
    assert "L.geoJSON(" in script and "[68.5,43.5]" in script
    assert "© OpenStreetMap contributors" in script
    assert "L.geoJSON(" not in parts()["script"]


def test_a_fixed_map_id_lets_the_page_hold_the_div_and_load_the_script_later():
    kwargs = dict(outline={"type": "Point", "coordinates": [68.25, 43.3]})
    first = map_parts(build_point_map(43.3, 68.25, "school", "A", ASSETS, map_id="facility", **kwargs))
    second = map_parts(build_point_map(43.3, 68.25, "school", "A", ASSETS, map_id="facility", **kwargs))
    assert 'id="map_facility"' in first["html"] and '"map_facility"' in first["script"]
    assert first["script"] == second["script"]  # two server processes write the same script
    assert ".addTo(map_facility)" in first["script"]
