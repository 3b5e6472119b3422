"""A small folium map of one facility: its district's outline and one circle in its type's colour.

Like the district map it works offline: Leaflet comes from the URLs given (served by the app),
there is no basemap unless a tile URL is given, and the facility's name reaches the browser only
as JSON written into the tooltip with ``textContent``, never as HTML.
"""

from __future__ import annotations

import folium
from branca.element import MacroElement
from folium.template import Template

from map_builder.district_map import (
    OSM_ATTRIBUTION,
    TYPE_COLOURS,
    Assets,
    Attribution,
    base_map,
    fixed_ids,
    script_json,
)

DEFAULT_COLOUR = "#333333"
ZOOM_WITH_TILES = 15  # streets are readable
ZOOM_WITHOUT_TILES = 10  # no streets to see: show where in the district it is


class FacilityPoint(MacroElement):
    """One circle marker with a plain-text tooltip; exposed as ``window.facilityPoint``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var point = {{ this.data_json }};
            var marker = L.circleMarker([point.lat, point.lon], {radius: 9, weight: 2, color: "#ffffff",
                                                                 fillColor: point.colour, fillOpacity: 0.95});
            var label = document.createElement("span");
            label.textContent = point.name;
            marker.bindTooltip(label);
            marker.addTo({{ this._parent.get_name() }});
            window.facilityPoint = marker;  // for tests
        })();
        {% endmacro %}
    """)

    def __init__(self, lat: float, lon: float, colour: str, name: str):
        super().__init__()
        self._name = "FacilityPoint"
        self.data_json = script_json({"lat": lat, "lon": lon, "colour": colour, "name": name})


class Outline(MacroElement):
    """A GeoJSON geometry drawn as a thin outline that does not catch clicks."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.geoJSON({{ this.geometry_json }}, {interactive: false,
            style: {color: "#555555", weight: 2, fillColor: "#d9d9d9", fillOpacity: 0.25}})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, geometry: dict):
        super().__init__()
        self._name = "Outline"
        self.geometry_json = script_json(geometry)


def build_point_map(lat: float, lon: float, facility_type: str, name: str, assets: Assets, *,
                    outline: dict | None = None, tiles_url: str = "",
                    tiles_attribution: str = OSM_ATTRIBUTION, zoom: int | None = None,
                    map_id: str | None = None) -> folium.Map:
    """A map centred on (``lat``, ``lon``) with the facility's circle, over ``outline`` if given.

    ``outline`` is a GeoJSON geometry (the facility's district, from OpenStreetMap data).
    ``map_id`` fixes the map's element id (``map_<map_id>``; folium makes a random one otherwise), so
    a page can hold the map's div while its script is served apart and loaded later.
    """
    if zoom is None:
        zoom = ZOOM_WITH_TILES if tiles_url else ZOOM_WITHOUT_TILES
    fmap = base_map(assets, tiles_url, tiles_attribution, zoom_start=zoom, location=(lat, lon),
                    scrollWheelZoom=False)
    if outline:
        fmap.add_child(Outline(outline))
        fmap.add_child(Attribution(OSM_ATTRIBUTION))
    fmap.add_child(FacilityPoint(lat, lon, TYPE_COLOURS.get(facility_type, DEFAULT_COLOUR), name))
    fixed_ids(fmap)  # the same script from every worker (one ETag)
    if map_id is not None:
        fmap._id = map_id
    return fmap
