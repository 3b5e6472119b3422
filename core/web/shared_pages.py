"""Pages rendered once and shared by every visitor who is not signed in, until what they show changes.

A facility page costs tens of milliseconds of templates (a hundred amounts formatted, the
feedback form, the history of changes) and is the same for every visitor of one data version,
language and address. ``render_shared`` keeps the rendered HTML in a per-process LRU cache
(``core.web.cache``) under the key the view gives (the data version and whatever else the page
shows, such as the last change of its feedback), the language and the full path (the language
switch links back to it).

What must differ per request is put in on every answer: the template is rendered once with a
placeholder for each per-request value it asks for (``csrf_token()``: the feedback form's
token, tied to the visitor's session), and each answer
puts the request's own values in their place (``core.web.compressed_page``: the page is
compressed once, the values go in as they are). A signed-in user's page (their name,
the log-out form) is never kept: it is rendered for them alone. Flashed messages are not shown
on the pages that are shared.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable

from flask import Response, current_app, render_template, request
from markupsafe import Markup

from core.web.cache import app_cache
from core.web.compressed_page import CompressedPage
from core.web.i18n import language

# Template globals whose value belongs to one request.
PER_REQUEST = ("csrf_token",)
# Unguessable, so no text of a page can contain a placeholder by chance (or on purpose).
_MARK = secrets.token_hex(12)


def placeholder(name: str) -> str:
    return f"per-request-{_MARK}-{name}"


def render_shared(template: str, key: tuple[Hashable, ...], context: Callable[[], dict], *,
                  personal: bool) -> Response | str:
    """``template`` rendered with ``context()``, from the cache when the same ``key`` was rendered before.

    ``personal``: the page shows who is signed in, so it is rendered afresh and kept for nobody.
    An exception in ``context()`` (``abort(404)``) propagates and nothing is kept. A kept page
    is kept gzip-compressed (``CompressedPage``) and answered so, without compressing again.
    """
    size = int(current_app.config.get("SHARED_PAGES_SIZE", 1024))
    if personal or size <= 0:
        return render_template(template, **context())
    fills = {name: current_app.jinja_env.globals[name] for name in PER_REQUEST
             if name in current_app.jinja_env.globals}

    def build() -> CompressedPage:
        marks = {name: (lambda mark=placeholder(name): Markup(mark)) for name in fills}
        html = render_template(template, **context(), **marks)
        return CompressedPage.of(html, {name: placeholder(name) for name in fills})

    page = app_cache("shared_pages", size).get_or_build((template, *key, language(), request.full_path), build)
    values = {name: str(fills[name]()) for name in set(page.gaps)}
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(page.gzip(values), mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"  # Flask-Compress leaves it as it is
    else:
        response = Response(page.text(values), mimetype="text/html")
    response.headers["Vary"] = "Accept-Encoding, Accept-Language, Cookie"
    return response
