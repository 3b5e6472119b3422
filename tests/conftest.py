"""Shared fixtures: the real bundled geography, an app on a temporary database, tiny tables.

Tests build their data in code (small CSV texts); none uses the development database or the
network.
"""

from __future__ import annotations

import re

import pytest

from app import create_app
from geo.boundaries import load_geography
from web import database

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


@pytest.fixture(scope="session")
def geography():
    return load_geography()


@pytest.fixture()
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": ""})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def engine(app):
    return app.extensions["engine"]


@pytest.fixture()
def publish_csv(app, geography):
    """Publish CSV bytes through the same function the CLI and uploads use."""
    from data.uploads import import_budget_file

    def publish(content: bytes, actor: str = "test", kind: str = "import"):
        result = import_budget_file(database_engine(app), content, "test.csv", geography.districts,
                                    actor=actor, kind=kind)
        assert result.ok, [p.message() for p in result.validated.errors]
        return result.version_id

    return publish


def database_engine(app):
    with app.app_context():
        return database.engine()


# ---------------------------------------------------------------- accounts

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


@pytest.fixture()
def make_user(engine):
    """Create an account through data.accounts: ``make_user("aigul", "editor")``."""
    from data import accounts

    def make(login: str, *roles: str, password: str = ACCOUNT_PASSWORD, active: bool = True,
             display_name: str | None = None):
        with engine.begin() as connection:
            user = accounts.create_user(connection, login, password, roles=roles, actor="test",
                                        display_name=display_name or login.title())
            if not active:
                user = accounts.set_active(connection, user.id, False, actor="test")
        return user

    return make
