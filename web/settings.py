"""Every setting with its name, default and help text, and how the app reads them.

Sources, later wins: the defaults below, ``instance/config.py``, environment variables with the
``FLASK_`` prefix (``FLASK_DATABASE_URL=...``), then the ``test_config`` given to create_app.
``docs/configuration.md`` documents each one; a test fails when one is missing there.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", None, "Signs the session cookie. Set a long random value in "
            "production; without one a random key is made at each start (sessions then end "
            "on restart)."),
    Setting("DATABASE_URL", None, "SQLAlchemy URL of the database. Default: the SQLite file "
            "instance/openbudget.sqlite3."),
    Setting("BOUNDARIES_DIR", str(PROJECT_DIR / "data" / "boundaries"), "Folder with the "
            "district boundaries, the oblast outline and the population table."),
    Setting("DEMO_DATA_FILE", str(PROJECT_DIR / "data" / "demo" / "budget_demo.csv"),
            "The demo budget table that `flask demo load` publishes into an empty database."),
    Setting("LANGUAGES", ("kk", "ru", "en"), "Languages offered in the language switch."),
    Setting("BABEL_DEFAULT_LOCALE", "kk", "Language when the browser asks for none we offer."),
    Setting("TILES_URL", "", "URL template of basemap tiles, e.g. "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png. Empty (the default) draws the map "
            "without a basemap, so pages make no request outside the app."),
    Setting("TILES_ATTRIBUTION", "© OpenStreetMap contributors", "Attribution of the tiles."),
    Setting("MAX_CONTENT_LENGTH", 50 * 1024 * 1024, "Largest request body in bytes (uploads)."),
)
DEFAULTS = {s.name: s.default for s in SETTINGS}


def configure(app: Flask, test_config: dict | None = None) -> None:
    """Load settings in order and fill in the ones derived from the instance folder."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'openbudget.sqlite3'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if isinstance(app.config["LANGUAGES"], str):  # from the environment: "kk,ru,en"
        app.config["LANGUAGES"] = tuple(x.strip() for x in app.config["LANGUAGES"].split(",") if x.strip())
