"""The officials' workspace under /admin: the dashboard, accounts and the audit log.

Every view carries ``roles_required``; a test walks the URL map so no /admin route escapes it.
Views parse the request, call ``accounts.users`` / ``accounts.audit`` and render or redirect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField, StringField, widgets
from wtforms.validators import EqualTo, InputRequired

from accounts import audit, sessions
from accounts import users as accounts
from accounts.web import sessions as web_sessions
from accounts.web.auth import account_error_text, client_address, continue_session, current_actor, roles_required
from core.db import write_transaction
from core.schema import ROLES
from core.web import database

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {"admin": _l("Administrator"), "editor": _l("Editor"), "moderator": _l("Moderator")}
ROLE_DESCRIPTIONS = {
    "admin": _l("manages accounts and reads the audit log"),
    "editor": _l("uploads and publishes budget data"),
    "moderator": _l("moderates residents' feedback"),
}
AUDIT_PAGE_SIZE = 50
# The accounts' audit actions in words; the log shows any other action by its code.
AUDIT_LABELS = {
    "login": _l("Logged in"), "login_failed": _l("Failed login"), "lockout": _l("Account locked"),
    "logout": _l("Logged out"), "user_create": _l("Account created"),
    "user_roles": _l("Roles changed"), "user_disable": _l("Account disabled"),
    "user_enable": _l("Account enabled"), "user_unlock": _l("Account unlocked"),
    "user_password": _l("Password changed"), sessions.SESSION_EVENT: _l("Logged out everywhere"),
}


@dataclass(frozen=True)
class AdminArea:
    """A section of the workspace shown on the dashboard to the roles that may use it."""

    endpoint: str
    title: str
    description: str
    roles: frozenset[str]


# The accounts' own sections; each feature lists its own and create_app registers them all
# (``register_areas``), so nothing is added to a list at import time.
AREAS = (
    AdminArea("admin.users", _l("Accounts"),
              _l("Add officials' accounts, give them roles, disable or unlock them."), frozenset({"admin"})),
    AdminArea("admin.audit_log", _l("Audit log"),
              _l("Who did what and when: logins, publications, account changes."), frozenset({"admin"})),
)


class RoleCheckboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def role_choices() -> list[tuple[str, str]]:
    return [(role, f"{ROLE_LABELS[role]} — {ROLE_DESCRIPTIONS[role]}") for role in ROLES]


class NewUserForm(FlaskForm):
    login = StringField(_l("Login name"), validators=[InputRequired(_l("Enter a login name."))],
                        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    display_name = StringField(_l("Full name"), validators=[InputRequired(_l("Enter the person's name."))],
                               render_kw={"autocomplete": "off"})
    password = PasswordField(
        _l("Initial password"), validators=[InputRequired(_l("Enter a password."))],
        description=_l("At least %(num)d characters. Give it to the person in private.",
                       num=accounts.MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(
        _l("Initial password again"),
        validators=[InputRequired(_l("Enter the password again.")),
                    EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})
    # Unknown roles are refused by accounts.users, with our own translated message.
    roles = RoleCheckboxes(_l("Roles"), choices=role_choices, validate_choice=False)


# Which form field an AccountError from create_user belongs to.
ERROR_FIELDS = {"login_required": "login", "login_too_long": "login", "login_characters": "login",
                "login_taken": "login", "name_required": "display_name",
                "password_too_short": "password", "password_too_long": "password",
                "unknown_role": "roles"}


def register_areas(app, *areas: AdminArea) -> None:
    """The sections the /admin dashboard offers, in order (each shown to the roles it names)."""
    app.extensions["admin_areas"] = (*AREAS, *areas)


def areas_for(user) -> list[AdminArea]:
    return [area for area in current_app.extensions["admin_areas"]
            if user.is_authenticated and user.has_role(*area.roles)]


@bp.context_processor
def workspace_context() -> dict:
    return {"admin_areas": areas_for(current_user), "role_labels": ROLE_LABELS, "audit_labels": AUDIT_LABELS}


@bp.get("/")
@roles_required(*ROLES)
def dashboard():
    return render_template("admin/dashboard.html")


def render_users(form: NewUserForm, status: int = 200):
    users = accounts.list_users(database.connection())
    return render_template("admin/users.html", users=users, form=form, roles=ROLES,
                           now=accounts.utc_now()), status


@bp.get("/users")
@roles_required("admin")
def users():
    return render_users(NewUserForm())


@bp.post("/users")
@roles_required("admin")
def create_user():
    form = NewUserForm()
    if not form.validate_on_submit():
        return render_users(form, 400)
    try:
        with write_transaction(database.engine()) as connection:
            user = accounts.create_user(connection, form.login.data, form.password.data,
                                        display_name=form.display_name.data, roles=form.roles.data,
                                        actor=current_actor())
    except accounts.AccountError as error:
        field = form[ERROR_FIELDS.get(error.code, "login")]
        field.errors = [*field.errors, account_error_text(error)]
        return render_users(form, 400)
    flash(_("Account %(login)s created.", login=user.login), "success")
    return redirect(url_for("admin.users"))


def change_account(change, success_message: str):
    """Run one account change in a transaction; flash the outcome; back to the list.

    A change of one's own account ends its sessions too: this browser's is signed in again."""
    try:
        with write_transaction(database.engine()) as connection:
            user = change(connection)
    except accounts.AccountError as error:
        flash(account_error_text(error), "error")
    else:
        if user.id == current_user.id and user.session_generation != current_user.account.session_generation:
            continue_session(user)
        flash(success_message % {"login": user.login}, "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/roles")
@roles_required("admin")
def change_roles(user_id: int):
    roles = request.form.getlist("roles")
    return change_account(
        lambda connection: accounts.set_roles(connection, user_id, roles, actor=current_actor(),
                                              acting_user_id=current_user.id),
        _("Roles of %(login)s saved."))


@bp.post("/users/<id:user_id>/disable")
@roles_required("admin")
def disable_user(user_id: int):
    return change_account(
        lambda connection: accounts.set_active(connection, user_id, False, actor=current_actor(),
                                               acting_user_id=current_user.id),
        _("Account %(login)s disabled."))


@bp.post("/users/<id:user_id>/enable")
@roles_required("admin")
def enable_user(user_id: int):
    return change_account(
        lambda connection: accounts.set_active(connection, user_id, True, actor=current_actor(),
                                               acting_user_id=current_user.id),
        _("Account %(login)s enabled."))


@bp.post("/users/<id:user_id>/logout-everywhere")
@roles_required("admin")
def logout_user_everywhere(user_id: int):
    if user_id == current_user.id:
        return logout_own_sessions()
    return change_account(
        lambda connection: sessions.logout_everywhere(connection, user_id, actor=current_actor(),
                                                      client=client_address()),
        _("Every session of %(login)s was ended: they must log in again."))


@bp.post("/users/<id:user_id>/unlock")
@roles_required("admin")
def unlock_user(user_id: int):
    return change_account(
        lambda connection: accounts.unlock(connection, user_id, actor=current_actor()),
        _("Account %(login)s unlocked."))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(_l("Enter your current password."))],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        _l("New password"), validators=[InputRequired(_l("Enter a password."))],
        description=_l("At least %(num)d characters.", num=accounts.MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_l("Enter the password again.")),
                    EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})


def render_account(form: PasswordChangeForm, status: int = 200):
    return render_template("admin/account.html", form=form), status


@bp.get("/account")
@roles_required(*ROLES)
def account():
    """The signed-in official's own account: a new password, logging out everywhere."""
    return render_account(PasswordChangeForm())


@bp.post("/account/password")
@roles_required(*ROLES)
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_account(form, 400)
    try:
        with write_transaction(database.engine()) as connection:
            user = sessions.change_own_password(connection, current_user.id, form.current_password.data,
                                                form.password.data)
    except accounts.AccountError as error:
        field = form.current_password if error.code == "wrong_current_password" else form.password
        field.errors = [*field.errors, account_error_text(error)]
        return render_account(form, 400)
    continue_session(user)  # this browser stays signed in; every other session has ended
    flash(_("Your password was changed. Every other session of your account has ended."), "success")
    return redirect(url_for("admin.account"))


@bp.post("/account/logout-everywhere")
@roles_required(*ROLES)
def logout_own_sessions():
    with write_transaction(database.engine()) as connection:
        sessions.logout_everywhere(connection, current_user.id, actor=current_actor(),
                                   client=client_address())
    logout_user()
    web_sessions.end(None)
    flash(_("You have logged out on every device and browser."), "info")
    return redirect(url_for("auth.login"))


def parse_day(text: str | None) -> dt.date | None:
    """A YYYY-MM-DD filter value; ValueError when it is not one."""
    return dt.date.fromisoformat(text) if text else None


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    args = request.args
    filters = {"action": args.get("action", "").strip(), "actor": args.get("actor", "").strip(),
               "since": args.get("since", "").strip(), "until": args.get("until", "").strip()}
    problems = []
    days = {}
    for key in ("since", "until"):
        try:
            days[key] = parse_day(filters[key])
        except ValueError:
            problems.append(_("%(value)s is not a date; write it as YYYY-MM-DD.", value=filters[key]))
            days[key], filters[key] = None, ""
    connection = database.connection()
    page = audit.search(connection, action=filters["action"] or None, actor=filters["actor"] or None,
                        since=days["since"], until=days["until"], page=args.get("page", 1, type=int),
                        per_page=AUDIT_PAGE_SIZE)
    active_filters = {key: value for key, value in filters.items() if value}
    return render_template("admin/audit.html", page=page, filters=filters, active_filters=active_filters,
                           actions=audit.actions(connection), problems=problems)
