"""Shared fixtures: the real bundled geography, an app on a temporary database, tiny tables.

Tests build their data in code (small CSV texts); none uses the development database or the
network.
"""

from __future__ import annotations

import pytest

from app import create_app
from core.web import database
from geo.boundaries import BOUNDARIES_DIR
from tests.helpers import ACCOUNT_PASSWORD
from web.boot import geography_of


@pytest.fixture(scope="session")
def geography():
    """The bundled geography, the very one every test app uses (read once per process)."""
    return geography_of(BOUNDARIES_DIR)[0]


@pytest.fixture()
def app(tmp_path):
    # Background jobs run at once inside the request (tests/budget/*jobs* run a real worker).
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": "", "JOBS_IMMEDIATE": True})
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
    from budget.publish import import_budget_file

    def publish(content: bytes, actor: str = "test", kind: str = "import"):
        result = import_budget_file(database_engine(app), content, "test.csv", geography.districts,
                                    actor=actor, kind=kind)
        assert result.ok, [p.message() for p in result.validated.errors]
        return result.version_id

    return publish


# ---------------------------------------------------------------- accounts

@pytest.fixture()
def make_user(engine):
    """Create an account through accounts.users: ``make_user("aigul", "editor")``."""
    from accounts import users as accounts

    def make(login: str, *roles: str, password: str = ACCOUNT_PASSWORD, active: bool = True,
             display_name: str | None = None):
        with engine.begin() as connection:
            user = accounts.create_user(connection, login, password, roles=roles, actor="test",
                                        display_name=display_name or login.title())
            if not active:
                user = accounts.set_active(connection, user.id, False, actor="test")
        return user

    return make


def database_engine(app):
    with app.app_context():
        return database.engine()
