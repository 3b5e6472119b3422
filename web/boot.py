"""Start-up checks and the data loaded once per process."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from shapely.geometry import mapping
from sqlalchemy.exc import SQLAlchemyError

from core.db import schema_state
from core.web.cli import schema_problem
from core.web.errors import error_page
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


SCHEMA_TITLE = _l("The database is not ready")
SCHEMA_MESSAGES = {
    "missing": _l("The database has not been set up yet. The administrator needs to run "
                  "`flask db upgrade`; the site works again right after."),
    "behind": _l("The database is older than this version of the site. The administrator needs "
                 "to run `flask db upgrade`; the site works again right after."),
    "error": _l("The database cannot be opened. The error has been logged; please try again later."),
}


def require_current_schema(app: Flask) -> None:
    """Answer every page 503 with what to run while the schema is missing or behind.

    Asked on the first request rather than at start-up (``flask db upgrade`` runs in an app
    that exists already); once the schema is current (or newer, which is only logged), never
    again, so a request costs one look at a flag. Until then each request asks again, and the
    site comes back as soon as the upgrade is done.
    """
    @app.before_request
    def check_schema():
        if app.extensions.get("schema_checked"):
            return None
        g.published_version = None  # the pages' frame must not ask a database without tables
        if request.endpoint == "static":  # the error page's own style sheet
            return None
        engine = app.extensions["engine"]
        try:
            state = schema_state(engine)
        except SQLAlchemyError:
            app.logger.exception("Cannot read the database's schema revision")
            state = "error"
        if state in ("current", "ahead"):
            if state == "ahead":
                app.logger.warning("%s", schema_problem(state, engine.url.render_as_string(hide_password=True)))
            app.extensions["schema_checked"] = True
            g.pop("published_version")
            return None
        app.logger.error("%s", schema_problem(state, engine.url.render_as_string(hide_password=True)) or state)
        return error_page(503, SCHEMA_TITLE, SCHEMA_MESSAGES[state])
