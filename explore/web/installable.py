"""The installable, offline-capable app: the web app manifest per language and the service worker.

- ``/manifest.webmanifest?lang=kk``: names and description in the page's language (the page
  links it with its language: a browser fetches the manifest without cookies), the icons drawn
  by ``scripts/make_icons.py`` from the favicon.
- ``/sw.js``: ``static/sw.js`` served from the site root, so its scope is the whole site. It is
  never kept long in a cache (a new version must reach phones), and it is told the URL of the
  offline feedback queue it shares with the pages (``static/js/feedback_queue.js``), whatever
  name the static files get. What it keeps offline and how: see ``static/sw.js``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from core.web.i18n import language

bp = Blueprint("installable", __name__)

THEME_COLOUR = "#0b3d6e"  # the site header's blue
BACKGROUND_COLOUR = "#fafafa"  # the page background
ICONS = (  # file in static/icons, size in pixels, purpose
    ("icons/icon-192.png", 192, "any"),
    ("icons/icon-512.png", 512, "any"),
    ("icons/maskable-512.png", 512, "maskable"),
)
WORKER_FILE = "sw.js"


def manifest_for(lang: str) -> dict:
    """The manifest's members in ``lang``."""
    with force_locale(lang):
        names = {"name": _("Open Budget Map · Turkestan region"), "short_name": _("Budget Map"),
                 "description": _("Where the budget money of schools, clinics and other facilities of the "
                                  "Turkestan region goes, and residents' feedback on the work.")}
    return {
        "id": "/", "lang": lang, "dir": "ltr", **names,
        "start_url": "/", "scope": "/", "display": "standalone", "orientation": "any",
        "theme_color": THEME_COLOUR, "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": url_for("static", filename=path), "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": purpose} for path, size, purpose in ICONS],
    }


WORKER_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self'"


@bp.get("/manifest.webmanifest")
def manifest():
    requested = request.args.get("lang")
    lang = requested if requested in current_app.config["LANGUAGES"] else language()
    response = Response(json.dumps(manifest_for(lang), ensure_ascii=False, indent=1),
                        mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def worker_source() -> str:
    """``static/sw.js`` after a first line with the URLs it needs (queue script, icons)."""
    shell = {"queue": url_for("static", filename="js/feedback_queue.js")}
    text = (Path(current_app.static_folder) / WORKER_FILE).read_text(encoding="utf-8")
    return f"const SHELL = {json.dumps(shell)};\n{text}"


@bp.get("/sw.js")
def service_worker():
    response = Response(worker_source(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # always revalidated: a new worker reaches phones at once
    response.headers["Service-Worker-Allowed"] = "/"
    # The worker's own policy (an answer's CSP governs a worker): it loads the queue script and
    # fetches this site's pages, files and data, nothing else (it leaves other origins alone).
    response.headers["Content-Security-Policy"] = WORKER_POLICY
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response.make_conditional(request)
