"""Residents' feedback pages: the form on the facility page, every problem shown with the typed
text kept, the abuse guards, the status page in each state, photos, privacy, and e-mail."""

import datetime as dt
import io
import re
import socket

import pytest
import sqlalchemy as sa
from PIL import Image

from core.schema import feedback
from feedback import store as fb
from tests.helpers import GOOD_ROWS, budget_csv, csrf_token

PRIVATE_CONTACT = "aigul.private@example.kz"
CODE_URL = re.compile(r"/feedback/([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


@pytest.fixture(autouse=True)
def english(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture()
def published(publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))


def text(response) -> str:
    return response.get_data(as_text=True)


def send(client, token=None, *, facility="T1", **fields):
    data = {"csrf_token": token or csrf_token(client, f"/facility/{facility}"), "facility_id": facility,
            "kind": "complaint", "text": "The roof money was paid but nothing happened.", **fields}
    return client.post("/feedback", data=data, content_type="multipart/form-data")


def stored(engine) -> list[dict]:
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.select(feedback).order_by(feedback.c.id)).mappings()]


def moderate(engine, feedback_id, target="published", reason=None):
    with engine.begin() as connection:
        fb.moderate(connection, feedback_id, target, actor="mod", actor_name="Dana Moderator",
                    now=dt.datetime.now(dt.timezone.utc), reason=reason)


def test_facility_page_has_the_form_with_csrf_and_a_hidden_honeypot(client, published):
    page = text(client.get("/facility/T1"))
    assert 'action="/feedback"' in page and 'enctype="multipart/form-data"' in page
    assert 'name="csrf_token"' in page and 'name="facility_id" value="T1"' in page
    assert re.search(r'<div class="hp-field" aria-hidden="true">.*?name="website" tabindex="-1"', page, re.S)
    assert "0 open" in page and "0 answered" in page
    for kind in ("Complaint", "Question", "Suggestion", "Praise"):
        assert kind in page
    assert "2025 · Capital repair" in page  # the facility's budget lines to choose from


def test_submission_gives_a_tracking_code_and_a_pending_status_page(client, engine, published):
    response = send(client, contact=PRIVATE_CONTACT, author_name="Aigul", rating="2")
    assert response.status_code == 303
    code = CODE_URL.search(response.headers["Location"]).group(1)
    assert response.headers["Location"].endswith("?sent=new")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    body = text(page)
    assert code in body and "Thank you, your feedback is received." in body
    assert "Waiting for moderation" in body and "Received" in body
    assert "The roof money was paid but nothing happened." in body
    assert PRIVATE_CONTACT not in body
    row = stored(engine)[0]
    assert (row["moderation"], row["status"], row["rating"], row["contact_kind"], row["language"]) == \
        ("pending", "received", 2, "email", "en")


def test_pending_feedback_is_not_public(client, engine, published):
    send(client)
    page = text(client.get("/facility/T1"))
    assert "nothing happened" not in page and "0 open" in page
    popup = client.get("/map/facility/T1.json?year=2025").get_json()
    assert popup["feedback"]["open"] == 0


def test_published_feedback_is_shown_and_counted_on_page_and_popup(client, engine, published):
    send(client, author_name="Aigul", contact=PRIVATE_CONTACT)
    before = client.get("/map/facility/T1.json?year=2025")
    moderate(engine, stored(engine)[0]["id"])
    page = text(client.get("/facility/T1"))
    assert "nothing happened" in page and "Aigul" in page and "1 open" in page
    after = client.get("/map/facility/T1.json?year=2025", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200  # the counts changed, so the old ETag no longer matches
    popup = after.get_json()
    assert popup["feedback"]["open"] == 1 and popup["feedback"]["url"].endswith("/facility/T1#feedback-form-heading")
    assert {"label": "Feedback", "value": "1 open, 0 answered"} in popup["fields"]
    for body in (page, text(after)):
        assert PRIVATE_CONTACT not in body


def test_every_problem_is_listed_and_nothing_typed_is_lost(client, engine, published):
    long_text = "Крыша " + "x" * 2000
    response = send(client, kind="rant", text=long_text, rating="9", contact="call me maybe",
                    author_name="Айгүл <b>")
    assert response.status_code == 400
    body = text(response)
    assert "Your message was not sent yet" in body
    assert "Choose what kind of message this is." in body
    assert "The text has 2006 characters; at most 2000 are allowed." in body
    assert "A rating is a whole number from 1 to 5." in body
    assert "Give an e-mail address" in body
    assert long_text in body  # the text comes back in the textarea
    assert 'value="call me maybe"' in body and "Айгүл &lt;b&gt;" in body
    assert 'aria-invalid="true"' in body
    assert stored(engine) == []


def test_empty_text_is_refused(client, engine, published):
    response = send(client, text="   ")
    assert response.status_code == 400 and "Write your message." in text(response)
    assert stored(engine) == []


def test_honeypot_refuses_with_a_clear_message(client, engine, published):
    response = send(client, website="http://spam.example")
    assert response.status_code == 400
    assert "leave the field “Website” empty" in text(response)
    assert "nothing happened" in text(response)
    assert stored(engine) == []


def test_csrf_token_is_required(client, engine, published):
    response = client.post("/feedback", data={"facility_id": "T1", "kind": "complaint", "text": "x"})
    assert response.status_code == 400
    assert stored(engine) == []


def test_unknown_facility_is_404(client, published):
    assert send(client, csrf_token(client, "/facility/T1"), facility="NOPE").status_code == 404


def test_duplicate_submission_leads_to_the_first_item(client, engine, published):
    first = send(client)
    token = csrf_token(client, "/facility/T1")
    again = send(client, token, text="the ROOF money was paid but nothing   happened.")
    assert CODE_URL.search(again.headers["Location"]).group(1) == CODE_URL.search(first.headers["Location"]).group(1)
    assert again.headers["Location"].endswith("?sent=again")
    assert "it was not stored twice" in text(client.get(again.headers["Location"]))
    assert len(stored(engine)) == 1


def test_rate_limit_keeps_the_text(app, client, engine, published):
    app.config["FEEDBACK_RATE_LIMIT"] = "2 per minute"
    token = csrf_token(client, "/facility/T1")
    assert send(client, token, text="first").status_code == 303
    assert send(client, token, text="second").status_code == 303
    third = send(client, token, text="third message, kept")
    assert third.status_code == 429
    assert "Too many messages from your connection" in text(third) and "third message, kept" in text(third)
    assert [row["text"] for row in stored(engine)] == ["first", "second"]


def test_ip_address_is_stored_only_as_a_keyed_hash(app, client, engine, published):
    client.post("/feedback", data={"csrf_token": csrf_token(client, "/facility/T1"), "facility_id": "T1",
                                   "kind": "question", "text": "When?"},
                environ_base={"REMOTE_ADDR": "203.0.113.7"})
    row = stored(engine)[0]
    assert row["ip_hash"] and "203.0.113.7" not in str(row)
    with app.app_context():
        from feedback.web.submit import ip_salt
        assert row["ip_hash"] == fb.hash_ip("203.0.113.7", ip_salt())


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (43.0, 17.0, 49.0), 3: "E", 4: (68.0, 15.0, 6.0)})
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 60, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_photo_is_stripped_and_private_until_published(client, engine, published):
    response = send(client, photo=(io.BytesIO(jpeg_with_gps()), "roof.jpg"))
    assert response.status_code == 303
    status_url = response.headers["Location"].split("?")[0]
    own = client.get(f"{status_url}/photo/full")
    assert own.status_code == 200 and own.mimetype == "image/jpeg"
    assert own.headers["Cache-Control"] == "private, no-store"
    assert dict(Image.open(io.BytesIO(own.data)).getexif()) == {} and b"PhoneMaker" not in own.data
    feedback_id = stored(engine)[0]["id"]
    assert client.get(f"/feedback/photos/{feedback_id}/thumb").status_code == 404
    moderate(engine, feedback_id)
    thumb = client.get(f"/feedback/photos/{feedback_id}/thumb")
    assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.data)).size) == 320
    assert f"/feedback/photos/{feedback_id}/thumb" in text(client.get("/facility/T1"))


def test_a_bad_photo_is_refused_and_the_text_kept(client, engine, published):
    response = send(client, photo=(io.BytesIO(b"<svg onload=alert(1)>"), "x.png"))
    assert response.status_code == 400
    body = text(response)
    assert "The photo must be a JPEG or PNG picture." in body and "nothing happened" in body
    assert "Choose the photo again" in body
    assert stored(engine) == []


def test_a_large_photo_is_refused_with_its_size(app, client, engine, published):
    app.config["FEEDBACK_PHOTO_MAX_MB"] = 0.25  # small, so the test client keeps the body in memory
    response = send(client, photo=(io.BytesIO(b"\xff\xd8" + b"0" * 300_000), "big.jpg"))
    assert response.status_code == 400
    assert "at most 0.25 MB is allowed" in text(response)


def test_feedback_can_be_tied_to_a_budget_line_of_the_facility(client, engine, published):
    page = text(client.get("/facility/T1"))
    line_id = re.search(r'<option value="(\d+)"[^>]*>2025 · Capital repair', page).group(1)
    assert send(client, budget_line_id=line_id).status_code == 303
    assert stored(engine)[0]["budget_line_id"] == int(line_id)
    other = send(client, csrf_token(client, "/facility/T1"), text="other", budget_line_id="999999")
    assert other.status_code == 400 and "Choose one of this facility&#39;s budget lines" in text(other)


def test_status_page_finds_codes_as_people_type_them(client, published):
    code = CODE_URL.search(send(client).headers["Location"]).group(1)
    typed = code.replace("-", "").lower()
    redirect = client.get(f"/feedback/{typed}")
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith(f"/feedback/{code}")
    assert client.get(f"/feedback?code={typed}").headers["Location"].endswith(f"/feedback/{code}")
    assert client.get("/feedback/0000-0000-0000").status_code == 404
    assert client.get("/feedback/not-a-code").status_code == 404
    bad = client.get("/feedback?code=%3Cscript%3E")
    assert bad.status_code == 400 and "&lt;script&gt;" in text(bad) and "<script>" not in text(bad).split("</head>")[1]
    assert client.get("/feedback").status_code == 200


def test_status_page_in_every_state(client, engine, published):
    code = CODE_URL.search(send(client, contact=PRIVATE_CONTACT).headers["Location"]).group(1)
    feedback_id = stored(engine)[0]["id"]
    url = f"/feedback/{code}"
    now = dt.datetime.now(dt.timezone.utc)
    assert "Waiting for moderation" in text(client.get(url))
    moderate(engine, feedback_id)
    assert "Published" in text(client.get(url))
    with engine.begin() as connection:
        fb.change_status(connection, feedback_id, "in_review", actor="mod", actor_name="Dana Moderator", now=now)
    assert '<dd class="feedback-status status-in_review" id="current-status">In review</dd>' in text(client.get(url))
    with engine.begin() as connection:
        fb.change_status(connection, feedback_id, "answered", actor="mod", actor_name="Dana Moderator", now=now,
                         answer="The contractor returns in June.")
    body = text(client.get(url))
    assert "Official answer" in body and "The contractor returns in June." in body and "Dana Moderator" in body
    with engine.begin() as connection:
        fb.change_status(connection, feedback_id, "resolved", actor="mod", actor_name="Dana Moderator", now=now)
    body = text(client.get(url))
    assert 'id="current-status">Resolved<' in body
    assert body.count("<li><time") == 5  # received, published, in review, answered, resolved
    moderate(engine, feedback_id, "hidden", reason="Names a private person")
    body = text(client.get(url))
    assert "Hidden" in body and "Names a private person" in body
    assert PRIVATE_CONTACT not in body


def test_rejected_feedback_shows_the_reason(client, engine, published):
    code = CODE_URL.search(send(client).headers["Location"]).group(1)
    feedback_id = stored(engine)[0]["id"]
    with engine.begin() as connection:
        fb.change_status(connection, feedback_id, "rejected", actor="mod", actor_name="M",
                         now=dt.datetime.now(dt.timezone.utc), reason="This school is not in the budget.")
    body = text(client.get(f"/feedback/{code}"))
    assert "Rejected" in body and "This school is not in the budget." in body


def test_overdue_is_shown_on_the_status_page(client, engine, published):
    code = CODE_URL.search(send(client).headers["Location"]).group(1)
    with engine.begin() as connection:
        connection.execute(feedback.update().values(deadline="2020-01-10"))
    assert "overdue" in text(client.get(f"/feedback/{code}"))


def test_district_page_shows_response_figures(client, engine, published):
    send(client)
    with engine.begin() as connection:
        connection.execute(feedback.update().values(deadline="2020-01-10", submitted_at="2020-01-01T05:00:00+00:00"))
    page = text(client.get("/district/611000000"))
    assert "How officials answer residents" in page
    assert "Feedback received" in page and "0 of 1 that were due" in page
    assert "No feedback has been received" in text(client.get("/district/615400000"))


def test_html_in_feedback_is_escaped_everywhere(client, engine, published):
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    code = CODE_URL.search(send(client, text=payload, author_name=payload).headers["Location"]).group(1)
    moderate(engine, stored(engine)[0]["id"])
    for url in ("/facility/T1", f"/feedback/{code}"):
        body = text(client.get(url))
        assert "<script>alert(2)" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in body


# ---------------------------------------------------------------- e-mail

@pytest.fixture()
def smtp_server():
    """A real SMTP server on a free loopback port (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks its own port, so it needs a known one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


def test_status_change_sends_an_email_in_the_residents_language(app, client, engine, make_user, smtp_server, published):
    from email import message_from_bytes, policy

    from tests.helpers import login
    port, handler = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    client.get("/language/ru")
    code = CODE_URL.search(send(client, contact=PRIVATE_CONTACT).headers["Location"]).group(1)
    make_user("dana", "moderator", display_name="Дана")
    moderator = app.test_client()
    login(moderator, "dana")
    feedback_id = stored(engine)[0]["id"]
    page = moderator.get(f"/admin/feedback/{feedback_id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(page)).group(1)
    response = moderator.post(f"/admin/feedback/{feedback_id}/status",
                              data={"csrf_token": token, "target": "answered", "answer": "Ремонт в июне."})
    assert response.status_code == 302
    assert len(handler.messages) == 1
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == [PRIVATE_CONTACT]
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert code in message["Subject"]
    body = message.get_body().get_content()
    assert "Ремонт в июне." in body and f"/feedback/{code}" in body
    with app.test_request_context():
        from flask_babel import force_locale, gettext

        from feedback.web.labels import status_label
        with force_locale("ru"):
            expected = gettext("Your feedback %(code)s: %(status)s", code=code, status=status_label("answered"))
    assert message["Subject"] == expected and "Answered" not in expected  # in Russian, as the resident wrote


def test_no_email_without_a_mail_server_or_an_address(app, client, engine, smtp_server, published):
    port, handler = smtp_server
    send(client, contact="87012345678")
    with app.test_request_context():
        from feedback.web.submit import notify
        with engine.begin() as connection:
            change = fb.change_status(connection, stored(engine)[0]["id"], "in_review", actor="m", actor_name="M",
                                      now=dt.datetime.now(dt.timezone.utc))
        notify(change)  # a phone number: nothing to send
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        notify(change)
    assert handler.messages == []


def test_a_failing_mail_server_does_not_undo_the_change(app, client, engine, published, caplog):
    send(client, contact=PRIVATE_CONTACT)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)  # nothing listens on port 1
    with app.test_request_context():
        from feedback.web.submit import notify
        with engine.begin() as connection:
            change = fb.change_status(connection, stored(engine)[0]["id"], "in_review", actor="m", actor_name="M",
                                      now=dt.datetime.now(dt.timezone.utc))
        notify(change)
    assert stored(engine)[0]["status"] == "in_review"
    assert "Could not e-mail the status change" in caplog.text


def test_the_form_shown_again_is_a_page_of_its_own_with_one_main_heading(client, publish_csv):
    """Back from a problem, the form heads its own page (one h1) and links back to the facility."""
    publish_csv(budget_csv(*GOOD_ROWS))
    html = text(send(client, csrf_token(client, "/facility/T1"), text=""))
    assert html.count("<h1") == 1 and '<h1 id="feedback-form-heading">' in html
    assert 'href="/facility/T1"' in html
    facility_page = client.get("/facility/T1").get_data(as_text=True)
    assert '<h3 id="feedback-form-heading">' in facility_page
