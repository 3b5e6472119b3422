"""Build the folium map of districts and facilities.

The page is of fixed size whatever the number of facilities: folium draws the districts and
hands the map to ``static/js/map.js``, which fetches the facilities as compact column arrays,
clusters them in the browser (supercluster) and fetches a popup's details when it opens. No JS
statement per marker. The page works with no internet: folium's CDN links are replaced by
locally served files. User text never reaches the page as markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import escape

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
REGION_CENTRE = (42.9, 68.6)  # (lat, lon), roughly the middle of Turkestan region
MAX_ZOOM = 18

# Marker colours per facility type (Okabe-Ito and friends: distinguishable for most people).
TYPE_COLOURS = {
    "school": "#0072b2", "kindergarten": "#e69f00", "college": "#56b4e9", "clinic": "#009e73",
    "hospital": "#d55e00", "sports": "#cc79a7", "culture": "#8c564b", "social_care": "#7f7f7f",
    "water_supply": "#17becf", "other": "#333333",
}

def script_json(value) -> str:
    """JSON that is safe inside a <script> element (no '</script>' or '<!--' breakout)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@dataclass
class Assets:
    """URLs of the locally served files a map needs (the facility layer needs the last two)."""

    leaflet_js: str
    leaflet_css: str
    supercluster_js: str = ""
    map_js: str = ""


@dataclass
class LayerConfig:
    """What ``map.js`` needs: data URLs and already-translated labels (the builder knows no language)."""

    facilities_url: str
    summary_url: str
    popup_url: str  # + encodeURIComponent(id) + ".json"
    labels: dict[str, str] = field(default_factory=dict)
    type_colours: dict[str, str] = field(default_factory=lambda: dict(TYPE_COLOURS))


class FacilityLayer(JSCSSMixin, MacroElement):
    """Starts ``map.js`` on the folium map: facilities, choropleth colours, legend, filters."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.OpenBudgetMap.start({{ this._parent.get_name() }}, {{ this.districts.get_name() }},
                                   {{ this.config_json }});
        {% endmacro %}
    """)

    def __init__(self, districts: folium.GeoJson, config: LayerConfig, assets: Assets):
        super().__init__()
        self._name = "FacilityLayer"
        self.districts = districts
        self.config_json = script_json({
            "facilitiesUrl": config.facilities_url, "summaryUrl": config.summary_url,
            "popupUrl": config.popup_url, "labels": config.labels, "typeColours": config.type_colours,
            "maxZoom": MAX_ZOOM})
        self.default_js = [("supercluster", assets.supercluster_js), ("open_budget_map", assets.map_js)]


class DataPrefetch(MacroElement):
    """Starts fetching the facilities and the summary before the districts are built (map.js)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.OpenBudgetMap.prefetch({{ this.urls_json }});
        {% endmacro %}
    """)

    def __init__(self, config: LayerConfig):
        super().__init__()
        self._name = "DataPrefetch"
        self.urls_json = script_json({"facilitiesUrl": config.facilities_url, "summaryUrl": config.summary_url})


class Attribution(MacroElement):
    """Adds an attribution line to the map (the boundaries are OpenStreetMap data)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text_json }});
        {% endmacro %}
    """)

    def __init__(self, text: str):
        super().__init__()
        self.text_json = script_json(str(escape(text)))


class InitialView(MacroElement):
    """Fit the map to the region at once: an animated first zoom delays every interaction."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds_json }}, {animate: false});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self.bounds_json = script_json(bounds)


def base_map(assets: Assets, tiles_url: str = "", tiles_attribution: str = OSM_ATTRIBUTION,
             zoom_start: int = 7, location: tuple[float, float] = REGION_CENTRE,
             prefer_canvas: bool = False, **options) -> folium.Map:
    """A folium map with local Leaflet files and, if configured, a basemap.

    folium passes max_zoom only to a tile layer; without tiles the map itself needs maxZoom or
    clustering throws and draws nothing. Failed tiles stay hidden (Leaflet shows a tile only
    once loaded), so unreachable tiles leave a plain background.
    """
    fmap = folium.Map(location=location, zoom_start=zoom_start, tiles=None, control_scale=True,
                      prefer_canvas=prefer_canvas,
                      **{"maxZoom": MAX_ZOOM, "minZoom": 5, "zoomSnap": 0.5, **options})
    fmap.default_js = [("leaflet", assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css)]
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr=tiles_attribution, name="basemap",
                         max_zoom=MAX_ZOOM).add_to(fmap)
    return fmap


def build_map(districts_geojson: dict, config: LayerConfig, assets: Assets, tiles_url: str = "",
              tiles_attribution: str = OSM_ATTRIBUTION,
              bounds: list[list[float]] | None = None) -> folium.Map:
    """The map: district shapes (coloured later by ``map.js``) and the facility layer.

    ``districts_geojson`` is a FeatureCollection whose features carry a ``kato`` property.
    """
    # One canvas for districts and facilities: see map.js on why they share it.
    fmap = base_map(assets, tiles_url, tiles_attribution, prefer_canvas=True)
    fmap.add_child(DataPrefetch(config))  # first: the data loads while the districts are built
    features = [{"type": "Feature", "properties": {"kato": feature["properties"]["kato"]},
                 "geometry": feature["geometry"]} for feature in districts_geojson["features"]]
    districts = folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="districts",
        style_function=lambda feature: {"fillColor": "#d9d9d9", "color": "#555555", "weight": 1,
                                        "fillOpacity": 0.6},
        highlight_function=lambda feature: {"weight": 3, "color": "#222222"},
    ).add_to(fmap)
    if bounds:  # before the facility layer, which moves to the view a link carries
        fmap.add_child(InitialView(bounds))
    fmap.add_child(FacilityLayer(districts, config, assets))
    fmap.add_child(Attribution(OSM_ATTRIBUTION))
    return fixed_ids(fmap)


def fixed_ids(fmap: folium.Map) -> folium.Map:
    """Number the map's elements in order instead of folium's random ids: every worker then
    renders the same page, so its ETag matches whichever worker a phone reaches (a 304 instead of
    the whole page again) and the hash of its script in the CSP stays the same."""
    stack = [fmap]
    number = 0
    while stack:
        element = stack.pop(0)
        element._id = f"{number:x}"
        number += 1
        stack.extend(element._children.values())
    return fmap


def _head_links(element) -> list[str]:
    """Links to the JS and CSS files of ``element`` and everything in it, each once, in order."""
    css, js = [], []
    stack = [element]
    while stack:
        current = stack.pop(0)
        css += [url for _, url in getattr(current, "default_css", []) if url not in css]
        js += [url for _, url in getattr(current, "default_js", []) if url not in js]
        stack.extend(current._children.values())
    return ([f'<link rel="stylesheet" href="{escape(url)}">' for url in css]
            + [f'<script src="{escape(url)}"></script>' for url in js])


def map_parts(fmap: folium.Map) -> dict[str, str]:
    """The map as three HTML fragments to place in a page: head links, the div, the script.

    Only the asset links are kept from folium's head: it also adds a viewport tag that forbids
    zooming the page (people with poor sight need zoom) and styles that give ``html, body`` the
    map's full height; the page's own CSS sizes ``.folium-map`` instead.
    """
    root = fmap.get_root()
    root.render()
    return {"header": "\n".join(_head_links(fmap)), "html": root.html.render(),
            "script": root.script.render()}
