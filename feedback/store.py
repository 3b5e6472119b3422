"""Residents' feedback in the database: submit, moderate (keeping the original), answer, and the
read models of the public pages, the status page and the moderation queue.

Every write happens in the caller's transaction (``core.db.write_transaction``), records an
event in ``feedback_events`` (who and when) and an entry in the audit log. The rules themselves
are in ``feedback.rules``. Public read models never select ``contact`` or ``ip_hash``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

import sqlalchemy as sa

from accounts import audit
from core.schema import budget_lines, facilities, feedback, feedback_events
from feedback.deadlines import DeadlinePolicy
from feedback.photos import Photo
from feedback.rules import (
    ANSWERED_STATUSES,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    FeedbackProblem,
    ResponseFigures,
    Submission,
    check_moderation,
    check_status_change,
    check_text,
    clean_text,
    content_hash,
    is_overdue,
    new_tracking_code,
    response_figures,
)

RESIDENT = "resident"  # the actor of a submission in events and the audit log
MODERATION_AUDIT_ACTIONS = {"published": "feedback.publish", "hidden": "feedback.hide", "spam": "feedback.spam"}


@dataclass(frozen=True)
class Submitted:
    feedback_id: int
    tracking_code: str
    duplicate: bool  # the same text was already received: this is the earlier item


@dataclass(frozen=True)
class StatusChange:
    """What a resident should hear about after a status change (contact is their e-mail)."""

    tracking_code: str
    status: str
    email: str | None
    language: str
    answer: str | None
    reason: str | None


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def hash_ip(address: str | None, salt: str) -> str | None:
    """A keyed hash of the client address: enough to spot repeats, useless to find the person."""
    if not address:
        return None
    return hmac.new(salt.encode("utf-8"), address.encode("utf-8"), hashlib.sha256).hexdigest()


def _event(connection: sa.Connection, feedback_id: int, at: str, actor: str, actor_name: str | None,
           event: str, from_value: str | None = None, to_value: str | None = None,
           reason: str | None = None, details: dict | None = None) -> None:
    connection.execute(feedback_events.insert().values(
        feedback_id=feedback_id, at=at, actor=actor, actor_name=actor_name, event=event,
        from_value=from_value, to_value=to_value, reason=reason, details=details))


# ---------------------------------------------------------------- submit

def facility_pk(connection: sa.Connection, facility_id: str) -> int | None:
    return connection.execute(sa.select(facilities.c.id).where(facilities.c.facility_id == facility_id)).scalar()


def submit(connection: sa.Connection, facility_id: str, submission: Submission, *, language: str,
           now: dt.datetime, policy: DeadlinePolicy, ip_hash: str | None = None,
           photo: Photo | None = None, duplicate_window: dt.timedelta = dt.timedelta(hours=24)) -> Submitted:
    """Store a new pending item with its deadline, or return the earlier identical one."""
    pk = facility_pk(connection, facility_id)
    if pk is None:
        raise FeedbackProblem("feedback_no_facility", {"facility_id": facility_id})
    digest = content_hash(pk, submission.text)
    since = iso(now - duplicate_window)
    earlier = connection.execute(
        sa.select(feedback.c.id, feedback.c.tracking_code)
        .where(feedback.c.content_hash == digest, feedback.c.submitted_at >= since,
               feedback.c.ip_hash.is_(None) if ip_hash is None else feedback.c.ip_hash == ip_hash)
        .order_by(feedback.c.id).limit(1)).first()
    if earlier is not None:
        return Submitted(earlier.id, earlier.tracking_code, duplicate=True)
    at = iso(now)
    code = _unused_code(connection)
    feedback_id = connection.execute(feedback.insert().values(
        tracking_code=code, facility_pk=pk, budget_line_id=submission.budget_line_id,
        kind=submission.kind, text=submission.text, rating=submission.rating,
        author_name=submission.author_name, contact=submission.contact,
        contact_kind=submission.contact_kind, language=language,
        photo=photo.content if photo else None, photo_thumb=photo.thumbnail if photo else None,
        photo_type=photo.mime_type if photo else None, ip_hash=ip_hash, content_hash=digest,
        submitted_at=at, deadline=policy.deadline_for(now).isoformat(), updated_at=at,
    )).inserted_primary_key[0]
    _event(connection, feedback_id, at, RESIDENT, None, "submitted", to_value="received")
    audit.record(connection, RESIDENT, "feedback.submit", "feedback", feedback_id,
                 {"facility_id": facility_id, "kind": submission.kind, "photo": photo is not None}, at=at)
    return Submitted(feedback_id, code, duplicate=False)


def _unused_code(connection: sa.Connection) -> str:
    while True:  # 60 random bits: a clash is practically impossible, but never reuse a code
        code = new_tracking_code()
        if connection.execute(sa.select(feedback.c.id).where(feedback.c.tracking_code == code)).first() is None:
            return code


# ---------------------------------------------------------------- read models

# What the public may see of an item: never contact, IP hash, the unredacted original or photos'
# bytes. ``public_text`` / ``public_name`` replace the original when a moderator redacted it.
_PUBLIC_COLUMNS = (
    feedback.c.id, feedback.c.tracking_code, feedback.c.kind, feedback.c.rating,
    sa.func.coalesce(feedback.c.public_text, feedback.c.text).label("text"),
    sa.case((feedback.c.public_name.is_not(None), sa.func.nullif(feedback.c.public_name, "")),
            else_=feedback.c.author_name).label("name"),
    feedback.c.submitted_at, feedback.c.deadline, feedback.c.status, feedback.c.status_reason,
    feedback.c.answer_text, feedback.c.answered_by, feedback.c.answered_at, feedback.c.moderation,
    feedback.c.moderation_reason, (feedback.c.public_text.is_not(None)).label("redacted"),
    sa.and_(feedback.c.photo.is_not(None), feedback.c.photo_removed.is_(False)).label("has_photo"),
    facilities.c.facility_id, facilities.c.name_kk, facilities.c.name_ru, facilities.c.name_en,
    facilities.c.district_kato, budget_lines.c.fiscal_year.label("line_year"),
    budget_lines.c.work_type.label("line_work_type"),
)


def _public_select():
    return (sa.select(*_PUBLIC_COLUMNS)
            .select_from(feedback.join(facilities, facilities.c.id == feedback.c.facility_pk)
                         .outerjoin(budget_lines, budget_lines.c.id == feedback.c.budget_line_id)))


def published_items(connection: sa.Connection, facility_id: str | None = None, *,
                    limit: int | None = None, offset: int = 0) -> list[dict]:
    """Published feedback, newest first (of one facility, or all), public fields only."""
    query = _public_select().where(feedback.c.moderation == "published")
    if facility_id is not None:
        query = query.where(facilities.c.facility_id == facility_id)
    query = query.order_by(feedback.c.submitted_at.desc(), feedback.c.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_without_moderation(dict(row)) for row in connection.execute(query).mappings()]


def _without_moderation(item: dict) -> dict:
    """A published item needs no moderation fields (and its tracking code stays the resident's)."""
    for key in ("moderation", "moderation_reason", "tracking_code"):
        item.pop(key, None)
    return item


def last_change(connection: sa.Connection) -> tuple:
    """What changes whenever any item does (every change records an event): for ETags."""
    return (connection.execute(sa.select(sa.func.max(feedback_events.c.id))).scalar(),)


def status_counts(connection: sa.Connection, facility_id: str) -> dict[str, int]:
    """Published feedback of a facility: open, answered (or resolved), rejected, total."""
    rows = connection.execute(
        sa.select(feedback.c.status, sa.func.count())
        .select_from(feedback.join(facilities, facilities.c.id == feedback.c.facility_pk))
        .where(facilities.c.facility_id == facility_id, feedback.c.moderation == "published")
        .group_by(feedback.c.status)).all()
    by_status = dict(rows)
    return {"open": sum(by_status.get(s, 0) for s in OPEN_STATUSES),
            "answered": sum(by_status.get(s, 0) for s in ANSWERED_STATUSES),
            "rejected": by_status.get("rejected", 0),
            "total": sum(by_status.values())}


def by_tracking_code(connection: sa.Connection, code: str) -> dict | None:
    """The status page: the item as the public may see it, with its status history."""
    row = connection.execute(_public_select().where(feedback.c.tracking_code == code)).mappings().first()
    if row is None:
        return None
    item = dict(row)
    item["events"] = [dict(event) for event in connection.execute(
        sa.select(feedback_events.c.at, feedback_events.c.event, feedback_events.c.to_value,
                  feedback_events.c.reason, feedback_events.c.actor_name)
        .where(feedback_events.c.feedback_id == item["id"],
               feedback_events.c.event.in_(("submitted", "moderation", "status")))
        .order_by(feedback_events.c.id)).mappings()]
    return item


QUEUES = ("open", "pending", "closed", "hidden", "all")


def moderation_queue(connection: sa.Connection, queue: str, today: dt.date) -> list[dict]:
    """Items for moderators. "open" (waiting for a response) is sorted by deadline, so overdue
    items come first; the other queues newest first. Spam shows only under "hidden" and "all"."""
    if queue not in QUEUES:
        raise ValueError(f"queue must be one of {QUEUES}, not {queue!r}")
    conditions = {
        "open": [feedback.c.status.in_(OPEN_STATUSES), feedback.c.moderation != "spam"],
        "pending": [feedback.c.moderation == "pending"],
        "closed": [feedback.c.status.in_(CLOSED_STATUSES), feedback.c.moderation != "spam"],
        "hidden": [feedback.c.moderation.in_(("hidden", "spam"))],
        "all": [],
    }[queue]
    order = ((feedback.c.deadline, feedback.c.id) if queue == "open"
             else (feedback.c.submitted_at.desc(), feedback.c.id.desc()))
    rows = connection.execute(
        sa.select(feedback.c.id, feedback.c.tracking_code, feedback.c.kind, feedback.c.text,
                  feedback.c.public_text, feedback.c.submitted_at, feedback.c.deadline,
                  feedback.c.status, feedback.c.moderation, feedback.c.rating,
                  (feedback.c.photo.is_not(None)).label("has_photo"),
                  facilities.c.facility_id, facilities.c.name_kk, facilities.c.name_ru,
                  facilities.c.name_en, facilities.c.district_kato)
        .select_from(feedback.join(facilities, facilities.c.id == feedback.c.facility_pk))
        .where(*conditions).order_by(*order)).mappings()
    items = []
    for row in rows:
        item = dict(row)
        item["overdue"] = is_overdue(dt.date.fromisoformat(item["deadline"]), item["status"], today)
        items.append(item)
    return items


def queue_counts(connection: sa.Connection, today: dt.date) -> dict[str, int]:
    """How many items wait for a decision, for the workspace: pending, open, overdue."""
    not_spam = feedback.c.moderation != "spam"
    is_open = sa.and_(feedback.c.status.in_(OPEN_STATUSES), not_spam)
    row = connection.execute(sa.select(
        sa.func.count().filter(feedback.c.moderation == "pending"),
        sa.func.count().filter(is_open),
        sa.func.count().filter(sa.and_(is_open, feedback.c.deadline < today.isoformat())),
    ).select_from(feedback)).one()
    return {"pending": row[0], "open": row[1], "overdue": row[2]}


def for_moderator(connection: sa.Connection, feedback_id: int) -> dict | None:
    """Everything a moderator needs, contact included (never the IP hash or photo bytes)."""
    private = [c for c in feedback.c if c.name not in ("photo", "photo_thumb", "ip_hash", "content_hash")]
    row = connection.execute(
        sa.select(*private, (feedback.c.photo.is_not(None)).label("has_photo"),
                  facilities.c.facility_id, facilities.c.name_kk, facilities.c.name_ru,
                  facilities.c.name_en, facilities.c.district_kato,
                  budget_lines.c.fiscal_year.label("line_year"),
                  budget_lines.c.work_type.label("line_work_type"))
        .select_from(feedback.join(facilities, facilities.c.id == feedback.c.facility_pk)
                     .outerjoin(budget_lines, budget_lines.c.id == feedback.c.budget_line_id))
        .where(feedback.c.id == feedback_id)).mappings().first()
    if row is None:
        return None
    item = dict(row)
    item["events"] = [dict(event) for event in connection.execute(
        sa.select(feedback_events).where(feedback_events.c.feedback_id == feedback_id)
        .order_by(feedback_events.c.id)).mappings()]
    return item


def photo(connection: sa.Connection, feedback_id: int, *, thumbnail: bool, public: bool) -> tuple[bytes, str] | None:
    """A photo's bytes and type; ``public`` only of published items whose photo was not removed."""
    column = feedback.c.photo_thumb if thumbnail else feedback.c.photo
    query = sa.select(column, feedback.c.photo_type).where(feedback.c.id == feedback_id, column.is_not(None))
    if public:
        query = query.where(feedback.c.moderation == "published", feedback.c.photo_removed.is_(False))
    row = connection.execute(query).first()
    if row is None:
        return None
    return row[0], "image/jpeg" if thumbnail else row[1]


def district_response(connection: sa.Connection, kato: str, policy: DeadlinePolicy, today: dt.date) -> ResponseFigures:
    """How officials respond in a district: every item received there except spam, published or
    not, since the deadline binds either way."""
    rows = connection.execute(
        sa.select(feedback.c.submitted_at, feedback.c.deadline, feedback.c.responded_at)
        .select_from(feedback.join(facilities, facilities.c.id == feedback.c.facility_pk))
        .where(facilities.c.district_kato == kato, feedback.c.moderation != "spam")).all()
    return response_figures(
        ((policy.local_date(submitted), dt.date.fromisoformat(deadline),
          policy.local_date(responded) if responded else None)
         for submitted, deadline, responded in rows), today)


# ---------------------------------------------------------------- moderate and answer

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
    _event(connection, feedback_id, at, actor, actor_name, "moderation", current.moderation, target, reason)
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
    _event(connection, feedback_id, at, actor, actor_name, "redaction", reason=clean_text(reason) or None,
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
    _event(connection, feedback_id, at, actor, actor_name, "status", current.status, target,
           reason=reason, details={"answer": answer} if answer else None)
    audit.record(connection, actor, "feedback.status", "feedback", feedback_id,
                 {"from": current.status, "to": target}, at=at)
    return StatusChange(tracking_code=current.tracking_code, status=target,
                        email=current.contact if current.contact_kind == "email" else None,
                        language=current.language, answer=answer, reason=reason)
