"""Start-up checks and the data loaded once per process."""

from __future__ import annotations

from flask import Flask
from shapely.geometry import mapping

from geo.boundaries import BoundaryError, load_geography


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
