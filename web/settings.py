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
    Setting("TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "URL template of "
            "the basemap tiles (OpenStreetMap's by default; mind its tile usage policy under "
            "heavy use). Empty draws the map without a basemap, so pages make no request "
            "outside the app; unreachable tiles leave the same plain background."),
    Setting("TILES_ATTRIBUTION", "© OpenStreetMap contributors", "Attribution of the tiles."),
    Setting("MAX_CONTENT_LENGTH", 50 * 1024 * 1024, "Largest request body in bytes (uploads)."),
    Setting("COMPRESS_ALGORITHM", "gzip", "How pages, JSON and static files are compressed "
            "(Flask-Compress); the map's facility data is always served gzip-compressed."),
    Setting("COMPRESS_STREAMS", False, "Also compress streamed responses such as static files. "
            "Off: Flask-Compress leaves the file open when it does; behind a reverse proxy let "
            "the proxy compress static files."),
    Setting("SESSION_COOKIE_SECURE", False, "Send the session cookie (which carries the login) "
            "over HTTPS only. Off by default because `make run` serves plain http; set it to "
            "true in production behind HTTPS."),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "SameSite attribute of the session cookie."),
    Setting("LOGIN_MAX_FAILED_ATTEMPTS", 5, "Wrong passwords in a row after which an account "
            "is locked."),
    Setting("LOGIN_LOCKOUT_MINUTES", 15, "How long a locked account refuses every login, even "
            "with the right password."),
    Setting("LOGIN_RATE_LIMIT", "10 per minute", "Login attempts (form submissions) allowed per "
            "client IP address, in Flask-Limiter's notation, e.g. '10 per minute; 50 per hour'."),
    Setting("RATELIMIT_ENABLED", True, "Turn the login rate limit on or off."),
    Setting("RATELIMIT_STORAGE_URI", "memory://", "Where the rate limit counts live. "
            "memory:// is per process; with several workers use a shared store such as "
            "redis://localhost:6379."),
    Setting("TRUSTED_PROXY_COUNT", 0, "Number of reverse proxies in front of the app whose "
            "X-Forwarded-For and X-Forwarded-Proto headers are trusted. Set 1 behind one nginx, "
            "or every client shares the proxy's address for the rate limit and the audit log."),
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
    # The login lives in the session cookie: script-proof always, and Flask-Login's remember
    # cookie (not offered, but set if ever used) follows the session cookie's rules.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", app.config["SESSION_COOKIE_SAMESITE"])
    if isinstance(app.config["LANGUAGES"], str):  # from the environment: "kk,ru,en"
        app.config["LANGUAGES"] = tuple(x.strip() for x in app.config["LANGUAGES"].split(",") if x.strip())
