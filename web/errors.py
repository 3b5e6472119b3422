"""Error pages: one template, a translated title and message per kind of error."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from web.responses import json_error

API_PREFIX = "/api/"  # errors under it are JSON, never pages

# error (status code or exception class) -> (status, title, message)
ERROR_PAGES = {
    403: (403, _l("Access denied"), _l("Your account does not have the role this page needs.")),
    404: (404, _l("Page not found"), _l("There is no such page or facility.")),
    429: (429, _l("Too many attempts"),
          _l("Too many attempts from your address in a short time. Wait a minute and try again.")),
    500: (500, _l("Something went wrong"), _l("The error has been logged. Please try again later.")),
    CSRFError: (400, _l("The form has expired"),
                _l("The form was open too long or did not come from this site. "
                   "Go back, reload the page and send it again.")),
}


def error_page(status: int, title, message, **extra):
    """The error page in the chosen language (``extra``: e.g. a back link); JSON for the API."""
    if request.path.startswith(API_PREFIX):
        return json_error(status, _error_code(status), message)
    return render_template("errors/error.html", title=title, message=message, **extra), status


def init_app(app: Flask) -> None:
    for error, (status, title, message) in ERROR_PAGES.items():
        app.register_error_handler(error, _page_for(status, title, message))
    app.register_error_handler(HTTPException, api_error)


def _page_for(status: int, title, message):
    def handle(error):
        # A view may prepare its own answer (the feedback form keeps the resident's text on 429).
        prepared = getattr(error, "response", None)
        return prepared if prepared is not None else error_page(status, title, message)
    return handle


def _error_code(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")


def api_error(error: HTTPException):
    """Any other HTTP error (405...) as JSON under /api/; elsewhere werkzeug's own answer."""
    if not request.path.startswith(API_PREFIX) or error.code is None:
        return error
    return json_error(error.code, _error_code(error.code), error.description)
