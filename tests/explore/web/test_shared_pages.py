"""Facility and district pages rendered once and shared (core.web.shared_pages): per language,
data version, address and feedback change; each answer with its own visitor's CSRF token;
a signed-in user's page kept for nobody; the gzip body the same page as the plain one."""

import datetime as dt
import gzip
import re

import pytest

from feedback import decisions
from feedback import store as fb
from feedback.rules import Submission
from tests.helpers import GOOD_ROWS, budget_csv, csrf_token_in, login

T1_2026 = "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2026;equipment;7 000 000;"


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*GOOD_ROWS))


def page(client, path="/facility/T1", lang="en", **headers) -> str:
    response = client.get(path, headers={"Accept-Language": lang, **headers})
    assert response.status_code == 200
    return response.get_data(as_text=True).replace("\u00a0", " ")


def test_the_page_is_rendered_once_per_key(app, client, published):
    first = page(client)
    assert len(app.extensions["caches"]["shared_pages"]) == 1
    again = page(client)
    assert len(app.extensions["caches"]["shared_pages"]) == 1
    assert re.sub(CSRF, "", first) == re.sub(CSRF, "", again)
    page(client, lang="ru")
    page(client, "/facility/T1?utm=x")  # the language links carry the address
    assert len(app.extensions["caches"]["shared_pages"]) == 3


CSRF = r'name="csrf_token" value="[^"]+"'


def test_answers_differ_per_language(client, published):
    english, russian, kazakh = page(client), page(client, lang="ru"), page(client, lang="kk")
    assert '<html lang="en">' in english and "Money by year" in english
    assert '<html lang="ru">' in russian and "<h1>Школа №1</h1>" in russian and "Выделено" in russian
    assert '<html lang="kk">' in kazakh and "<h1>№1 мектеп</h1>" in kazakh
    assert page(client) == re.sub(CSRF, re.search(CSRF, page(client)).group(0), english)  # English again


def test_a_new_version_is_shown_at_once(client, published, publish_csv):
    before = page(client)
    assert 'data-year="2026"' not in before
    publish_csv(budget_csv(T1_2026))
    after = page(client)
    assert 'data-year="2026"' in after and "7,000,000 ₸" in after
    assert re.search(r"Data version (\d+)", after).group(1) != re.search(r"Data version (\d+)", before).group(1)


def test_every_visitor_gets_a_token_of_their_own_session(app, published):
    aigul, bolat = app.test_client(), app.test_client()
    first, second = csrf_token_in(page(aigul)), csrf_token_in(page(bolat))
    assert first != second and "per-request" not in first
    with app.test_client() as carol:
        page(carol)
        assert len(app.extensions["caches"]["shared_pages"]) == 1  # all three from one rendering
    # Each token works with its own session only.
    data = {"facility_id": "T1", "kind": "complaint", "text": "The roof money was paid but nothing happened."}
    assert bolat.post("/feedback", data={**data, "csrf_token": first}).status_code == 400
    assert bolat.post("/feedback", data={**data, "csrf_token": second}).status_code in (302, 303)


def test_a_signed_in_users_page_is_kept_for_nobody(app, published, make_user):
    make_user("aigul", "moderator", display_name="Айгүл Сейіт")
    staff, resident = app.test_client(), app.test_client()
    login(staff, "aigul")
    mine = page(staff)
    assert "Айгүл Сейіт" in mine and "Log out" in mine
    assert "shared_pages" not in app.extensions.get("caches", {}) or len(app.extensions["caches"]["shared_pages"]) == 0
    theirs = page(resident)
    assert "Айгүл Сейіт" not in theirs and "Log out" not in theirs and ">Log in</a>" in theirs
    assert csrf_token_in(theirs) != csrf_token_in(mine)
    assert "Айгүл Сейіт" in page(staff)  # and the staff's page is not the shared one either


def test_published_feedback_shows_without_a_new_version(client, engine, published):
    assert "No published feedback on this facility yet." in page(client)
    with engine.begin() as connection:
        result = fb.submit(connection, "T1", Submission(kind="complaint", text="The gym roof still leaks"),
                           language="en", now=dt.datetime.now(dt.timezone.utc), policy=fb.DeadlinePolicy(),
                           ip_hash="h")
    assert "The gym roof still leaks" not in page(client)  # pending: not public
    with engine.begin() as connection:
        decisions.moderate(connection, result.feedback_id, "published", actor="mod", actor_name="M",
                    now=dt.datetime.now(dt.timezone.utc))
    shown = page(client)
    assert "The gym roof still leaks" in shown and "Feedback: 1 open, 0 answered" in shown


def test_gzip_answer_is_the_same_page(client, published):
    response = client.get("/facility/T1", headers={"Accept-Encoding": "gzip, br", "Accept-Language": "en"})
    assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    unpacked = gzip.decompress(response.get_data()).decode().replace("\u00a0", " ")
    plain = page(client)
    token = csrf_token_in(unpacked)
    assert re.sub(CSRF, "", unpacked) == re.sub(CSRF, "", plain) and len(token) > 20
    assert "per-request" not in unpacked


def test_district_page_is_shared_per_year_and_feedback(app, client, engine, published):
    first = page(client, "/district/611000000")
    assert "Feedback received" not in first
    page(client, "/district/611000000?year=2024")
    assert len(app.extensions["caches"]["shared_pages"]) == 2
    with engine.begin() as connection:
        fb.submit(connection, "T1", Submission(kind="question", text="When will the work be done?"),
                  language="en", now=dt.datetime.now(dt.timezone.utc), policy=fb.DeadlinePolicy(), ip_hash="h")
    assert "Feedback received" in page(client, "/district/611000000")  # counted published or not
    assert 'name="csrf_token"' not in first  # no form: no session for a district page


def test_sharing_can_be_turned_off(app, client, published):
    app.config["SHARED_PAGES_SIZE"] = 0
    page(client)
    assert "shared_pages" not in app.extensions.get("caches", {})
