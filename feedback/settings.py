"""Settings of residents' feedback: response deadlines, abuse guards, photos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.settings import Setting
from feedback.store import DeadlinePolicy

SETTINGS: tuple[Setting, ...] = (
    Setting("FEEDBACK_DEADLINE_WORKING_DAYS", 15, "Working days (Monday to Friday, holidays "
            "excluded) officials have to respond to feedback, counted from the day after it arrives."),
    Setting("FEEDBACK_HOLIDAYS", (), "Public holidays that are not working days for feedback "
            "deadlines: ISO dates, e.g. '2026-12-16,2026-12-17' in the environment."),
    Setting("FEEDBACK_RATE_LIMIT", "5 per minute; 30 per day", "Feedback submissions allowed per "
            "client IP address (Flask-Limiter notation); needs RATELIMIT_ENABLED."),
    Setting("FEEDBACK_DUPLICATE_HOURS", 24, "The same text on the same facility from the same "
            "address within this many hours is not stored again; the resident gets the first "
            "item's tracking code."),
    Setting("FEEDBACK_PHOTO_MAX_MB", 5, "Largest photo a resident can attach, in megabytes."),
)


def deadline_policy(config: Mapping) -> DeadlinePolicy:
    """The feedback deadline rules from the settings (ValueError on a bad date or time zone)."""
    try:
        ZoneInfo(config["TIME_ZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"TIME_ZONE {config['TIME_ZONE']!r} is not a known time zone") from exc
    return DeadlinePolicy(working_days=int(config["FEEDBACK_DEADLINE_WORKING_DAYS"]),
                          holidays=frozenset(dt.date.fromisoformat(str(day)) for day in config["FEEDBACK_HOLIDAYS"]),
                          time_zone=config["TIME_ZONE"])
