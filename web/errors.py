"""Error pages: one template, a translated title and message per kind of error."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

# error (status code or exception class) -> (status, title, message)
ERROR_PAGES = {
    403: (403, _l("Access denied"), _l("Your account does not have the role this page needs.")),
    404: (404, _l("Page not found"), _l("There is no such page or facility.")),
    429: (429, _l("Too many attempts"),
          _l("Too many login attempts from your address. Wait a minute and try again.")),
    500: (500, _l("Something went wrong"), _l("The error has been logged. Please try again later.")),
    CSRFError: (400, _l("The form has expired"),
                _l("The form was open too long or did not come from this site. "
                   "Go back, reload the page and send it again.")),
}


def error_page(status: int, title, message, **extra):
    """The error page in the chosen language (``extra``: e.g. a back link)."""
    return render_template("errors/error.html", title=title, message=message, **extra), status


def init_app(app: Flask) -> None:
    for error, (status, title, message) in ERROR_PAGES.items():
        app.register_error_handler(
            error, lambda _error, status=status, title=title, message=message: error_page(status, title, message))
