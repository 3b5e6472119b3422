"""The rules of residents' feedback, as pure functions: what a submission must look like, which
status and moderation changes are allowed, deadlines in working days, and response figures.

No database and no Flask here, so every rule is tested on plain values. Problems are
``FeedbackProblem`` codes with parameters; their texts live in ``core.errors`` and the web
layer translates them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import statistics
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass

from core.money import plain_whole_number
from core.schema import FEEDBACK_KINDS, FEEDBACK_STATUSES, MODERATION_STATES
from core.text import has_control_characters, normalised, without_control_characters

MAX_TEXT = 2000
MAX_NAME = 100
MAX_CONTACT = 200
MAX_REASON = 2000
RATINGS = (1, 2, 3, 4, 5)

OPEN_STATUSES = ("received", "in_review")
ANSWERED_STATUSES = ("answered", "resolved")
CLOSED_STATUSES = ("answered", "resolved", "rejected")  # the resident has had a response

# status -> statuses it may change to. "answered" may go back to "in review" when the resident
# (or the moderator) finds the answer wanting; resolved and rejected are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"in_review", "answered", "rejected"}),
    "in_review": frozenset({"answered", "rejected"}),
    "answered": frozenset({"resolved", "in_review"}),
    "resolved": frozenset(),
    "rejected": frozenset(),
}
# Moderation may change between the three decided states (a mistake can be undone); nothing
# goes back to pending.
MODERATION_ACTIONS = ("published", "hidden", "spam")

# Tracking codes: Crockford's base 32 (no I, L, O, U), 12 characters = 60 random bits, shown
# in groups of four: "K7QM-P4XD-2RTA".
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
_CODE_CONFUSABLES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
PHONE_CHARS = re.compile(r"^\+?[\d\s()\-.]+$")


class FeedbackProblem(Exception):
    """A rule was broken: ``code`` names the message in ``core.errors``."""

    def __init__(self, code: str, params: Mapping | None = None):
        super().__init__(code)
        self.code, self.params = code, dict(params or {})

    def __eq__(self, other) -> bool:
        return isinstance(other, FeedbackProblem) and (self.code, self.params) == (other.code, other.params)

    __hash__ = Exception.__hash__

    def __str__(self) -> str:
        from core.errors import render
        return render(self.code, dict(self.params))


@dataclass(frozen=True)
class Submission:
    """A resident's feedback after validation (the photo is checked apart, in ``feedback.photos``)."""

    kind: str
    text: str
    rating: int | None = None
    author_name: str | None = None
    contact: str | None = None
    contact_kind: str | None = None
    budget_line_id: int | None = None


# ---------------------------------------------------------------- submission

def clean_text(value: str | None) -> str:
    """Trim, normalise Unicode (NFKC, ``core.text``) and line ends; the resident's words as typed.

    Control characters are refused before this (``check_text``); any left are dropped here, so
    nothing that reaches the database carries one.
    """
    text = normalised(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return without_control_characters(text).strip()


def check_text(value: str | None) -> None:
    """Raise ``FeedbackProblem`` when ``value`` holds a control character (a NUL byte, an escape...)."""
    if value and has_control_characters(value):
        raise FeedbackProblem("feedback_control_characters")


def contact_kind(contact: str) -> str | None:
    """"email" or "phone" for a plausible contact, None otherwise."""
    if EMAIL.match(contact):
        return "email"
    digits = sum(ch.isdigit() for ch in contact)
    if PHONE_CHARS.match(contact) and 7 <= digits <= 15:
        return "phone"
    return None


def validate_submission(form: Mapping[str, str | None], line_ids: Iterable[int] = ()) -> tuple[Submission | None, dict[str, FeedbackProblem]]:
    """Check a submitted form field by field; return the clean submission or the problems.

    ``line_ids`` are the budget lines the feedback may be tied to (the facility's own).
    """
    problems: dict[str, FeedbackProblem] = {
        name: FeedbackProblem("feedback_control_characters") for name in ("text", "author_name", "contact")
        if has_control_characters(form.get(name) or "")}
    kind = (form.get("kind") or "").strip()
    if kind not in FEEDBACK_KINDS:
        problems["kind"] = FeedbackProblem("feedback_kind_required")
    text = clean_text(form.get("text"))
    if not text:
        problems.setdefault("text", FeedbackProblem("feedback_text_required"))
    elif len(text) > MAX_TEXT:
        problems.setdefault("text", FeedbackProblem("feedback_too_long", {"limit": MAX_TEXT, "length": len(text)}))
    rating = None
    raw_rating = (form.get("rating") or "").strip()
    if raw_rating:
        rating = plain_whole_number(raw_rating)
        if rating not in RATINGS:
            problems["rating"] = FeedbackProblem("feedback_bad_rating")
    name = clean_text(form.get("author_name")).replace("\n", " ") or None
    if name and len(name) > MAX_NAME:
        problems.setdefault("author_name", FeedbackProblem("feedback_too_long",
                                                           {"limit": MAX_NAME, "length": len(name)}))
    contact = clean_text(form.get("contact")).replace("\n", " ") or None
    kind_of_contact = None
    if contact:
        kind_of_contact = contact_kind(contact)
        if len(contact) > MAX_CONTACT:
            problems.setdefault("contact", FeedbackProblem("feedback_too_long",
                                                           {"limit": MAX_CONTACT, "length": len(contact)}))
        elif kind_of_contact is None:
            problems.setdefault("contact", FeedbackProblem("feedback_bad_contact"))
    line_id = None
    raw_line = (form.get("budget_line_id") or "").strip()
    if raw_line:
        line_id = plain_whole_number(raw_line)
        if line_id not in set(line_ids):
            problems["budget_line_id"] = FeedbackProblem("feedback_unknown_line")
    if problems:
        return None, problems
    return Submission(kind=kind, text=text, rating=rating, author_name=name, contact=contact,
                      contact_kind=kind_of_contact, budget_line_id=line_id), {}


def content_hash(facility_pk: int, text: str) -> str:
    """The same words on the same facility, whatever the spacing or case: the duplicate guard."""
    words = " ".join(text.casefold().split())
    return hashlib.sha256(f"{facility_pk}\n{words}".encode("utf-8")).hexdigest()


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_tracking_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def submission_key(text: str | None) -> str | None:
    """The key a phone made for a message of its offline queue (a UUID), or None when absent or
    malformed: the message is then stored as any other, never refused for it."""
    return text if text and SUBMISSION_KEY.fullmatch(text) else None


def normalize_tracking_code(text: str) -> str | None:
    """A code as typed (any case, with or without dashes and spaces, O for 0) or None."""
    code = re.sub(r"[\s\-]", "", text or "").upper().translate(_CODE_CONFUSABLES)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


# ---------------------------------------------------------------- workflow

def check_status_change(current: str, target: str, *, answer: str | None = None,
                        reason: str | None = None) -> None:
    """Raise ``FeedbackProblem`` unless ``current`` -> ``target`` is allowed with what is given.

    An answer needs its text, a rejection its reason: both are shown to the public.
    """
    if target not in FEEDBACK_STATUSES:
        raise FeedbackProblem("feedback_unknown_status", {"value": target})
    if target not in TRANSITIONS[current]:
        raise FeedbackProblem("feedback_bad_transition", {"current": current, "target": target})
    check_text(answer)
    check_text(reason)
    if target == "answered" and not clean_text(answer):
        raise FeedbackProblem("feedback_answer_required")
    if target == "rejected" and not clean_text(reason):
        raise FeedbackProblem("feedback_reason_required")
    for value in (answer, reason):
        if value and len(clean_text(value)) > MAX_REASON:
            raise FeedbackProblem("feedback_too_long", {"limit": MAX_REASON, "length": len(clean_text(value))})


def check_moderation(current: str, target: str, *, reason: str | None = None) -> None:
    """Publish, hide (with a reason) or mark as spam; never back to pending, never a no-op."""
    if target not in MODERATION_ACTIONS or target == current:
        raise FeedbackProblem("feedback_bad_moderation", {"current": current, "target": target})
    check_text(reason)
    if target == "hidden" and not clean_text(reason):
        raise FeedbackProblem("feedback_reason_required")
    if reason and len(clean_text(reason)) > MAX_REASON:
        raise FeedbackProblem("feedback_too_long", {"limit": MAX_REASON, "length": len(clean_text(reason))})


def allowed_moderation(current: str) -> tuple[str, ...]:
    return tuple(state for state in MODERATION_ACTIONS if state != current and current in MODERATION_STATES)


# ---------------------------------------------------------------- deadlines

def is_working_day(day: dt.date, holidays: Container[dt.date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: Container[dt.date] = frozenset(), *,
                     working_day: Callable[[dt.date], bool] | None = None) -> dt.date:
    """The ``days``-th working day after ``start`` (the day of submission does not count).

    Submitted on Friday with 1 working day: Monday. Weekends and ``holidays`` are skipped;
    ``working_day`` replaces that rule with a calendar's (``feedback.deadlines``).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    working = working_day or (lambda day: is_working_day(day, holidays))
    day, remaining = start, days
    while remaining:
        day += dt.timedelta(days=1)
        if working(day):
            remaining -= 1
    return day


def is_overdue(deadline: dt.date, status: str, today: dt.date) -> bool:
    """Still waiting for a response after the deadline day has ended."""
    return status in OPEN_STATUSES and today > deadline


def responded_on_time(deadline: dt.date, responded: dt.date) -> bool:
    return responded <= deadline


@dataclass(frozen=True)
class ResponseFigures:
    """How an area's officials respond: shares over the items that are due or answered."""

    received: int  # every item counted (spam excluded)
    due: int  # responded, or still open past the deadline: the items that had to be answered
    on_time: int  # responded by the deadline
    median_days: float | None  # calendar days from submission to response, responded items

    @property
    def on_time_share(self) -> float | None:
        return None if not self.due else self.on_time / self.due


def response_figures(items: Iterable[tuple[dt.date, dt.date, dt.date | None]], today: dt.date) -> ResponseFigures:
    """``items`` are (submitted, deadline, responded or None). An item not yet answered counts
    only once its deadline has passed, so a fresh complaint does not make anyone look late."""
    received = due = on_time = 0
    durations = []
    for submitted, deadline, responded in items:
        received += 1
        if responded is not None:
            due += 1
            on_time += responded_on_time(deadline, responded)
            durations.append((responded - submitted).days)
        elif today > deadline:
            due += 1
    return ResponseFigures(received=received, due=due, on_time=on_time,
                           median_days=statistics.median(durations) if durations else None)
