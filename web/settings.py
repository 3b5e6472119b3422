"""Every setting with its name, default and help text, and how the app reads them.

Sources, later wins: the defaults below, ``instance/config.py``, environment variables with the
``FLASK_`` prefix (``FLASK_DATABASE_URL=...``), then the ``test_config`` given to create_app.
``docs/configuration.md`` documents each one; a test fails when one is missing there.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from accounts import settings as account_settings
from budget import settings as budget_settings
from core import jobs as queue_settings
from core.settings import Setting
from feedback import settings as feedback_settings
from risk import settings as risk_settings
from web import security

PROJECT_DIR = Path(__file__).resolve().parent.parent


CORE_SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", None, "Signs the session cookie and CSRF tokens. Without one, a random "
            "key is made once and kept in instance/secret_key, shared by every worker and restart."),
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
    Setting("SHARED_RESPONSES", True, "Replay the map's facility data, identical for everybody of "
            "one data version and filter (and language, where the answer says Vary: Accept-Language), "
            "in front of Flask (core.web.shared_responses). "
            "Off: every request goes through the view (and its own caches)."),
    Setting("SHARED_PAGES_SIZE", 1024, "Facility and district pages kept rendered per server "
            "process, for visitors who are not signed in (core.web.shared_pages): about 20-40 KB "
            "each. 0 renders every request afresh."),
    Setting("COMPRESS_ALGORITHM", ("br", "gzip"), "How pages and JSON answers are compressed "
            "(Flask-Compress), in order of preference: brotli for browsers that accept it, gzip for "
            "the others, so plain gunicorn needs no proxy for it. From the environment: \"br,gzip\". "
            "Static files come precompressed (brotli and gzip) from `make install`; the map's facility "
            "data is stored gzip-compressed and always served so."),
    Setting("COMPRESS_STREAMS", False, "Also compress streamed responses. Off: Flask-Compress "
            "leaves the file open when it does; static files do not pass through Flask "
            "(WhiteNoise serves them precompressed)."),
    Setting("STATIC_AUTOREFRESH", None, "Serve static/ as the files are now, under their plain "
            "names, uncompressed and revalidated on every load (max-age=0), for editing CSS and "
            "JavaScript. Default: on under `flask run --debug`, off otherwise; off, the files built by "
            "`make install` (build/static: hashed names cached for a year, brotli and gzip) are served."),
    Setting("SESSION_COOKIE_SECURE", False, "Mark the session cookie (which carries the login) "
            "Secure, for HTTPS only, on every answer. Off, it is still Secure on every HTTPS "
            "request (behind a proxy: with TRUSTED_PROXY_COUNT set, X-Forwarded-Proto tells); "
            "set it to true in production so a plain-http request never receives it either."),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "SameSite attribute of the session cookie."),
    Setting("LOGIN_MAX_FAILED_ATTEMPTS", 5, "Wrong passwords in a row after which an account "
            "is locked."),
    Setting("LOGIN_LOCKOUT_MINUTES", 15, "How long a locked account refuses every login, even "
            "with the right password."),
    Setting("LOGIN_RATE_LIMIT", "10 per minute", "Login attempts (form submissions) allowed per "
            "client IP address, in Flask-Limiter's notation, e.g. '10 per minute; 50 per hour'."),
    Setting("RATELIMIT_ENABLED", True, "Turn the login and feedback rate limits on or off."),
    Setting("RATELIMIT_STORAGE_URI", None, "Where the rate limit counts live (Flask-Limiter). "
            "Default: REDIS_URL when it is set, so every worker and server shares the counts; "
            "otherwise memory://, per process (the feedback limit still holds across processes: "
            "it is also counted in the database)."),
    Setting("TRUSTED_PROXY_COUNT", 0, "Number of reverse proxies in front of the app whose "
            "X-Forwarded-For and X-Forwarded-Proto headers are trusted. Set 1 behind one nginx, "
            "or every client shares the proxy's address for the rate limit and the audit log."),
    Setting("TIME_ZONE", "Asia/Almaty", "Time zone of the region (IANA name): feedback deadlines "
            "and 'today' are counted in its local dates."),
    Setting("IP_HASH_SALT", None, "Secret key of the hash under which residents' IP addresses are "
            "stored (never the address itself). Default: derived from SECRET_KEY. Set a long random "
            "value in production and keep it, or duplicates are no longer recognised."),
    Setting("MAIL_SERVER", "", "SMTP server for e-mails to residents when their feedback changes "
            "status. Empty: no e-mail is sent."),
    Setting("MAIL_PORT", 25, "Port of the SMTP server."),
    Setting("MAIL_USE_TLS", False, "Upgrade the SMTP connection with STARTTLS."),
    Setting("MAIL_USERNAME", "", "SMTP login, if the server needs one."),
    Setting("MAIL_PASSWORD", "", "SMTP password, if the server needs one (keep it out of the "
            "repository: set it in the environment or instance/config.py)."),
    Setting("MAIL_FROM", "Open Budget Map <noreply@localhost>", "Sender of e-mails to residents."),
    Setting("MAIL_TIMEOUT", 10, "Seconds to wait for the SMTP server; a failed e-mail is logged "
            "and never undoes the change it reports."),
)

# Every setting of the app: the wiring's own, then each feature's.
SETTINGS = (CORE_SETTINGS + security.SETTINGS + account_settings.SETTINGS + queue_settings.SETTINGS
            + feedback_settings.SETTINGS + risk_settings.SETTINGS + budget_settings.SETTINGS)
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
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path) / "secret_key")
    # The login lives in the session cookie: script-proof always, and Flask-Login's remember
    # cookie (not offered, but set if ever used) follows the session cookie's rules.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", app.config["SESSION_COOKIE_SAMESITE"])
    if isinstance(app.config["LANGUAGES"], str):  # from the environment: "kk,ru,en"
        app.config["LANGUAGES"] = tuple(x.strip() for x in app.config["LANGUAGES"].split(",") if x.strip())
    account_settings.session_policy(app.config)  # a wrong lifetime stops start-up, not a login
    risk_settings.thresholds(app.config)  # a wrong threshold stops start-up, not a publication
    budget_settings.read_limits(app.config)  # so does a wrong limit on budget files
    if isinstance(app.config["FEEDBACK_HOLIDAYS"], str):  # from the environment: "2026-12-16,..."
        app.config["FEEDBACK_HOLIDAYS"] = tuple(x.strip() for x in app.config["FEEDBACK_HOLIDAYS"].split(",") if x.strip())
    feedback_settings.deadline_policy(app.config)  # a wrong date or time zone stops start-up, not a submission
    feedback_settings.rate_limits(app.config)  # so does a rate limit Flask-Limiter cannot read


def instance_secret(path: Path) -> str:
    """A random key made once and kept in the instance folder (readable by the owner only).

    Every worker of a server and every restart then sign cookies with the same key; a key made
    per process would make each gunicorn worker reject the others' sessions and CSRF tokens.
    """
    if not path.exists():
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        draft.write_text(secrets.token_hex(32), encoding="ascii")
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: of two workers starting together, one key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()
