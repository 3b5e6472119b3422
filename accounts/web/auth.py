"""Logging in and out, who may open which page, and the protections every form shares.

- Flask-Login keeps the account id and its session generation (``accounts.sessions``) in the
  signed session cookie; the account is read again at each request and the generation
  compared, so logging out, a new password, a role change, disabling it or "log out
  everywhere" end every copy of the cookie at once. The idle and absolute lifetimes
  (``accounts.web.sessions``) are checked at the same time; the cookie is Secure on HTTPS.
- CSRFProtect checks a token on every POST, PUT, PATCH and DELETE in the whole app: a form
  carries ``{{ csrf_token() }}`` (or ``form.hidden_tag()``), or the request gets a 400.
- Flask-Limiter limits login form submissions per client address; the account lockout
  (``accounts.users``) limits guesses per account. Both are needed: the rate limit slows one
  machine trying many accounts, the lockout many machines trying one account.

Views elsewhere use ``roles_required(...)`` and ``current_actor()``.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired

from accounts import sessions
from accounts import users as accounts
from accounts.web import sessions as web_sessions
from core.db import write_transaction
from core.schema import ROLES
from core.web import database

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()


class SignedInUser(UserMixin):
    """The Flask-Login user: an ``accounts.User`` read at this request."""

    def __init__(self, account: accounts.User):
        self.account = account

    def get_id(self) -> str:
        return sessions.session_key(self.account)  # "id:generation": a raised generation refuses it

    @property
    def is_active(self) -> bool:
        return self.account.is_active

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def login(self) -> str:
        return self.account.login

    @property
    def display_name(self) -> str:
        return self.account.display_name

    @property
    def roles(self) -> frozenset[str]:
        return self.account.roles

    def has_role(self, *roles: str) -> bool:
        return self.account.has_role(*roles)


@login_manager.user_loader
def load_user(key: str) -> SignedInUser | None:
    """The signed-in account, or None (logged out): when it is gone or disabled, its sessions
    were ended since this one logged in, or this one has been idle or open too long."""
    try:
        account = sessions.current_account(database.connection(), key)
    except SQLAlchemyError:  # an error page must still render when the database fails
        current_app.logger.exception("Could not load the signed-in account")
        return None
    reason = web_sessions.REVOKED if account is None else web_sessions.lifetime_ended()
    if reason is not None:
        web_sessions.end(reason)
        return None
    return SignedInUser(account)


def start_session(account: accounts.User) -> None:
    """Sign ``account`` in on this browser: its lifetimes start now."""
    login_user(SignedInUser(account))
    web_sessions.stamp_login()


def continue_session(account: accounts.User) -> None:
    """Keep this browser signed in after a change of its own account that ended every session
    (its new generation; the lifetimes go on from the login)."""
    login_user(SignedInUser(account))


def return_path() -> str | None:
    """Where to come back after logging in: this page, or for a form the page it was sent from."""
    if request.method == "GET":
        return safe_next(request.full_path.rstrip("?"))
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


@login_manager.unauthorized_handler
def send_to_login():
    """Anonymous visitors of a protected page go to the login form, coming back after it;
    a session that ended says why, and a form it refused is offered again after the login."""
    ended = web_sessions.pop_ended_text()
    flash(ended or _("Please log in to see this page."), "info")
    if ended:  # only a form typed while signed in is worth offering again
        web_sessions.keep_unsent_form()
    return redirect(url_for("auth.login", next=return_path()))


def roles_required(*roles: str):
    """Let a view run only for a signed-in account holding at least one of ``roles``.

    Anonymous visitors are sent to the login form (302, with ``next``); accounts without the
    role get 403. The roles are kept on the view as ``required_roles`` so tests can list them.
    """
    if not roles or not set(roles) <= set(ROLES):
        raise ValueError(f"roles_required needs roles among {ROLES}, not {roles}")

    def decorator(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_roles = frozenset(roles)
        return guarded

    return decorator


def current_actor() -> str:
    """Who is acting, as written in the audit log and in versions: the login name."""
    return current_user.login if current_user.is_authenticated else "anonymous"


def client_address() -> str | None:
    return request.remote_addr


def account_error_text(error: accounts.AccountError) -> str:
    """An ``AccountError`` in the reader's language."""
    return _(error.template, **error.params)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: never redirect elsewhere after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(char) <= 32 or ord(char) == 127 for char in target):  # browsers drop tabs: "/\t/x"
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def lockout_policy() -> accounts.LockoutPolicy:
    config = current_app.config
    return accounts.LockoutPolicy(max_failed_attempts=int(config["LOGIN_MAX_FAILED_ATTEMPTS"]),
                                  lock_minutes=int(config["LOGIN_LOCKOUT_MINUTES"]))


class LoginForm(FlaskForm):
    login = StringField(_l("Login name"), validators=[InputRequired(_l("Enter your login name."))],
                        render_kw={"autocomplete": "username", "autocapitalize": "none",
                                   "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})


def refusal_text(result: accounts.LoginResult) -> str:
    if result.status is accounts.LoginStatus.LOCKED:
        remaining = accounts.parse_time(result.locked_until) - accounts.utc_now()
        minutes = max(1, -(-int(remaining.total_seconds()) // 60))
        return ngettext("Too many failed attempts: this account is locked. Try again in %(num)d minute.",
                        "Too many failed attempts: this account is locked. Try again in %(num)d minutes.",
                        minutes)
    if result.status is accounts.LoginStatus.DISABLED:
        return _("This account is disabled. Ask an administrator to enable it.")
    return _("Wrong login name or password.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("admin.dashboard"))
    form = LoginForm()
    refusal = None
    ended = web_sessions.pop_ended_text()  # this browser's session ran out or was ended
    if ended:
        flash(ended, "info")
    if form.validate_on_submit():
        with write_transaction(database.engine()) as connection:
            result = accounts.authenticate(connection, form.login.data, form.password.data,
                                           policy=lockout_policy(), client=client_address())
        if result.ok:
            start_session(result.user)
            if web_sessions.has_unsent_form():
                return redirect(url_for("auth.unsent", next=next_path))
            return redirect(next_path or url_for("admin.dashboard"))
        refusal = refusal_text(result)
    return render_template("auth/login.html", form=form, refusal=refusal, next_path=next_path)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        with write_transaction(database.engine()) as connection:
            accounts.record_logout(connection, current_user.account, client=client_address())
        logout_user()
        web_sessions.end(None)
        flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))  # the public pages show no messages; this one does


@bp.get("/login/unsent")
def unsent():
    """After logging in: the form that was refused because the session had ended, to send again."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    next_path = safe_next(request.args.get("next"))
    form = web_sessions.pop_unsent_form()
    action = safe_next(form["action"]) if form else None
    if action is None:
        return redirect(next_path or url_for("admin.dashboard"))
    return render_template("auth/unsent.html", action=action, fields=form["fields"],
                           back=next_path or url_for("admin.dashboard"))


def rate_limit_storage(config) -> str:
    """RATELIMIT_STORAGE_URI, else the queue's Redis (REDIS_URL): counts every worker and server
    share; else memory:// (per process). While a shared store is down, each process counts in
    memory instead of failing the request."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def init_app(app: Flask) -> None:
    """Bind Flask-Login, CSRF protection and the login rate limit; register /login and /logout."""
    app.session_interface = web_sessions.SignedCookieSessions()
    proxies = int(app.config["TRUSTED_PROXY_COUNT"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(bp)
    # One limiter per app (not a module global), so apps made by tests do not share counts.
    storage = rate_limit_storage(app.config)
    limiter = Limiter(get_remote_address, app=app, storage_uri=storage, headers_enabled=True,
                      in_memory_fallback_enabled=storage != "memory://")
    app.extensions["limiter"] = limiter  # shared: feedback limits submissions with it
    # Only form submissions (POST) are limited: reads skip the limiter's bookkeeping, which was
    # a fifth of the work of a cached map-data request (docs/benchmarks.md).
    limiter.request_filter(lambda: request.method in ("GET", "HEAD", "OPTIONS"))
    limit_like_login(app, "auth.login")


def limit_like_login(app: Flask, endpoint: str) -> None:
    """Submissions of a form that checks a password count against LOGIN_RATE_LIMIT."""
    app.view_functions[endpoint] = app.extensions["limiter"].limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])(app.view_functions[endpoint])
