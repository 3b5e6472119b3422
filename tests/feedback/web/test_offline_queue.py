"""Feedback sent from the phone's offline queue: JSON answers, a fresh CSRF token, and the key
made on the phone, so the same message sent twice (an answer lost on the way) is one item."""

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from core.schema import feedback
from tests.helpers import GOOD_ROWS, budget_csv, csrf_token

JSON = {"Accept": "application/json"}
KEY = "6f1c2a9e-3b7d-4c1e-9a55-0d2f8e7b4a11"


@pytest.fixture(autouse=True)
def english(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture()
def published(publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))


def fresh_token(client) -> str:
    response = client.get("/feedback/token", headers=JSON)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.get_json()["csrf_token"]


def queued_send(client, key=KEY, **fields):
    data = {"csrf_token": fresh_token(client), "facility_id": "T1", "kind": "question",
            "text": "Written on the bus without a connection.", "submission_key": key, **fields}
    return client.post("/feedback", data=data, headers=JSON, content_type="multipart/form-data")


def rows(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(feedback.c.id, feedback.c.tracking_code, feedback.c.submission_key,
                                            feedback.c.text)).all()


def test_the_same_key_twice_is_one_item_with_the_same_tracking_code(client, engine, published):
    first = queued_send(client)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, no-store"
    body = first.get_json()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", body["tracking_code"])
    assert body["status_url"] == f"/feedback/{body['tracking_code']}?sent=new" and body["duplicate"] is False
    again = queued_send(client)  # the phone never got the first answer and sends again
    assert again.get_json()["tracking_code"] == body["tracking_code"] and again.get_json()["duplicate"] is True
    stored = rows(engine)
    assert len(stored) == 1 and stored[0].submission_key == KEY
    assert stored[0].tracking_code == body["tracking_code"].replace("-", "")


def test_the_key_answers_its_item_even_from_another_address_and_after_the_duplicate_window(
        app, client, engine, published):
    app.config["FEEDBACK_DUPLICATE_HOURS"] = "0"  # the text guard would let the same text in again
    code = queued_send(client).get_json()["tracking_code"]
    other = app.test_client()
    response = other.post("/feedback", data={
        "csrf_token": fresh_token(other), "facility_id": "T1", "kind": "question",
        "text": "Written on the bus without a connection.", "submission_key": KEY},
        headers=JSON, content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.get_json()["tracking_code"] == code
    assert len(rows(engine)) == 1


def test_different_keys_are_different_messages(app, client, engine, published):
    app.config["FEEDBACK_DUPLICATE_HOURS"] = "0"
    first = queued_send(client, key="a" * 32).get_json()["tracking_code"]
    second = queued_send(client, key="b" * 32, text="Another question, later.").get_json()["tracking_code"]
    assert first != second and len(rows(engine)) == 2


def test_a_malformed_key_is_ignored_never_a_reason_to_lose_the_message(client, engine, published):
    response = queued_send(client, key="<script>")
    assert response.status_code == 200
    assert [row.submission_key for row in rows(engine)] == [None]


def test_problems_come_back_as_json_for_the_phone_to_show(client, engine, published):
    response = queued_send(client, text="   ")
    assert response.status_code == 400
    assert set(response.get_json()["problems"]) == {"text"}
    assert rows(engine) == []


def test_a_facility_no_longer_published_is_a_problem_not_a_retry(client, engine, published):
    response = queued_send(client, facility_id="GONE")
    assert response.status_code == 404 and "form" in response.get_json()["problems"]


def test_over_the_rate_limit_the_phone_is_told_to_try_later(app, client, published):
    app.config["FEEDBACK_RATE_LIMIT"] = "1 per minute"
    assert queued_send(client).status_code == 200
    response = queued_send(client, key="c" * 32, text="A second one at once.")
    assert response.status_code == 429 and response.get_json() == {"retry": True}


def test_the_fresh_token_is_needed_and_an_old_form_token_is_refused(client, published, monkeypatch):
    old = csrf_token(client, "/facility/T1")
    later = int(time.time()) + 2 * 3600  # the page was kept on the phone two hours: its token expired
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    response = client.post("/feedback", data={"csrf_token": old, "facility_id": "T1", "kind": "question",
                                              "text": "Old page.", "submission_key": KEY},
                           headers=JSON, content_type="multipart/form-data")
    assert response.status_code == 400
    assert queued_send(client).status_code == 200  # with a token from /feedback/token it goes


def test_the_browser_form_keeps_its_redirect_and_the_key_on_the_form_page(client, engine, published):
    token = csrf_token(client, "/facility/T1")
    page = client.get("/facility/T1").get_data(as_text=True)
    assert '<input type="hidden" name="submission_key" value="">' in page
    assert 'data-feedback-queue data-facility="T1" hidden' in page
    response = client.post("/feedback", data={"csrf_token": token, "facility_id": "T1", "kind": "question",
                                              "text": "From the form.", "submission_key": KEY},
                           content_type="multipart/form-data")
    assert response.status_code == 303 and "?sent=new" in response.headers["Location"]
    problem = client.post("/feedback", data={"csrf_token": token, "facility_id": "T1", "kind": "question",
                                             "text": "", "submission_key": "d" * 32},
                          content_type="multipart/form-data")
    assert problem.status_code == 400
    assert f'name="submission_key" value="{"d" * 32}"' in problem.get_data(as_text=True)
