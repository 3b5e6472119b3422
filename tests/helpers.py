"""Helpers the tests share: tiny budget tables, real points of the region, forms posted as a browser does.

Plain functions and constants, imported by tests as ``from tests.helpers import ...``;
the fixtures that use them live in ``tests/conftest.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Real settlements of the region: (lat, lon), each inside the named district.
TURKESTAN_CITY = (43.297, 68.2518)
SARYAGASH = (41.655447, 69.15946)
ARYS_BAIDIBEK_OVERLAP = (42.8181, 69.189134)

HEADER = ("facility_id;facility_name_kk;facility_name_ru;facility_type;lat;lon;fiscal_year;"
          "work_type;amount_allocated;amount_paid")


def budget_csv(*rows: str, header: str = HEADER) -> bytes:
    """A semicolon CSV as Russian-locale Excel saves it (UTF-8 with BOM)."""
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


GOOD_ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;60 000 000",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;current_repair;5 000 000;5 000 000",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;",
)


ACCOUNT_PASSWORD = "a long enough password"
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form in a page (tests post forms as a browser would)."""
    match = CSRF_INPUT.search(html)
    assert match, "the page has no form with a csrf_token"
    return match.group(1)


def csrf_token(client, path: str = "/login") -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_token_in(response.get_data(as_text=True))


def login(client, login: str, password: str = ACCOUNT_PASSWORD, next: str | None = None):
    """Fetch the login form and post it with its token, as a browser does; returns the response."""
    path = "/login" if next is None else f"/login?next={next}"
    return client.post(path, data={"csrf_token": csrf_token(client, path), "login": login,
                                   "password": password})


def static_href(client, filename: str) -> str:
    """The URL pages link for ``static/<filename>``: its content-hashed name (core.web.static_files)."""
    from flask import url_for

    with client.application.test_request_context():
        return url_for("static", filename=filename)
