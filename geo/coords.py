"""The one place that converts between (lat, lon) and shapely's (x=lon, y=lat).

Budget files and Leaflet speak (lat, lon); shapely and GeoJSON speak (x=lon, y=lat). Every
other module goes through these helpers so the order is decided once.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely import orient_polygons
from shapely.geometry import mapping

WGS84 = "EPSG:4326"


def points_from_latlon(lat, lon, index=None) -> gpd.GeoSeries:
    """Points in EPSG:4326 from latitude and longitude sequences."""
    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=index, crs=WGS84)


def leaflet_bounds(geometry) -> list[list[float]]:
    """[[south, west], [north, east]] of a geometry, for Leaflet's fitBounds."""
    minx, miny, maxx, maxy = geometry.bounds
    return [[miny, minx], [maxy, maxx]]


def geojson_point(lat: float, lon: float) -> dict:
    """A GeoJSON Point (RFC 7946): coordinates are [longitude, latitude], in EPSG:4326."""
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def geojson_geometry(geometry) -> dict:
    """A shapely geometry in EPSG:4326 as RFC 7946 GeoJSON: x = longitude first, and polygon rings
    wound as the RFC asks (exterior counter-clockwise, holes clockwise)."""
    return mapping(orient_polygons(geometry))
