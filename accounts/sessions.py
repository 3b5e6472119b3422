"""Signed-in sessions: what the session cookie carries, when a session has run out, and
ending every session of an account.

The cookie is signed, not stored: a copy of it works wherever it is replayed. So it carries,
besides the account id, the account's ``session_generation`` (see ``session_key``); every
request compares it with the stored one, and each of logout, a new password, a role change,
disabling and "log out everywhere" raises the stored one (``accounts.users.END_SESSIONS``),
which refuses every cookie issued before. Two lifetimes bound a session that nobody ends:
``idle_minutes`` without a request and ``max_hours`` after logging in.

Plain functions on a SQLAlchemy connection; the web part (``accounts.web.sessions``) keeps
the times in the cookie and asks ``expiry``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

import sqlalchemy as sa

from accounts import audit
from accounts import users as accounts
from core.schema import users

SESSION_EVENT = "sessions_ended"  # the audit action of "log out everywhere"


@dataclass(frozen=True)
class SessionPolicy:
    idle_minutes: int = 60
    max_hours: int = 12


class Expiry(enum.Enum):
    IDLE = "idle"  # no request for longer than idle_minutes
    ABSOLUTE = "absolute"  # logged in longer ago than max_hours


def now() -> dt.datetime:
    """The clock of session lifetimes (tests replace it to move time on)."""
    return accounts.utc_now()


def session_key(user: accounts.User) -> str:
    """What the cookie carries to name the account and the sessions still valid: ``id:generation``."""
    return f"{user.id}:{user.session_generation}"


def parse_session_key(text: str | None) -> tuple[int, int] | None:
    """``(id, generation)`` from ``session_key``'s text, or None (a cookie from before, or garbage)."""
    user_id, separator, generation = (text or "").partition(":")
    if not separator or not user_id.isdigit() or not generation.isdigit():
        return None
    return int(user_id), int(generation)


def expiry(signed_in_at: str, seen_at: str, policy: SessionPolicy,
           moment: dt.datetime | None = None) -> Expiry | None:
    """Whether a session logged in at ``signed_in_at`` and last used at ``seen_at`` has run out.

    Both are ``accounts.users.format_time`` texts; ValueError when one is not.
    """
    moment = moment or now()
    if moment - accounts.parse_time(signed_in_at) >= dt.timedelta(hours=policy.max_hours):
        return Expiry.ABSOLUTE
    if moment - accounts.parse_time(seen_at) >= dt.timedelta(minutes=policy.idle_minutes):
        return Expiry.IDLE
    return None


def current_account(connection: sa.Connection, key: str | None) -> accounts.User | None:
    """The active account whose sessions ``key`` still opens, or None."""
    parsed = parse_session_key(key)
    if parsed is None:
        return None
    user = accounts.get_user(connection, parsed[0])
    if user is None or not user.is_active or user.session_generation != parsed[1]:
        return None
    return user


def logout_everywhere(connection: sa.Connection, user_id: int, *, actor: str,
                      client: str | None = None) -> accounts.User:
    """End every open session of an account, on every device; the account stays as it is."""
    user = accounts.get_user(connection, user_id)
    if user is None:
        raise accounts.AccountError("no_such_user")
    connection.execute(users.update().where(users.c.id == user_id).values(**accounts.END_SESSIONS))
    audit.record(connection, actor, SESSION_EVENT, "user", user_id,
                 {"login": user.login, "client": client})
    return accounts.get_user(connection, user_id)


def change_own_password(connection: sa.Connection, user_id: int, current_password: str,
                        new_password: str) -> accounts.User:
    """A signed-in official's new password, once the current one is right; ends every session."""
    accounts.check_current_password(connection, user_id, current_password)
    user = accounts.get_user(connection, user_id)
    accounts.set_password(connection, user_id, new_password, actor=user.login)
    return accounts.get_user(connection, user_id)
