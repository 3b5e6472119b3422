"""Start-up checks and the data loaded once per process."""

from __future__ import annotations

from flask import Flask
from shapely.geometry import mapping

from geo.boundaries import BoundaryError, load_geography
from map_builder.assets import AssetsMissing, vendored_versions


def load_geography_or_stop(app: Flask) -> None:
    """Load the boundaries; a broken file stops start-up with a message naming it."""
    try:
        geography = load_geography(app.config["BOUNDARIES_DIR"])
    except BoundaryError as exc:
        app.logger.critical("Cannot start: %s", exc)
        raise
    app.extensions["geography"] = geography
    app.extensions["district_features"] = [
        {"kato": kato, "geometry": mapping(geometry)}
        for kato, geometry in geography.districts_display.geometry.items()]


def warn_if_assets_missing(app: Flask) -> None:
    """Without the vendored Leaflet files the map is blank: say why at start, not in silence."""
    try:
        app.extensions["vendored_assets"] = vendored_versions()
    except AssetsMissing as exc:
        app.logger.warning("%s", exc)
