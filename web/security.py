"""Security headers on every answer the app makes: the Content-Security-Policy and its friends.

HTML pages get a strict policy: scripts, styles, fonts, fetches, workers and the manifest from
the app itself; images also as ``data:`` and from the basemap's tile server when ``TILES_URL``
names one; no plugins, no ``<base href>`` elsewhere, forms posting only here, and no framing
(``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), except the embed page, which the
sites in ``EMBED_ALLOWED_ORIGINS`` may frame. Code lives in static files; the one inline script
(the map page's, made by folium) runs because the page wrote it with ``{{ hashed_script(code) }}``,
which puts the script's SHA-256 in the policy. No nonce: a hash keeps the page's body the same
from one request to the next, so its ETag and 304 answers, and pages rendered once for everybody
(``core.web.shared_pages``), keep working. Other answers (JSON, CSV, images, the API) get
``default-src 'none'; frame-ancestors 'none'``. Every answer: ``nosniff``, a Referrer-Policy
and a Permissions-Policy (geolocation for this site only); HSTS only over HTTPS. A header a view
set itself is kept (the feedback status page's ``no-referrer``, a photo's own policy).

Written out here rather than through Flask-Talisman: Talisman overwrites headers views set, has
no per-response hashes and changes the session cookie's settings. Static files served in front
of Flask (WhiteNoise) do not pass here; they are scripts, styles and images, not pages.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from markupsafe import Markup

from core.settings import Setting

SETTINGS: tuple[Setting, ...] = (
    Setting("EMBED_ALLOWED_ORIGINS", "*", "Sites that may show the embed page (/embed, the map "
            "without the site's header) in an iframe: origins separated by spaces or commas, such "
            "as 'https://turkestan.gov.kz https://*.gov.kz'; '*' any site; 'none' no site. Every "
            "other page, the workspace included, may never be framed."),
)

EMBED_ENDPOINTS = frozenset({"public.embed"})
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the domain are not ours
PERMISSIONS_POLICY = ", ".join([
    "geolocation=(self)", "camera=()", "microphone=()", "payment=()", "usb=()", "serial=()",
    "hid=()", "midi=()", "accelerometer=()", "gyroscope=()", "magnetometer=()",
    "display-capture=()", "browsing-topics=()",
])
NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'"
# One origin of a CSP source list: scheme://host[:port], host possibly starting with "*."
_ORIGIN = re.compile(r"(https?://)?(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]{1,5}|:\*)?|\*")


def tile_origin(tiles_url: str) -> str:
    """The CSP source of the tile server in ``TILES_URL``: '' for none or the app itself.

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` gives ``https://*.tile.example.org``.
    """
    if not tiles_url or "//" not in tiles_url:  # empty, or a path on this site ('self')
        return ""
    parts = urlsplit(tiles_url if "://" in tiles_url else "https:" + tiles_url)
    host = parts.netloc.rpartition("@")[2].lower()
    labels = host.split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    origin = f"{parts.scheme}://{'.'.join(labels)}"
    if parts.scheme not in ("http", "https") or not _ORIGIN.fullmatch(origin):
        raise ValueError(f"TILES_URL {tiles_url!r}: a placeholder may stand only for the first "
                         "label of the host (https://{s}.tile.example.org/...)")
    return origin


def embed_ancestors(setting: str) -> str:
    """``EMBED_ALLOWED_ORIGINS`` as the frame-ancestors source list."""
    items = [item for item in re.split(r"[\s,]+", str(setting).strip()) if item]
    if not items or items == ["none"] or items == ["'none'"]:
        return "'none'"
    for item in items:
        if not _ORIGIN.fullmatch(item.lower()) and item != "'self'":
            raise ValueError(f"EMBED_ALLOWED_ORIGINS: {item!r} is not an origin "
                             "(https://example.kz, https://*.example.kz or *)")
    return " ".join(items)


def script_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


def hashed_script(code: str) -> Markup:
    """``<script>code</script>`` allowed by its hash. ``code`` is trusted script (the map
    builder's, whose data is JSON made safe inside a script element), never user text."""
    g.setdefault("csp_script_hashes", []).append(script_hash(code))
    return Markup("<script>") + Markup(code) + Markup("</script>")


def page_policy(frame_ancestors: str) -> str:
    scripts = ["'self'", *g.get("csp_script_hashes", [])]
    images = " ".join(filter(None, ["'self'", "data:", current_app.config["CSP_TILE_ORIGIN"]]))
    return "; ".join([
        "default-src 'self'", f"script-src {' '.join(scripts)}", "style-src 'self'",
        f"img-src {images}", "font-src 'self'", "connect-src 'self'", "worker-src 'self'",
        "manifest-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def set_headers(response: Response) -> Response:
    headers = response.headers
    embeddable = request.endpoint in EMBED_ENDPOINTS
    ancestors = current_app.config["CSP_EMBED_ANCESTORS"] if embeddable else "'none'"
    if "Content-Security-Policy" in headers:  # the view's own, stricter policy
        if "frame-ancestors" not in headers["Content-Security-Policy"]:
            headers["Content-Security-Policy"] += f"; frame-ancestors {ancestors}"
    elif response.mimetype == "text/html":
        headers["Content-Security-Policy"] = page_policy(ancestors)
    else:
        headers["Content-Security-Policy"] = NON_HTML_POLICY
    if not embeddable:
        headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.is_secure:  # through the trusted proxies' X-Forwarded-Proto (TRUSTED_PROXY_COUNT)
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Check the settings (a wrong one stops start-up) and add the headers to every answer."""
    app.config["CSP_TILE_ORIGIN"] = tile_origin(app.config["TILES_URL"])
    app.config["CSP_EMBED_ANCESTORS"] = embed_ancestors(app.config["EMBED_ALLOWED_ORIGINS"])
    app.jinja_env.globals.update(hashed_script=hashed_script)
    app.after_request(set_headers)
