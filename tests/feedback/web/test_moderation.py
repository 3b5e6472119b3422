"""Moderators' pages: the queue by deadline, one item with its original and contact, every
action through the forms, refusals that keep what was typed, and the audit trail."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from core.schema import audit_log, feedback
from feedback import store as fb
from feedback.rules import Submission
from tests.helpers import GOOD_ROWS, budget_csv, login

NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(autouse=True)
def english(app):
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


@pytest.fixture()
def moderator(client, make_user, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    make_user("dana", "moderator", display_name="Dana Seitkali")
    assert login(client, "dana").status_code == 302
    return client


def add(engine, text="The roof leaks", *, days_ago=0, contact=None, facility="T1"):
    with engine.begin() as connection:
        return fb.submit(connection, facility, Submission(kind="complaint", text=text, contact=contact,
                                                          contact_kind="email" if contact else None),
                         language="kk", now=NOW - dt.timedelta(days=days_ago), policy=fb.DeadlinePolicy()).feedback_id


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def post(client, feedback_id, action, **data):
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(client, f"/admin/feedback/{feedback_id}")).group(1)
    return client.post(f"/admin/feedback/{feedback_id}/{action}", data={"csrf_token": token, **data})


def row(engine, feedback_id) -> dict:
    with engine.connect() as connection:
        return dict(connection.execute(sa.select(feedback).where(feedback.c.id == feedback_id)).mappings().one())


def test_queue_puts_overdue_first_and_counts(moderator, engine):
    add(engine, "fresh", days_ago=0)
    add(engine, "very old", days_ago=60)
    add(engine, "older", days_ago=10)
    body = page(moderator, "/admin/feedback")
    assert body.index("very old") < body.index("older") < body.index("fresh")
    assert body.count('class="is-overdue"') == 1
    assert "Waiting for moderation: 3 · waiting for a response: 3 · overdue: 1" in body
    assert "Sorted by deadline: overdue items first." in body
    assert "fresh" not in page(moderator, "/admin/feedback?queue=closed")
    assert page(moderator, "/admin/feedback?queue=nonsense").count("<tr class=") == 3  # falls back to open


def test_item_shows_the_original_and_the_private_contact(moderator, engine):
    feedback_id = add(engine, contact="aigul@example.kz")
    body = page(moderator, f"/admin/feedback/{feedback_id}")
    assert "aigul@example.kz" in body and "The roof leaks" in body and "Қазақша" in body
    assert moderator.get("/admin/feedback/9999").status_code == 404


def test_publish_then_hide_with_a_reason(moderator, engine, client):
    feedback_id = add(engine)
    response = post(moderator, feedback_id, "moderation", target="published")
    assert response.status_code == 302
    assert "The feedback is published." in page(moderator, f"/admin/feedback/{feedback_id}")
    assert "The roof leaks" in page(moderator, "/facility/T1")
    refused = post(moderator, feedback_id, "moderation", target="hidden", reason="")
    assert refused.status_code == 400
    assert "Give the reason" in refused.get_data(as_text=True)
    assert row(engine, feedback_id)["moderation"] == "published"
    assert post(moderator, feedback_id, "moderation", target="hidden", reason="Insults").status_code == 302
    stored = row(engine, feedback_id)
    assert (stored["moderation"], stored["moderation_reason"], stored["text"]) == ("hidden", "Insults", "The roof leaks")
    assert "The roof leaks" not in page(moderator, "/facility/T1")


def test_spam_leaves_the_open_queue(moderator, engine):
    feedback_id = add(engine, "buy cheap pills")
    post(moderator, feedback_id, "moderation", target="spam")
    assert "buy cheap pills" not in page(moderator, "/admin/feedback")
    assert "buy cheap pills" in page(moderator, "/admin/feedback?queue=hidden")


def test_redaction_keeps_the_original_for_moderators(moderator, engine):
    feedback_id = add(engine, "Call the director at 87011234567")
    post(moderator, feedback_id, "moderation", target="published")
    response = post(moderator, feedback_id, "redaction", public_text="Call the director at [removed]",
                    hide_name="1", reason="Phone number")
    assert response.status_code == 302
    public = page(moderator, "/facility/T1")
    assert "[removed]" in public and "87011234567" not in public
    body = page(moderator, f"/admin/feedback/{feedback_id}")
    assert "Call the director at 87011234567" in body and "Call the director at [removed]" in body
    assert re.search(r"Redacted\s*: Phone number", body)
    empty = post(moderator, feedback_id, "redaction", public_text="  ")
    assert empty.status_code == 400 and "cannot be empty" in empty.get_data(as_text=True)


def test_answer_is_signed_public_and_closes_the_item(moderator, engine):
    feedback_id = add(engine)
    post(moderator, feedback_id, "moderation", target="published")
    assert post(moderator, feedback_id, "status", target="in_review").status_code == 302
    missing = post(moderator, feedback_id, "status", target="answered", answer=" ")
    assert missing.status_code == 400 and "Write the answer" in missing.get_data(as_text=True)
    typed = post(moderator, feedback_id, "status", target="rejected", answer="kept answer")
    assert typed.status_code == 400 and "kept answer" in typed.get_data(as_text=True)
    post(moderator, feedback_id, "status", target="answered", answer="Repairs start on 1 June.")
    public = page(moderator, "/facility/T1")
    assert "Repairs start on 1 June." in public and "Dana Seitkali" in public and "1 answered" in public
    post(moderator, feedback_id, "status", target="resolved")
    stored = row(engine, feedback_id)
    assert (stored["status"], stored["answered_by"]) == ("resolved", "Dana Seitkali")
    assert "This feedback is closed." in page(moderator, f"/admin/feedback/{feedback_id}")
    bad = post(moderator, feedback_id, "status", target="in_review")
    assert bad.status_code == 400 and row(engine, feedback_id)["status"] == "resolved"


def test_every_action_is_in_the_audit_log(moderator, engine):
    feedback_id = add(engine)
    post(moderator, feedback_id, "moderation", target="published")
    post(moderator, feedback_id, "redaction", public_text="The roof leaks badly")
    post(moderator, feedback_id, "status", target="rejected", reason="Duplicate")
    with engine.connect() as connection:
        entries = connection.execute(sa.select(audit_log.c.actor, audit_log.c.action)
                                     .where(audit_log.c.target_type == "feedback").order_by(audit_log.c.id)).all()
    assert [tuple(entry) for entry in entries] == [
        ("resident", "feedback.submit"), ("dana", "feedback.publish"), ("dana", "feedback.redact"),
        ("dana", "feedback.status")]


def test_unknown_item_actions_are_404(moderator):
    token = re.search(r'name="csrf_token" value="([^"]+)"', page(moderator, "/admin/")).group(1)
    assert moderator.post("/admin/feedback/999/moderation", data={"csrf_token": token, "target": "published"}).status_code == 404


def test_moderator_photo_is_private(moderator, engine):
    feedback_id = add(engine)
    assert moderator.get(f"/admin/feedback/{feedback_id}/photo/full").status_code == 404


@pytest.mark.parametrize("action, data", [
    ("redaction", {"public_text": "Call the director at\x00 [removed]"}),
    ("redaction", {"public_text": "Call the director", "reason": "Phone\x1b[31m"}),
    ("moderation", {"target": "hidden", "reason": "Off\x00topic"}),
    ("status", {"target": "answered", "answer": "Repaired\x00 in May"}),
])
def test_control_characters_in_what_moderators_write_are_refused(moderator, engine, action, data):
    feedback_id = add(engine, "Call the director at 87011234567")
    before = row(engine, feedback_id)
    response = post(moderator, feedback_id, action, **data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "invisible control characters" in body
    assert not any(ch in body for ch in "\x00\x1b")  # what was typed is shown again without them
    assert row(engine, feedback_id) == before
