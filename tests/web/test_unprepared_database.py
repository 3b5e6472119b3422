"""Pages on a database that was never migrated, or is behind, answer 503 with what to run,
and work as soon as ``flask db upgrade`` has run, without a restart."""

import pytest

from app import create_app
from core.db import upgrade

PAGES = ["/", "/facilities", "/dashboard", "/login", "/admin/"]


@pytest.fixture()
def bare_app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": "", "BABEL_DEFAULT_LOCALE": "en"})
    yield app
    app.extensions["engine"].dispose()


@pytest.mark.parametrize("path", PAGES)
def test_pages_of_an_unmigrated_database_answer_503_with_what_to_run(bare_app, path):
    response = bare_app.test_client().get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert "The database is not ready" in page and "has not been set up yet" in page
    assert "`flask db upgrade`" in page and "Traceback" not in page


def test_the_api_answers_json(bare_app):
    response = bare_app.test_client().get("/api/v1/facilities")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["error"] == "service_unavailable" and body["status"] == 503
    assert "`flask db upgrade`" in body["detail"]


def test_a_form_post_gets_the_same_answer_not_a_csrf_error(bare_app):
    assert bare_app.test_client().post("/login", data={"login": "aigul"}).status_code == 503


def test_the_style_sheet_of_the_error_page_is_still_served(bare_app):
    client = bare_app.test_client()
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200 and response.mimetype == "text/css"
    assert client.get("/static/none.css").status_code == 404


def test_a_database_behind_says_so_then_the_site_works_after_the_upgrade(bare_app):
    client = bare_app.test_client()
    engine = bare_app.extensions["engine"]
    upgrade(engine, "0006")
    response = client.get("/")
    assert response.status_code == 503 and "older than this version" in response.get_data(as_text=True)
    assert bare_app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    assert [client.get(path).status_code for path in ("/", "/facilities", "/dashboard")] == [200, 200, 200]
    assert client.get("/api/v1/facilities").status_code == 200


def test_once_current_the_schema_is_not_asked_again(bare_app, monkeypatch):
    client = bare_app.test_client()
    assert bare_app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    assert client.get("/").status_code == 200
    asked = []
    monkeypatch.setattr("web.boot.schema_state", lambda engine: asked.append(engine) or "missing")
    assert [client.get(path).status_code for path in ("/", "/facilities")] == [200, 200]
    assert asked == []
