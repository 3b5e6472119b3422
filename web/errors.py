"""Error handlers: a translated title and message per kind of error, as a page or as JSON."""

from __future__ import annotations

from flask import Flask, make_response, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.web.errors import API_PREFIX, error_code, error_page, json_error

# error (status code or exception class) -> (status, title, message)
ERROR_PAGES = {
    403: (403, _l("Access denied"), _l("Your account does not have the role this page needs.")),
    404: (404, _l("Page not found"), _l("There is no such page or facility.")),
    405: (405, _l("This address does not work that way"),
          _l("This address does not take that kind of request. Open it from a link or a button on the site.")),
    429: (429, _l("Too many attempts"),
          _l("Too many attempts from your address in a short time. Wait a minute and try again.")),
    500: (500, _l("Something went wrong"), _l("The error has been logged. Please try again later.")),
    CSRFError: (400, _l("The form has expired"),
                _l("The form was open too long or did not come from this site. "
                   "Go back, reload the page and send it again.")),
}

API_READ_ONLY = _l("The API is read-only: it answers GET, HEAD and OPTIONS requests only.")


def init_app(app: Flask) -> None:
    for error, (status, title, message) in ERROR_PAGES.items():
        app.register_error_handler(error, _page_for(status, title, message))
    app.register_error_handler(HTTPException, api_error)


def _page_for(status: int, title, message):
    def handle(error):
        # A view may prepare its own answer (the feedback form keeps the resident's text on 429).
        prepared = getattr(error, "response", None)
        if prepared is not None:
            return prepared
        if status == 405 and request.path.startswith(API_PREFIX):
            answer = make_response(json_error(405, error_code(405), API_READ_ONLY))
        else:
            answer = make_response(error_page(status, title, message))
        if isinstance(error, HTTPException):  # what the error says besides its body: a 405's Allow
            for name, value in error.get_headers():
                if name.lower() != "content-type":
                    answer.headers[name] = value
        return answer
    return handle


def api_error(error: HTTPException):
    """Any other HTTP error (413, 406...) as JSON under /api/; elsewhere werkzeug's own answer."""
    if not request.path.startswith(API_PREFIX) or error.code is None:
        return error
    return json_error(error.code, error_code(error.code), error.description)
