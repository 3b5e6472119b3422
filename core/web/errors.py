"""The one way an error reaches a person: a page in their language, or JSON under /api/."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.http import HTTP_STATUS_CODES

from core.web.responses import json_error

API_PREFIX = "/api/"  # errors under it are JSON, never pages


def error_page(status: int, title, message, **extra):
    """The error page in the chosen language (``extra``: e.g. a back link); JSON for the API."""
    if request.path.startswith(API_PREFIX):
        return json_error(status, error_code(status), message)
    return render_template("errors/error.html", title=title, message=message, **extra), status


def error_code(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_")
