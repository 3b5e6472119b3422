"""Moderators' decisions on residents' feedback: publish, hide or mark as spam, redact (the
original stays as typed), and move an item along the workflow with a public, signed answer.

Each decision happens in the caller's transaction, records an event in ``feedback_events``
(``feedback.store.record_event``) and an entry in the audit log.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from accounts import audit
from core.schema import feedback
from feedback.rules import FeedbackProblem, check_moderation, check_status_change, check_text, clean_text
from feedback.store import StatusChange, iso, record_event

MODERATION_AUDIT_ACTIONS = {"published": "feedback.publish", "hidden": "feedback.hide", "spam": "feedback.spam"}


def _current(connection: sa.Connection, feedback_id: int) -> sa.Row:
    row = connection.execute(sa.select(feedback.c.id, feedback.c.moderation, feedback.c.status,
                                       feedback.c.text, feedback.c.author_name, feedback.c.public_text,
                                       feedback.c.public_name, feedback.c.photo_removed,
                                       feedback.c.contact, feedback.c.contact_kind, feedback.c.language,
                                       feedback.c.tracking_code, feedback.c.responded_at)
                             .where(feedback.c.id == feedback_id)).first()
    if row is None:
        raise FeedbackProblem("feedback_not_found", {"id": feedback_id})
    return row


def moderate(connection: sa.Connection, feedback_id: int, target: str, *, actor: str,
             actor_name: str, now: dt.datetime, reason: str | None = None) -> None:
    """Publish, hide (with a reason) or mark as spam; a state change, nothing is deleted."""
    current = _current(connection, feedback_id)
    check_moderation(current.moderation, target, reason=reason)
    at, reason = iso(now), clean_text(reason) or None
    connection.execute(feedback.update().where(feedback.c.id == feedback_id).values(
        moderation=target, moderation_reason=reason, updated_at=at))
    record_event(connection, feedback_id, at, actor, actor_name, "moderation", current.moderation, target, reason)
    audit.record(connection, actor, MODERATION_AUDIT_ACTIONS[target], "feedback", feedback_id, {"from": current.moderation, "reason": reason}, at=at)


def redact(connection: sa.Connection, feedback_id: int, *, public_text: str, public_name: str | None,
           remove_photo: bool, actor: str, actor_name: str, now: dt.datetime, reason: str | None = None) -> None:
    """Set what the public sees instead of the resident's words; the original stays as typed.

    ``public_name`` "" hides the name, None shows the original. The text before and after is
    kept in the event, so every redaction can be reviewed.
    """
    current = _current(connection, feedback_id)
    for value in (public_text, public_name, reason):
        check_text(value)
    text = clean_text(public_text)
    if not text:
        raise FeedbackProblem("feedback_redaction_empty")
    new_text = None if text == current.text else text
    new_name = None if public_name is None else clean_text(public_name).replace("\n", " ")
    if new_name is not None and new_name == (current.author_name or ""):
        new_name = None
    at = iso(now)
    connection.execute(feedback.update().where(feedback.c.id == feedback_id).values(
        public_text=new_text, public_name=new_name, photo_removed=remove_photo, updated_at=at))
    details = {"before": {"text": current.public_text, "name": current.public_name, "photo_removed": current.photo_removed},
               "after": {"text": new_text, "name": new_name, "photo_removed": remove_photo}}
    record_event(connection, feedback_id, at, actor, actor_name, "redaction", reason=clean_text(reason) or None,
           details=details)
    audit.record(connection, actor, "feedback.redact", "feedback", feedback_id,
                 {"text_changed": new_text is not None, "name_changed": new_name is not None,
                  "photo_removed": remove_photo}, at=at)


def change_status(connection: sa.Connection, feedback_id: int, target: str, *, actor: str,
                  actor_name: str, now: dt.datetime, answer: str | None = None,
                  reason: str | None = None) -> StatusChange:
    """Move an item along the workflow; an answer is signed with ``actor_name`` and public."""
    current = _current(connection, feedback_id)
    check_status_change(current.status, target, answer=answer, reason=reason)
    at = iso(now)
    values = {"status": target, "updated_at": at}
    answer, reason = clean_text(answer) or None, clean_text(reason) or None
    if target == "answered":
        values.update(answer_text=answer, answered_by=actor_name, answered_at=at)
    if target == "rejected":
        values["status_reason"] = reason
    if target in ("answered", "rejected") and current.responded_at is None:
        values["responded_at"] = at  # the first response counts for the deadline
    connection.execute(feedback.update().where(feedback.c.id == feedback_id).values(**values))
    record_event(connection, feedback_id, at, actor, actor_name, "status", current.status, target,
           reason=reason, details={"answer": answer} if answer else None)
    audit.record(connection, actor, "feedback.status", "feedback", feedback_id,
                 {"from": current.status, "to": target}, at=at)
    return StatusChange(tracking_code=current.tracking_code, status=target,
                        email=current.contact if current.contact_kind == "email" else None,
                        language=current.language, answer=answer, reason=reason)
