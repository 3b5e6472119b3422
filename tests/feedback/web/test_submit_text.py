"""What residents type: control characters refused before storage with the text shown again
without them, and the message stored in NFKC (``core.text``)."""

import pytest

from tests.feedback.web.test_submit import send, stored, text
from tests.helpers import GOOD_ROWS, budget_csv


@pytest.fixture(autouse=True)
def english(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture()
def published(publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))


@pytest.mark.parametrize("field, value", [("text", "The roof\x00 leaks"), ("author_name", "Ai\x1bgul"),
                                          ("contact", "aigul@example.kz\x07")])
def test_control_characters_are_refused_before_storage_with_the_text_kept_without_them(client, engine, published,
                                                                                        field, value):
    response = send(client, **{field: value})
    assert response.status_code == 400
    body = text(response)
    assert "invisible control characters" in body and "taken out below" in body
    assert value.replace("\x00", "").replace("\x1b", "").replace("\x07", "") in body  # shown again, without them
    assert not any(ch in body for ch in "\x00\x1b\x07")
    assert stored(engine) == []


def test_the_message_is_stored_in_nfkc(client, engine, published):
    assert send(client, text="Ｔｈｅ roof of школа №5 leaks: 120 м²\u00a0wet", author_name="Ａigul").status_code == 303
    row = stored(engine)[0]
    assert (row["text"], row["author_name"]) == ("The roof of школа №5 leaks: 120 м² wet", "Aigul")
