"""Settings of signed-in sessions: how long one lasts without a request, and at most."""

from __future__ import annotations

from collections.abc import Mapping

from accounts.sessions import SessionPolicy
from core.settings import Setting

SETTINGS: tuple[Setting, ...] = (
    Setting("SESSION_IDLE_MINUTES", 60, "Minutes without a request after which a signed-in "
            "official is signed out and must log in again."),
    Setting("SESSION_MAX_HOURS", 12, "Hours after logging in after which a session ends, however "
            "active: the official logs in again."),
)


def session_policy(config: Mapping) -> SessionPolicy:
    """The session lifetimes from the settings (ValueError when one is not a positive number)."""
    idle, most = int(config["SESSION_IDLE_MINUTES"]), int(config["SESSION_MAX_HOURS"])
    if idle < 1 or most < 1:
        raise ValueError("SESSION_IDLE_MINUTES and SESSION_MAX_HOURS must be at least 1")
    return SessionPolicy(idle_minutes=idle, max_hours=most)
