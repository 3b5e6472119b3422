"""Answers the same for everybody until the data changes are replayed in front of Flask
(``core.web.shared_responses``): identical to the view's answer, 304 when the client has it, never
across versions, never with a cookie or an error."""

import gzip
import json

import pytest
from flask import Flask, make_response, request, session

from app import create_app
from core.web.cache import LruCache
from core.web.i18n import choose_language, language_of_environ
from core.web.shared_responses import SharedResponses, share_until_new_version
from explore.web import map_page
from tests.helpers import GOOD_ROWS, budget_csv

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture()
def views_run(monkeypatch):
    """How many times the map data's view really ran."""
    runs = []
    real = map_page.current_selection
    monkeypatch.setattr(map_page, "current_selection", lambda args: runs.append(1) or real(args))
    return runs


def without_date(headers):
    return sorted((k, v) for k, v in headers if k != "Date")


def test_a_repeated_request_is_replayed_as_the_view_answered_it(client, publish_csv, views_run):
    version = publish_csv(budget_csv(*GOOD_ROWS))
    first = client.get("/map/facilities.json?year=2025", headers=GZIP)
    again = client.get("/map/facilities.json?year=2025", headers=GZIP)
    assert len(views_run) == 1
    assert again.status_code == 200 and again.data == first.data
    assert without_date(again.headers) == without_date(first.headers)
    assert json.loads(gzip.decompress(again.data))["version"] == version


def test_the_client_that_has_it_gets_a_304(client, publish_csv, views_run):
    publish_csv(budget_csv(*GOOD_ROWS))
    etag = client.get("/map/facilities.json", headers=GZIP).headers["ETag"]
    cached = client.get("/map/facilities.json", headers={**GZIP, "If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b"" and cached.headers["ETag"] == etag
    assert cached.headers["Cache-Control"] == "no-cache" and "Content-Encoding" not in cached.headers
    assert client.get("/map/facilities.json", headers={**GZIP, "If-None-Match": '"other"'}).status_code == 200
    assert len(views_run) == 1


def test_a_new_version_is_answered_afresh(client, publish_csv, views_run):
    publish_csv(budget_csv(*GOOD_ROWS))
    before = client.get("/map/facilities.json", headers=GZIP)
    newer = publish_csv(budget_csv(GOOD_ROWS[0]), mode="replace")
    after = client.get("/map/facilities.json", headers={**GZIP, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and json.loads(gzip.decompress(after.data))["version"] == newer
    assert json.loads(gzip.decompress(after.data))["id"] == ["T1"]


def test_each_query_and_encoding_is_kept_apart(client, publish_csv, views_run):
    publish_csv(budget_csv(*GOOD_ROWS))
    for _ in range(2):
        assert json.loads(client.get("/map/facilities.json").data)["id"] == ["S1", "T1"]  # plain JSON
        assert json.loads(gzip.decompress(client.get("/map/facilities.json?type=school", headers=GZIP).data)
                          )["id"] == ["T1"]
    assert len(views_run) == 2


def test_errors_and_other_endpoints_are_never_kept(client, publish_csv, views_run):
    publish_csv(budget_csv(*GOOD_ROWS))
    for _ in range(2):
        assert client.get("/map/facilities.json?type=castle").status_code == 400
        assert client.get("/map/summary.json", headers={"Accept-Language": "en"}).status_code == 200
    assert len(views_run) == 4  # two bad requests and two summaries, each answered by its view


def tiny_app(latest: dict, answers: LruCache):
    """A Flask app whose one view shares its answer, with a cookie or a version change on demand."""
    app = Flask("tiny")
    app.secret_key = "test"
    runs = []

    @app.route("/shared", methods=["GET", "POST"])
    def shared():
        runs.append(1)
        if request.args.get("publish"):
            latest["id"] += 1  # a publication while the view runs
        share_until_new_version(latest["id"])
        response = make_response(f"version {latest['id']}")
        if request.args.get("cookie"):
            response.set_cookie("who", "somebody")
        return response

    app.wsgi_app = SharedResponses(app.wsgi_app, lambda: dict(latest), lambda: answers)
    return app, runs


def test_answers_with_a_cookie_are_not_kept():
    app, runs = tiny_app({"id": 1}, LruCache(4))
    client = app.test_client()
    client.get("/shared?cookie=1")
    client.get("/shared?cookie=1")
    assert len(runs) == 2


def test_an_answer_is_kept_for_the_version_its_view_saw():
    latest = {"id": 1}
    app, runs = tiny_app(latest, LruCache(4))
    client = app.test_client()
    assert client.get("/shared?publish=1").data == b"version 2"  # published while the view ran
    assert client.get("/shared?publish=1").data == b"version 2" and len(runs) == 1  # kept for 2
    latest["id"] = 3
    assert client.get("/shared?publish=1").data == b"version 4" and len(runs) == 2


def test_only_gets_are_replayed():
    app, runs = tiny_app({"id": 1}, LruCache(4))
    client = app.test_client()
    assert client.get("/shared").data == client.get("/shared").data == b"version 1"
    client.post("/shared")
    client.post("/shared")
    assert len(runs) == 3


def test_an_answer_the_same_in_every_language_is_kept_once(client, publish_csv, views_run):
    """The facility columns carry no words: one kept answer serves kk, ru and en alike."""
    publish_csv(budget_csv(*GOOD_ROWS))
    bodies = {client.get("/map/facilities.json", headers={"Accept-Language": language}).data
              for language in ("kk", "ru", "en")}
    assert len(bodies) == 1 and len(views_run) == 1


def words_app():
    """A Flask app whose shared view answers in the chosen language and says so with Vary."""
    app = Flask("words")
    app.secret_key = "test"
    app.config.update(LANGUAGES=("kk", "ru", "en"), BABEL_DEFAULT_LOCALE="kk")
    runs = []

    @app.get("/words")
    def words():
        runs.append(1)
        share_until_new_version(1)
        response = make_response(choose_language(session.get("lang"), request.accept_languages, app.config))
        response.vary.add("Accept-Language")
        return response

    @app.get("/choose/<code>")
    def choose(code):
        session["lang"] = code
        return ""

    answers = LruCache(8)
    app.wsgi_app = SharedResponses(app.wsgi_app, lambda: {"id": 1}, lambda: answers, language_of_environ(app))
    return app, runs


def test_an_answer_that_varies_by_language_is_kept_per_language():
    app, runs = words_app()
    client = app.test_client()
    answered = [client.get("/words", headers={"Accept-Language": language}).data for language in ("kk", "ru", "kk")]
    assert answered == [b"kk", b"ru", b"kk"] and len(runs) == 2


def test_the_language_chosen_in_the_switch_counts_too():
    app, runs = words_app()
    client = app.test_client()
    assert client.get("/words", headers={"Accept-Language": "kk"}).data == b"kk"
    client.get("/choose/ru")  # the session now says ru, whatever the browser asks
    assert client.get("/words", headers={"Accept-Language": "kk"}).data == b"ru"
    assert client.get("/words", headers={"Accept-Language": "kk"}).data == b"ru" and len(runs) == 2


def test_shared_responses_can_be_turned_off(tmp_path, geography):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'off.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": "", "SHARED_RESPONSES": False})
    assert not isinstance(app.wsgi_app, SharedResponses)
    app.extensions["engine"].dispose()
