"""Settings of residents' feedback: response deadlines, abuse guards, photos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many

from core.settings import Setting
from feedback.deadlines import DeadlinePolicy, national_calendar

SETTINGS: tuple[Setting, ...] = (
    Setting("FEEDBACK_DEADLINE_WORKING_DAYS", 15, "Working days (Monday to Friday, holidays "
            "excluded) officials have to respond to feedback, counted from the day after it arrives."),
    Setting("FEEDBACK_HOLIDAYS_COUNTRY", "KZ", "Country whose public holidays are not working "
            "days for feedback deadlines (a code of the holidays package): days off, holidays on a "
            "weekend moved to a weekday, the government's transfers. Empty: only FEEDBACK_HOLIDAYS."),
    Setting("FEEDBACK_HOLIDAYS", (), "Local days off on top of the country's, not working days for "
            "feedback deadlines: ISO dates, e.g. '2026-06-05,2026-09-14' in the environment."),
    Setting("FEEDBACK_RATE_LIMIT", "5 per minute; 30 per day", "Feedback submissions allowed per "
            "client IP address (Flask-Limiter notation); needs RATELIMIT_ENABLED. Counted in the "
            "database too, by the address's keyed hash, so it holds across workers and servers."),
    Setting("FEEDBACK_DUPLICATE_HOURS", 24, "The same text on the same facility from the same "
            "address within this many hours is not stored again; the resident gets the first "
            "item's tracking code."),
    Setting("FEEDBACK_PHOTO_MAX_MB", 5, "Largest photo a resident can attach, in megabytes."),
)


def rate_limits(config: Mapping) -> tuple[tuple[int, dt.timedelta], ...]:
    """FEEDBACK_RATE_LIMIT as (submissions, window) pairs; none when RATELIMIT_ENABLED is off.
    ValueError on a limit that is not in Flask-Limiter's notation."""
    if not config.get("RATELIMIT_ENABLED", True):
        return ()
    return tuple((item.amount, dt.timedelta(seconds=item.get_expiry()))
                 for item in parse_many(str(config["FEEDBACK_RATE_LIMIT"])))


def deadline_policy(config: Mapping) -> DeadlinePolicy:
    """The feedback deadline rules from the settings (ValueError on a bad date, time zone or country)."""
    try:
        ZoneInfo(config["TIME_ZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"TIME_ZONE {config['TIME_ZONE']!r} is not a known time zone") from exc
    country = str(config["FEEDBACK_HOLIDAYS_COUNTRY"] or "").strip().upper()
    national_calendar(country, 2026)  # an unknown country fails here (each year is then cached)
    return DeadlinePolicy(working_days=int(config["FEEDBACK_DEADLINE_WORKING_DAYS"]),
                          holidays=frozenset(dt.date.fromisoformat(str(day)) for day in config["FEEDBACK_HOLIDAYS"]),
                          time_zone=config["TIME_ZONE"], country=country)
