"""Build the folium map of districts and facilities from read models.

The page must work with no internet: folium's CDN links are replaced by locally served files,
and the facility layer is a compact array clustered in the browser (one JS loop, not one JS
statement per marker). User text reaches the browser only as JSON data and is written into
popups with ``textContent``, never as HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import escape

from map_builder.choropleth import Bin, colour_for

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
    """URLs of the locally served files the map needs."""

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: tuple[str, ...]


@dataclass
class MapLabels:
    """Already-translated text for the map (the builder knows no language)."""

    legend_title: str
    no_data: str
    popup_link: str
    no_lines: str = ""  # popup text for a facility without lines in the selected year
    popup_fields: dict[str, str] = field(default_factory=dict)  # key -> label
    money_fields: tuple[str, ...] = ()  # popup fields hidden when the year has no lines


class FacilityLayer(JSCSSMixin, MacroElement):
    """Facilities as coloured circles in a marker cluster, built from column arrays."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.data_json }};
            var cluster = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
                                                maxClusterRadius: 50});
            function popupFor(i) {
                var box = document.createElement("div");
                box.className = "facility-popup";
                var title = document.createElement("strong");
                title.textContent = data.name[i];
                box.appendChild(title);
                var list = document.createElement("dl");
                data.fields.forEach(function (field) {
                    var value = data.values[field.key][i];
                    if (!data.funded[i] && field.money) { return; }
                    if (value === null || value === "") { return; }
                    var dt = document.createElement("dt"); dt.textContent = field.label;
                    var dd = document.createElement("dd"); dd.textContent = value;
                    list.appendChild(dt); list.appendChild(dd);
                });
                box.appendChild(list);
                if (!data.funded[i]) {
                    var none = document.createElement("p");
                    none.textContent = data.no_lines_label;
                    box.appendChild(none);
                }
                var link = document.createElement("a");
                link.href = data.link_prefix + encodeURIComponent(data.id[i]);
                link.textContent = data.link_label;
                box.appendChild(link);
                return box;
            }
            var markers = [], funded = 0;
            for (var i = 0; i < data.id.length; i++) {
                var colour = data.colours[data.type[i]] || "#333333";
                // Filled: money in the selected year; hollow ring: none this year.
                var marker = data.funded[i]
                    ? L.circleMarker([data.lat[i], data.lon[i]], {radius: 7, weight: 1.5,
                          color: "#ffffff", fillOpacity: 0.9, fillColor: colour})
                    : L.circleMarker([data.lat[i], data.lon[i]], {radius: 6, weight: 2.5,
                          color: colour, fillOpacity: 0.25, fillColor: "#ffffff"});
                if (data.funded[i]) { funded++; }
                marker.bindPopup(popupFor.bind(null, i));
                marker.bindTooltip(data.name[i]);
                markers.push(marker);
            }
            cluster.addLayers(markers);
            {{ this._parent.get_name() }}.addLayer(cluster);
            window.facilityLayer = cluster;  // for tests and later controls
            window.fundedCount = funded;
            window.facilityCount = data.id.length;
        })();
        {% endmacro %}
    """)

    def __init__(self, data: dict, assets: Assets):
        super().__init__()
        self._name = "FacilityLayer"
        self.data_json = script_json(data)
        self.default_js = [("leaflet.markercluster", assets.markercluster_js)]
        self.default_css = [(f"markercluster{i}", url) for i, url in enumerate(assets.markercluster_css)]


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


class Legend(MacroElement):
    """A legend box in the map's lower right corner; its HTML is escaped here."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "map-legend");
                div.innerHTML = {{ this.html_json }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, rows: list[tuple[str, str]]):
        super().__init__()
        items = "".join(
            f'<li><span class="swatch" style="background:{escape(colour)}"></span>{escape(label)}</li>'
            for colour, label in rows)
        self.html_json = script_json(f"<strong>{escape(title)}</strong><ul>{items}</ul>")


def facility_columns(facilities: list[dict], labels: MapLabels, link_prefix: str,
                     name_of, format_value) -> dict:
    """Column arrays for the facility layer: compact, and only data (no markup)."""
    data = {
        "id": [f["facility_id"] for f in facilities],
        "lat": [round(f["lat"], 6) for f in facilities],
        "lon": [round(f["lon"], 6) for f in facilities],
        "type": [f["facility_type"] for f in facilities],
        "funded": [1 if f.get("lines_in_year", 1) else 0 for f in facilities],
        "name": [name_of(f) for f in facilities],
        "fields": [{"key": k, "label": v, "money": k in labels.money_fields}
                   for k, v in labels.popup_fields.items()],
        "values": {k: [format_value(k, f) for f in facilities] for k in labels.popup_fields},
        "colours": TYPE_COLOURS,
        "link_prefix": link_prefix,
        "link_label": labels.popup_link,
        "no_lines_label": labels.no_lines,
    }
    return data


def build_map(districts_geojson: dict, values: dict[str, int], value_labels: dict[str, str],
              bins: list[Bin], bin_labels: list[str], facility_data: dict, labels: MapLabels,
              assets: Assets, tiles_url: str = "", tiles_attribution: str = OSM_ATTRIBUTION,
              bounds: list[list[float]] | None = None) -> folium.Map:
    """The map: districts coloured by ``values`` (KATO -> tiyn), facilities clustered on top.

    ``districts_geojson`` is a FeatureCollection whose features carry ``kato`` and ``name``.
    """
    # folium passes max_zoom only to a tile layer; without tiles the map itself needs maxZoom
    # or the marker cluster throws and draws nothing.
    fmap = folium.Map(location=REGION_CENTRE, zoom_start=7, tiles=None, control_scale=True,
                      **{"maxZoom": MAX_ZOOM, "minZoom": 5, "zoomSnap": 0.5})
    fmap.default_js = [("leaflet", assets.leaflet_js)]
    fmap.default_css = [("leaflet_css", assets.leaflet_css)]
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr=tiles_attribution, name="basemap",
                         max_zoom=MAX_ZOOM).add_to(fmap)

    features = []
    for feature in districts_geojson["features"]:
        kato = feature["properties"]["kato"]
        props = {"kato": kato, "fill": colour_for(values.get(kato, 0), bins),
                 "label": f"{escape(feature['properties']['name'])}: {escape(value_labels.get(kato, labels.no_data))}"}
        features.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="districts",
        style_function=lambda feature: {"fillColor": feature["properties"]["fill"], "color": "#555555",
                                        "weight": 1, "fillOpacity": 0.6},
        highlight_function=lambda feature: {"weight": 3, "color": "#222222"},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    fmap.add_child(FacilityLayer(facility_data, assets))
    rows = [(b.colour, label) for b, label in zip(bins, bin_labels)]
    rows.append(("#d9d9d9", labels.no_data))
    fmap.add_child(Legend(labels.legend_title, rows))
    fmap.add_child(Attribution(OSM_ATTRIBUTION))
    if bounds:
        fmap.add_child(InitialView(bounds))
    return fmap


def map_parts(fmap: folium.Map) -> dict[str, str]:
    """The map as three HTML fragments to place in a page: head links, the div, the script."""
    root = fmap.get_root()
    root.render()
    return {"header": root.header.render(), "html": root.html.render(),
            "script": root.script.render()}
