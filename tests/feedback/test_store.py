"""Feedback in the database: submit, duplicates, moderation keeping the original, answers,
events and audit, the public read models (never private fields) and the response figures."""

import datetime as dt

import pytest
import sqlalchemy as sa

from core.schema import audit_log, feedback, feedback_events
from feedback import decisions
from feedback import store as fb
from feedback.photos import Photo
from feedback.rules import FeedbackProblem, Submission
from tests.helpers import GOOD_ROWS, budget_csv

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone.utc)  # a Friday, 15:00 in Turkestan
POLICY = fb.DeadlinePolicy()
PRIVATE = ("contact", "contact_kind", "ip_hash", "content_hash", "photo", "photo_thumb", "author_name")


@pytest.fixture()
def published(publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))


def submit(engine, text="The roof still leaks", *, facility="T1", now=NOW, ip="hash-1", **fields):
    submission = Submission(kind=fields.pop("kind", "complaint"), text=text, **fields)
    with engine.begin() as connection:
        return fb.submit(connection, facility, submission, language="ru", now=now, policy=POLICY, ip_hash=ip)


def test_submission_is_pending_with_a_deadline_event_and_audit(engine, published):
    result = submit(engine, contact="aigul@example.kz", contact_kind="email", author_name="Айгүл")
    assert not result.duplicate and len(result.tracking_code) == 12
    with engine.connect() as connection:
        row = connection.execute(sa.select(feedback)).mappings().one()
        events = connection.execute(sa.select(feedback_events)).mappings().all()
        audit = connection.execute(sa.select(audit_log).where(audit_log.c.action == "feedback.submit")).mappings().one()
    assert (row["moderation"], row["status"]) == ("pending", "received")
    assert row["deadline"] == "2026-12-11"  # 15 working days after Friday 20 November
    assert [(e["event"], e["actor"], e["to_value"]) for e in events] == [("submitted", "resident", "received")]
    assert audit["actor"] == "resident" and audit["details"] == {"facility_id": "T1", "kind": "complaint", "photo": False}
    assert "aigul" not in str(audit["details"])


def test_deadline_uses_the_local_date():
    late_evening = dt.datetime(2026, 11, 20, 20, 30, tzinfo=dt.timezone.utc)  # already Saturday in Almaty
    assert POLICY.local_date(late_evening) == dt.date(2026, 11, 21)
    assert POLICY.deadline_for(late_evening) == dt.date(2026, 12, 11)
    assert fb.DeadlinePolicy(working_days=1).deadline_for(NOW) == dt.date(2026, 11, 23)


def test_unknown_facility_is_refused(engine, published):
    with pytest.raises(FeedbackProblem) as caught:
        submit(engine, facility="NOPE")
    assert caught.value.code == "feedback_no_facility"


def test_the_same_text_twice_returns_the_first_item(engine, published):
    first = submit(engine, "Roof leaks")
    again = submit(engine, "  roof   LEAKS ", now=NOW + dt.timedelta(minutes=5))
    assert again.duplicate and again.tracking_code == first.tracking_code
    other_person = submit(engine, "Roof leaks", ip="hash-2")
    next_day = submit(engine, "Roof leaks", now=NOW + dt.timedelta(hours=25))
    other_facility = submit(engine, "Roof leaks", facility="S1")
    assert not (other_person.duplicate or next_day.duplicate or other_facility.duplicate)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(feedback)).scalar() == 4


def test_the_rate_limit_counts_one_address_within_each_window(engine, published):
    limits = ((2, dt.timedelta(minutes=1)), (3, dt.timedelta(days=1)))

    def send(text, at, ip="hash-1"):
        with engine.begin() as connection:
            submission = Submission(kind="complaint", text=text)
            return fb.submit(connection, "T1", submission, language="ru", now=at, policy=POLICY, ip_hash=ip,
                             rate_limits=limits)

    send("one", NOW)
    send("two", NOW + dt.timedelta(seconds=10))
    with pytest.raises(FeedbackProblem) as caught:
        send("three", NOW + dt.timedelta(seconds=20))
    assert caught.value.code == "feedback_too_many" and caught.value.params == {"limit": 2, "seconds": 60}
    assert send("two", NOW + dt.timedelta(seconds=30)).duplicate  # a repeat is answered, not refused
    send("other address", NOW + dt.timedelta(seconds=30), ip="hash-2")
    send("three", NOW + dt.timedelta(minutes=2))  # the minute is over
    with pytest.raises(FeedbackProblem) as caught:
        send("four", NOW + dt.timedelta(hours=3))  # the day is not
    assert caught.value.params == {"limit": 3, "seconds": 86400}
    send("four", NOW + dt.timedelta(days=1, minutes=1))


def test_pending_items_are_not_public_until_published(engine, published):
    result = submit(engine)
    with engine.connect() as connection:
        assert fb.published_items(connection, "T1") == []
        assert fb.status_counts(connection, "T1") == {"open": 0, "answered": 0, "rejected": 0, "total": 0}
    with engine.begin() as connection:
        decisions.moderate(connection, result.feedback_id, "published", actor="mod", actor_name="Moderator M", now=NOW)
    with engine.connect() as connection:
        items = fb.published_items(connection, "T1")
        assert [item["text"] for item in items] == ["The roof still leaks"]
        assert fb.status_counts(connection, "T1") == {"open": 1, "answered": 0, "rejected": 0, "total": 1}
        assert len(fb.published_items(connection, "T1")) == 1


def test_public_read_models_never_carry_private_fields(engine, published):
    result = submit(engine, contact="+7 701 234 56 78", contact_kind="phone", author_name="Aigul")
    with engine.begin() as connection:
        decisions.moderate(connection, result.feedback_id, "published", actor="mod", actor_name="M", now=NOW)
    with engine.connect() as connection:
        for item in [*fb.published_items(connection), fb.by_tracking_code(connection, result.tracking_code)]:
            assert not set(PRIVATE) & set(item)
            assert "+7 701" not in str(item)
        assert fb.published_items(connection)[0]["name"] == "Aigul"
        assert "tracking_code" not in fb.published_items(connection)[0]  # the code stays the resident's


def test_hiding_needs_a_reason_and_keeps_the_item(engine, published):
    result = submit(engine)
    with engine.begin() as connection, pytest.raises(FeedbackProblem):
        decisions.moderate(connection, result.feedback_id, "hidden", actor="mod", actor_name="M", now=NOW)
    with engine.begin() as connection:
        decisions.moderate(connection, result.feedback_id, "published", actor="mod", actor_name="M", now=NOW)
        decisions.moderate(connection, result.feedback_id, "hidden", actor="mod", actor_name="M", now=NOW,
                    reason="Personal insults")
    with engine.connect() as connection:
        assert fb.published_items(connection) == []
        row = connection.execute(sa.select(feedback)).mappings().one()
        assert (row["moderation"], row["moderation_reason"], row["text"]) == ("hidden", "Personal insults", "The roof still leaks")
        actions = connection.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
        assert actions[-2:] == ["feedback.publish", "feedback.hide"]
        status = fb.by_tracking_code(connection, result.tracking_code)
        assert [(e["event"], e["to_value"]) for e in status["events"]] == [
            ("submitted", "received"), ("moderation", "published"), ("moderation", "hidden")]


def test_redaction_changes_what_the_public_sees_and_keeps_the_original(engine, published):
    result = submit(engine, "Director Ivanov, phone 8701..., stole the money", author_name="Aigul 87011234567")
    with engine.begin() as connection:
        decisions.moderate(connection, result.feedback_id, "published", actor="mod", actor_name="M", now=NOW)
        decisions.redact(connection, result.feedback_id, public_text="Director [removed] stole the money",
                  public_name="Aigul", remove_photo=True, actor="mod", actor_name="M", now=NOW,
                  reason="A phone number")
    with engine.connect() as connection:
        item = fb.published_items(connection)[0]
        assert (item["text"], item["name"], item["redacted"], item["has_photo"]) == \
            ("Director [removed] stole the money", "Aigul", True, False)
        row = connection.execute(sa.select(feedback)).mappings().one()
        assert row["text"] == "Director Ivanov, phone 8701..., stole the money"
        assert row["author_name"] == "Aigul 87011234567"
        event = connection.execute(sa.select(feedback_events).where(feedback_events.c.event == "redaction")).mappings().one()
        assert event["details"]["after"]["text"] == "Director [removed] stole the money"
        assert event["reason"] == "A phone number"
    with engine.begin() as connection, pytest.raises(FeedbackProblem) as caught:
        decisions.redact(connection, result.feedback_id, public_text=" ", public_name=None, remove_photo=False,
                  actor="mod", actor_name="M", now=NOW)
    assert caught.value.code == "feedback_redaction_empty"


def test_an_empty_public_name_hides_the_name(engine, published):
    result = submit(engine, author_name="Aigul")
    with engine.begin() as connection:
        decisions.moderate(connection, result.feedback_id, "published", actor="mod", actor_name="M", now=NOW)
        decisions.redact(connection, result.feedback_id, public_text="The roof still leaks", public_name="",
                  remove_photo=False, actor="mod", actor_name="M", now=NOW)
    with engine.connect() as connection:
        item = fb.published_items(connection)[0]
    assert item["name"] is None and item["redacted"] is False


def test_answer_and_resolve_record_who_and_when(engine, published):
    result = submit(engine, contact="aigul@example.kz", contact_kind="email")
    later = NOW + dt.timedelta(days=3)
    with engine.begin() as connection:
        decisions.moderate(connection, result.feedback_id, "published", actor="mod", actor_name="M", now=NOW)
        decisions.change_status(connection, result.feedback_id, "in_review", actor="mod", actor_name="Dana S.", now=NOW)
        change = decisions.change_status(connection, result.feedback_id, "answered", actor="mod", actor_name="Dana S.",
                                  now=later, answer="The contractor repairs the roof in June.")
        decisions.change_status(connection, result.feedback_id, "resolved", actor="mod", actor_name="Dana S.",
                         now=later + dt.timedelta(days=1))
    assert change.email == "aigul@example.kz" and change.status == "answered" and change.language == "ru"
    with engine.connect() as connection:
        item = fb.by_tracking_code(connection, result.tracking_code)
        assert (item["status"], item["answer_text"], item["answered_by"]) == \
            ("resolved", "The contractor repairs the roof in June.", "Dana S.")
        assert [e["to_value"] for e in item["events"] if e["event"] == "status"] == ["in_review", "answered", "resolved"]
        row = connection.execute(sa.select(feedback)).mappings().one()
        assert row["responded_at"] == "2026-11-23T10:00:00+00:00"
        assert fb.status_counts(connection, "T1")["answered"] == 1


def test_a_phone_contact_gets_no_email(engine, published):
    result = submit(engine, contact="87012345678", contact_kind="phone")
    with engine.begin() as connection:
        change = decisions.change_status(connection, result.feedback_id, "rejected", actor="mod", actor_name="M",
                                  now=NOW, reason="Not about this facility")
    assert change.email is None and change.reason == "Not about this facility"


def test_disallowed_change_writes_nothing(engine, published):
    result = submit(engine)
    with engine.begin() as connection, pytest.raises(FeedbackProblem):
        decisions.change_status(connection, result.feedback_id, "resolved", actor="mod", actor_name="M", now=NOW)
    with engine.connect() as connection:
        assert connection.execute(sa.select(feedback.c.status)).scalar() == "received"
        assert connection.execute(sa.select(sa.func.count()).select_from(feedback_events)).scalar() == 1


def test_queue_sorts_by_deadline_with_overdue_first(engine, published):
    old = submit(engine, "old", now=NOW - dt.timedelta(days=40))
    new = submit(engine, "new", now=NOW)
    middle = submit(engine, "middle", now=NOW - dt.timedelta(days=10))
    spam = submit(engine, "buy pills", now=NOW - dt.timedelta(days=50))
    with engine.begin() as connection:
        decisions.moderate(connection, spam.feedback_id, "spam", actor="mod", actor_name="M", now=NOW)
    today = dt.date(2026, 11, 20)
    with engine.connect() as connection:
        queue = fb.moderation_queue(connection, "open", today)
        assert [item["text"] for item in queue] == ["old", "middle", "new"]
        assert [item["overdue"] for item in queue] == [True, False, False]
        assert fb.queue_counts(connection, today) == {"pending": 3, "open": 3, "overdue": 1}
        assert [item["text"] for item in fb.moderation_queue(connection, "hidden", today)] == ["buy pills"]
        assert old.feedback_id and new.feedback_id and middle.feedback_id
    with pytest.raises(ValueError):
        with engine.connect() as connection:
            fb.moderation_queue(connection, "deleted", today)


def test_district_response_figures(engine, published):
    on_time = submit(engine, "a", now=NOW - dt.timedelta(days=30))
    late = submit(engine, "b", now=NOW - dt.timedelta(days=60))
    submit(engine, "c", now=NOW - dt.timedelta(days=60))  # never answered, overdue
    submit(engine, "d", now=NOW)  # not yet due
    spam = submit(engine, "e", now=NOW - dt.timedelta(days=60))
    with engine.begin() as connection:
        decisions.change_status(connection, on_time.feedback_id, "answered", actor="m", actor_name="M",
                         now=NOW - dt.timedelta(days=26), answer="Done")
        decisions.change_status(connection, late.feedback_id, "rejected", actor="m", actor_name="M",
                         now=NOW - dt.timedelta(days=2), reason="Duplicate of another complaint")
        decisions.moderate(connection, spam.feedback_id, "spam", actor="m", actor_name="M", now=NOW)
    with engine.connect() as connection:
        figures = fb.district_response(connection, "611000000", POLICY, dt.date(2026, 11, 20))
        other = fb.district_response(connection, "615400000", POLICY, dt.date(2026, 11, 20))
    assert (figures.received, figures.due, figures.on_time) == (4, 3, 1)
    assert figures.median_days == 31  # 4 and 58 days
    assert other.received == 0


def test_photos_are_public_only_when_published_and_not_removed(engine, published):
    with engine.begin() as connection:
        stored = fb.submit(connection, "T1", Submission(kind="complaint", text="See the photo"), language="kk",
                           now=NOW, policy=POLICY, photo=Photo(b"full", b"thumb", "image/png"))
    with engine.connect() as connection:
        assert fb.photo(connection, stored.feedback_id, thumbnail=False, public=True) is None
        assert fb.photo(connection, stored.feedback_id, thumbnail=False, public=False) == (b"full", "image/png")
    with engine.begin() as connection:
        decisions.moderate(connection, stored.feedback_id, "published", actor="m", actor_name="M", now=NOW)
    with engine.connect() as connection:
        assert fb.photo(connection, stored.feedback_id, thumbnail=True, public=True) == (b"thumb", "image/jpeg")
    with engine.begin() as connection:
        decisions.redact(connection, stored.feedback_id, public_text="See the photo", public_name=None,
                  remove_photo=True, actor="m", actor_name="M", now=NOW)
    with engine.connect() as connection:
        assert fb.photo(connection, stored.feedback_id, thumbnail=True, public=True) is None


def test_ip_hash_is_keyed_and_not_the_address():
    hashed = fb.hash_ip("10.1.2.3", "salt-a")
    assert hashed != fb.hash_ip("10.1.2.3", "salt-b") and "10.1.2.3" not in hashed and len(hashed) == 64
    assert fb.hash_ip(None, "salt") is None
