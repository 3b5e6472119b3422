"""Static files served by WhiteNoise in front of Flask, linked under their content-hashed names.

``init_app`` puts WhiteNoise around ``app.wsgi_app`` (call it last: static requests then meet
no other middleware) on the folder ``core.static_files.build`` wrote, and makes
``url_for("static", filename=...)`` (so every template and ``static_url``) give the hashed
name. A hashed name is answered with ``Cache-Control: public, max-age=31536000, immutable``:
a browser that has it never asks again, and a changed file has another name. The plain names
are served too (``max-age=60``), for anything that links them as they are. WhiteNoise answers
with the brotli or gzip copy the client accepts, an ETag and Last-Modified (304 on a match).
Every static answer says ``X-Content-Type-Options: nosniff``.

``STATIC_AUTOREFRESH`` (default: on under ``flask run --debug``, off otherwise) is for editing
the files: then the files are served straight from ``static/`` as they are now, under their
plain names, uncompressed, with ``max-age=0`` (the browser revalidates each time, a 304 while
unchanged). Without a build (``make install`` not run), the same, with a warning.
"""

from __future__ import annotations

from flask import Flask
from whitenoise import WhiteNoise

from core.static_files import BUILD_DIR, MANIFEST, SOURCE_DIR, BuildMissing, read_manifest

IMMUTABLE = "public, max-age=31536000, immutable"
PLAIN_MAX_AGE = 60


def init_app(app: Flask) -> None:
    autorefresh = app.config.get("STATIC_AUTOREFRESH")
    if autorefresh is None:
        autorefresh = app.debug
    prefix = app.static_url_path or "/static"
    hashed: dict[str, str] = {}
    if not autorefresh:
        try:
            hashed = read_manifest(MANIFEST)
        except BuildMissing as exc:
            app.logger.warning("%s Serving static/ as it is, unhashed and uncompressed.", exc)
            autorefresh = True
    app.extensions["static_hashed"] = hashed
    immutable_urls = {f"{prefix}/{name}" for name in hashed.values()}

    def add_headers(headers, path: str, url: str) -> None:
        headers["X-Content-Type-Options"] = "nosniff"
        if url in immutable_urls:
            headers["Cache-Control"] = IMMUTABLE

    if autorefresh:
        app.wsgi_app = WhiteNoise(app.wsgi_app, autorefresh=True, max_age=0, allow_all_origins=False,
                                  add_headers_function=add_headers)
        app.wsgi_app.add_files(str(SOURCE_DIR), prefix=prefix)
    else:
        app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(BUILD_DIR), prefix=prefix, max_age=PLAIN_MAX_AGE,
                                  allow_all_origins=False,
                                  add_headers_function=add_headers)

    @app.url_defaults
    def hashed_static_name(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in hashed:
            values["filename"] = hashed[values["filename"]]
