"""Start-up checks and the data loaded once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Flask
from shapely.geometry import mapping

from geo.boundaries import BoundaryError, Geography, load_geography
from map_builder.assets import AssetsMissing, vendored_versions


def load_geography_or_stop(app: Flask) -> None:
    """Load the boundaries; a broken file stops start-up with a message naming it."""
    try:
        geography, features = geography_of(app.config["BOUNDARIES_DIR"])
    except BoundaryError as exc:
        app.logger.critical("Cannot start: %s", exc)
        raise
    app.extensions["geography"] = geography
    app.extensions["district_features"] = features


def geography_of(directory: str | Path) -> tuple[Geography, list[dict]]:
    """The geography of ``directory`` and its districts as GeoJSON-like features, read once per
    process while its files are unchanged: every app a process makes (the tests make hundreds)
    shares them, and nothing ever modifies them."""
    path = Path(directory).resolve()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else []
    return _read_geography(str(path), tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in files))


@functools.lru_cache(maxsize=4)
def _read_geography(directory: str, _file_stamps: tuple) -> tuple[Geography, list[dict]]:
    geography = load_geography(directory)
    features = [{"kato": kato, "geometry": mapping(geometry)}
                for kato, geometry in geography.districts_display.geometry.items()]
    return geography, features


def warn_if_assets_missing(app: Flask) -> None:
    """Without the vendored Leaflet files the map is blank: say why at start, not in silence."""
    try:
        app.extensions["vendored_assets"] = vendored_versions()
    except AssetsMissing as exc:
        app.logger.warning("%s", exc)
