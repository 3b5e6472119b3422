"""The session cookie's side of logins: Secure on HTTPS, the login times, the reason a session
ended, and a form that could not be sent because it had.

Flask-Login keeps ``accounts.sessions.session_key`` (``id:generation``) in the signed cookie;
this module adds when the session logged in and when it was last used, which
``accounts.sessions.expiry`` judges at each request (``accounts.web.auth.load_user``). A session
that ended leaves its reason in the cookie, so the login form can say why.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts import sessions
from accounts import users as accounts
from accounts.settings import session_policy

LOGIN_KEYS = ("_user_id", "_fresh", "_id")  # Flask-Login's own
SIGNED_IN_AT, SEEN_AT, ENDED, UNSENT = "_signed_in_at", "_seen_at", "_signed_out", "_unsent_form"
REVOKED = "revoked"  # the account's sessions were ended (or the cookie predates generations)
TOUCH_EVERY = dt.timedelta(minutes=1)  # a new cookie at most once a minute, not on every request
MAX_COOKIE_BYTES = 3800  # browsers drop a cookie above about 4096 bytes, and the login with it


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per set of keys,
    and the cookie ``Secure`` whenever the request came over HTTPS.

    Flask builds the serializer afresh on every request, cookie or not: a tenth of the worker's
    time for a cached map-data request (docs/benchmarks.md). It holds only the keys and settings.
    ``request.is_secure`` honours X-Forwarded-Proto through ProxyFix when TRUSTED_PROXY_COUNT
    is set; SESSION_COOKIE_SECURE makes the cookie Secure on plain http too.
    """

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cache = app.extensions.setdefault("session_serializers", {})
        if keys not in cache:
            cache.clear()  # the keys changed: drop the old serializer
            cache[keys] = super().get_signing_serializer(app)
        return cache[keys]

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def policy() -> sessions.SessionPolicy:
    return session_policy(current_app.config)


def stamp_login() -> None:
    """Start the lifetimes of the session just logged in."""
    moment = accounts.format_time(sessions.now())
    session[SIGNED_IN_AT] = session[SEEN_AT] = moment
    session.pop(ENDED, None)


def lifetime_ended() -> str | None:
    """Why the signed-in session has run out (``sessions.Expiry`` value), or None; refreshes
    the time it was last used (at most once a minute)."""
    moment = sessions.now()
    try:
        expiry = sessions.expiry(session[SIGNED_IN_AT], session[SEEN_AT], policy(), moment)
    except (KeyError, TypeError, ValueError):  # no or unreadable times: not a session of ours
        return REVOKED
    if expiry is not None:
        return expiry.value
    if moment - accounts.parse_time(session[SEEN_AT]) >= TOUCH_EVERY:
        session[SEEN_AT] = accounts.format_time(moment)
    return None


def end(reason: str | None) -> None:
    """Forget the login in this cookie (keeping the language and CSRF token); remember why."""
    for key in (*LOGIN_KEYS, SIGNED_IN_AT, SEEN_AT):
        session.pop(key, None)
    if reason:
        session[ENDED] = reason


def ended_text(reason: str | None) -> str | None:
    """The login form's words for why the session ended, or None when it was not ended."""
    if reason == sessions.Expiry.IDLE.value:
        minutes = policy().idle_minutes
        return ngettext("You were signed out after %(num)d minute without activity. Please log in again.",
                        "You were signed out after %(num)d minutes without activity. Please log in again.",
                        minutes)
    if reason == sessions.Expiry.ABSOLUTE.value:
        hours = policy().max_hours
        return ngettext("You were signed out: a session lasts at most %(num)d hour after logging in. "
                        "Please log in again.",
                        "You were signed out: a session lasts at most %(num)d hours after logging in. "
                        "Please log in again.", hours)
    if reason == REVOKED:
        return _("You were signed out because this account logged out, its password or roles changed, "
                 "or all its sessions were ended. Please log in again.")
    return None


def pop_ended_text() -> str | None:
    return ended_text(session.pop(ENDED, None))


# ---------------------------------------------------------------- a form sent too late

def keep_unsent_form() -> None:
    """Keep what a POST refused for want of a login carried, to offer sending it again after
    logging in. Never passwords or files, and only what fits in the cookie."""
    if request.method != "POST" or request.files:
        return
    fields = [[name, value] for name, value in request.form.items(multi=True)
              if name != "csrf_token" and "password" not in name.lower()]
    if not fields:
        return
    unsent = {"action": request.full_path.rstrip("?"), "fields": fields}
    serializer = current_app.session_interface.get_signing_serializer(current_app)
    if len(serializer.dumps({**session, UNSENT: unsent})) <= MAX_COOKIE_BYTES:
        session[UNSENT] = unsent


def pop_unsent_form() -> dict | None:
    unsent = session.pop(UNSENT, None)
    if not isinstance(unsent, dict) or not isinstance(unsent.get("fields"), list):
        return None
    return unsent


def has_unsent_form() -> bool:
    return UNSENT in session
