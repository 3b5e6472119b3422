"""The folium map: fixed size, local assets only, compact facility columns, no user text as markup."""

import json
import re

from shapely.geometry import box, mapping

from map_builder.district_map import Assets, LayerConfig, build_map, map_parts, script_json

ASSETS = Assets("/static/l.js", "/static/l.css", "/static/sc.js", "/static/map.js")
EVIL = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
CONFIG = LayerConfig("/map/facilities.json", "/map/summary.json", "/map/facility/",
                     labels={"popupLink": EVIL})
DISTRICTS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"kato": "1", "name": EVIL}, "geometry": mapping(box(68, 42, 69, 43))},
    {"type": "Feature", "properties": {"kato": "2"}, "geometry": mapping(box(69, 42, 70, 43))}]}


def small_map(tiles_url=""):
    return build_map(DISTRICTS, CONFIG, ASSETS, tiles_url=tiles_url, bounds=[[42, 68], [43, 70]])


def test_script_json_cannot_close_the_script_element():
    text = script_json({"name": EVIL, "amp": "a&b", "ls": "\u2028"})
    assert "</script" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"name": EVIL, "amp": "a&b", "ls": "\u2028"}


def test_page_parts_use_only_local_assets_and_no_network():
    parts = map_parts(small_map())
    html = parts["header"] + parts["html"] + parts["script"]
    assert re.findall(r"https?://", html) == []
    for url in ("/static/l.js", "/static/sc.js", "/static/map.js"):
        assert f'<script src="{url}"></script>' in parts["header"]
    assert "/static/l.css" in parts["header"]
    assert "maxZoom" in parts["script"] and "18" in parts["script"]


def test_the_map_starts_map_js_with_its_data_urls_and_the_view_comes_first():
    script = map_parts(small_map())["script"]
    assert "window.OpenBudgetMap.start(" in script
    assert '"facilitiesUrl":"/map/facilities.json"' in script and '"popupUrl":"/map/facility/"' in script
    assert script.index("fitBounds") < script.index("OpenBudgetMap.start")


def test_the_page_does_not_grow_with_the_data_and_holds_no_user_text():
    script = map_parts(small_map())["script"]
    assert "<script>alert" not in script and "<img src=x" not in script
    assert "\\u003c/script\\u003e" in script  # the (server-made) label survives only as JSON text
    assert '"name"' not in script  # district names are not in the page: map.js gets them translated


def test_tiles_are_added_only_when_configured():
    assert "tile.example" not in map_parts(small_map())["script"]
    with_tiles = map_parts(small_map("https://tile.example/{z}/{x}/{y}.png"))["script"]
    assert "https://tile.example/{z}/{x}/{y}.png" in with_tiles
    assert "OpenStreetMap contributors" in with_tiles


def test_two_builds_render_the_same_page():
    """Element ids are numbered, not random: each worker renders the map page identically."""
    first, second = map_parts(small_map()), map_parts(small_map())
    assert first == second
    assert 'id="map_0"' in first["html"]
