"""Words of residents' feedback in the chosen language: kinds, statuses, moderation, history.

Shared by the public pages, the moderation queue and the e-mails (``feedback.web.mail``).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from feedback.rules import format_tracking_code

KIND_LABELS = {"complaint": _l("Complaint"), "question": _l("Question"), "suggestion": _l("Suggestion"),
               "praise": _l("Praise")}
STATUS_LABELS = {"received": _l("Received"), "in_review": _l("In review"), "answered": _l("Answered"),
                 "resolved": _l("Resolved"), "rejected": _l("Rejected")}
MODERATION_LABELS = {"pending": _l("Waiting for moderation"), "published": _l("Published"),
                     "hidden": _l("Hidden"), "spam": _l("Marked as spam")}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def moderation_label(state: str) -> str:
    return str(MODERATION_LABELS.get(state, state))


def event_label(event: dict) -> str:
    """A line of the public history: what happened (never the moderator's private notes)."""
    if event["event"] == "submitted":
        return _("Received")
    if event["event"] == "redaction":
        return _("Redacted")
    if event["event"] == "moderation":
        return {"published": _("Published on the facility page"), "hidden": _("Hidden from the public"),
                "spam": _("Marked as spam")}.get(event["to_value"], event["to_value"])
    return status_label(event["to_value"])


TEMPLATE_HELPERS = {"kind_label": kind_label, "feedback_status_label": status_label,
                    "moderation_label": moderation_label, "event_label": event_label,
                    "format_tracking_code": format_tracking_code}
