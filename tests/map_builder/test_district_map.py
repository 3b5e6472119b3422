"""The folium map uses only local assets and never lets user text become markup."""

import json
import re

from shapely.geometry import box, mapping

from map_builder.choropleth import quantile_bins
from map_builder.district_map import (Assets, MapLabels, build_map, facility_columns, map_parts,
                                      script_json)

ASSETS = Assets("/static/l.js", "/static/l.css", "/static/mc.js", ("/static/mc.css",))
LABELS = MapLabels(legend_title="Allocated", no_data="None", popup_link="Facility page",
                   popup_fields={"paid": "Paid"})
EVIL = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


def small_map(tiles_url=""):
    districts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kato": "1", "name": "A & B"}, "geometry": mapping(box(68, 42, 69, 43))},
        {"type": "Feature", "properties": {"kato": "2", "name": EVIL}, "geometry": mapping(box(69, 42, 70, 43))}]}
    facilities = [{"facility_id": "F/1", "lat": 42.5, "lon": 68.5, "facility_type": "school",
                   "name": EVIL, "paid": EVIL}]
    data = facility_columns(facilities, LABELS, "/facility/", lambda f: f["name"], lambda k, f: f[k])
    values = {"1": 100, "2": 0}
    bins = quantile_bins(list(values.values()))
    return build_map(districts, values, {"1": "100 ₸"}, bins, ["100 ₸ – 100 ₸"], data, LABELS, ASSETS,
                     tiles_url=tiles_url, bounds=[[42, 68], [43, 70]])


def test_script_json_cannot_close_the_script_element():
    text = script_json({"name": EVIL, "amp": "a&b", "ls": "\u2028"})
    assert "</script" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"name": EVIL, "amp": "a&b", "ls": "\u2028"}


def test_page_parts_use_only_local_assets_and_no_network():
    parts = map_parts(small_map())
    html = parts["header"] + parts["html"] + parts["script"]
    assert re.findall(r"https?://", html) == []
    assert '<script src="/static/l.js"></script>' in parts["header"]
    assert "/static/mc.js" in parts["header"] and "/static/mc.css" in parts["header"]
    assert "maxZoom" in parts["script"] and "18" in parts["script"]


def test_user_text_never_appears_as_markup():
    script = map_parts(small_map())["script"]
    assert "<script>alert" not in script and "<img src=x" not in script
    assert "textContent" in script and "innerHTML = data" not in script
    assert "\\u0026lt;/script\\u0026gt;" in script  # tooltips hold escaped HTML (&lt;) in JSON


def test_facility_columns_are_compact_arrays():
    data = facility_columns([{"facility_id": "A", "lat": 1.23456789, "lon": 2.0, "facility_type": "clinic",
                              "paid": "5 ₸"}], LABELS, "/facility/", lambda f: "Name", lambda k, f: f[k])
    assert data["id"] == ["A"] and data["lat"] == [1.234568] and data["type"] == ["clinic"]
    assert data["values"] == {"paid": ["5 ₸"]}
    assert data["fields"] == [{"key": "paid", "label": "Paid", "money": False}]
    assert data["funded"] == [1]  # no lines_in_year given: treated as funded


def test_tiles_are_added_only_when_configured():
    assert "tile.example" not in map_parts(small_map())["script"]
    with_tiles = map_parts(small_map("https://tile.example/{z}/{x}/{y}.png"))["script"]
    assert "https://tile.example/{z}/{x}/{y}.png" in with_tiles
    assert "OpenStreetMap contributors" in with_tiles
