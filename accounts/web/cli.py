"""Accounts on the command line: ``flask users ...``.

The same ``accounts.users`` functions as the admin pages, so the rules (password policy, last
admin) and the audit entries are the same. The actor is ``cli:<os user>``.
"""

from __future__ import annotations

import getpass
import sys

import click
from flask import Flask

from accounts import sessions
from accounts import users as accounts
from core.db import write_transaction
from core.schema import ROLES
from core.web import database
from core.web.cli import SchemaGroup

users_cli = SchemaGroup("users", help="Officials' accounts and roles.")


def default_actor() -> str:
    """Who acts from the command line, for the audit log: ``cli:<os user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli"



role_option = click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES),
                           help="A role to give; repeat for several.")
actor_option = click.option("--user", "actor", default=default_actor, show_default="cli:<login>",
                            help="Who makes the change (recorded in the audit log).")
password_stdin_option = click.option("--password-stdin", is_flag=True,
                                     help="Read the password from the first line of standard input "
                                          "(for scripts) instead of prompting.")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


def find_or_fail(connection, login: str) -> accounts.User:
    user = accounts.find_user(connection, login)
    if user is None:
        raise click.ClickException(f"There is no account {login!r}.")
    return user


def run_change(change) -> accounts.User:
    """Run one account change in a transaction; a refused change exits non-zero with the reason."""
    try:
        with write_transaction(database.engine()) as connection:
            return change(connection)
    except accounts.AccountError as error:
        raise click.ClickException(error.message()) from error


@users_cli.command("create")
@click.argument("login")
@role_option
@click.option("--name", "display_name", help="The person's full name (default: the login).")
@password_stdin_option
@actor_option
def users_create(login: str, roles: tuple[str, ...], display_name: str | None, password_stdin: bool,
                 actor: str):
    """Add an account LOGIN with the given roles; the password is prompted twice."""
    password = read_password(password_stdin)
    user = run_change(lambda connection: accounts.create_user(
        connection, login, password, display_name=display_name or login, roles=roles, actor=actor))
    click.echo(f"Created account {user.login} with roles {', '.join(user.sorted_roles)}.")


@users_cli.command("list")
def users_list():
    """List every account with its roles and state."""
    with database.engine().connect() as connection:
        users = accounts.list_users(connection)
    if not users:
        click.echo("No account yet: create one with `flask users create LOGIN --role admin`.")
    now = accounts.utc_now()
    for user in users:
        state = "active" if user.is_active else "disabled"
        if user.is_locked(now):
            state += f", locked until {user.locked_until}"
        click.echo(f"{user.login:<24} {','.join(user.sorted_roles) or '-':<24} {state:<10} "
                   f"last login {user.last_login_at or 'never'}  {user.display_name}")


@users_cli.command("set-roles")
@click.argument("login")
@role_option
@actor_option
def users_set_roles(login: str, roles: tuple[str, ...], actor: str):
    """Replace the roles of LOGIN."""
    user = run_change(lambda connection: accounts.set_roles(
        connection, find_or_fail(connection, login).id, roles, actor=actor))
    click.echo(f"{user.login} now has the roles {', '.join(user.sorted_roles)}.")


@users_cli.command("set-password")
@click.argument("login")
@password_stdin_option
@actor_option
def users_set_password(login: str, password_stdin: bool, actor: str):
    """Give LOGIN a new password (also lifts a lockout and ends every session of LOGIN)."""
    password = read_password(password_stdin)
    run_change(lambda connection: accounts.set_password(
        connection, find_or_fail(connection, login).id, password, actor=actor))
    click.echo(f"New password set for {accounts.normalize_login(login)}.")


@users_cli.command("logout-everywhere")
@click.argument("login")
@actor_option
def users_logout_everywhere(login: str, actor: str):
    """End every session of LOGIN, on every device: it must log in again."""
    user = run_change(lambda connection: sessions.logout_everywhere(
        connection, find_or_fail(connection, login).id, actor=actor))
    click.echo(f"Every session of {user.login} has ended.")


@users_cli.command("disable")
@click.argument("login")
@actor_option
def users_disable(login: str, actor: str):
    """Stop LOGIN from logging in (open sessions end at their next request)."""
    user = run_change(lambda connection: accounts.set_active(
        connection, find_or_fail(connection, login).id, False, actor=actor))
    click.echo(f"Account {user.login} disabled.")


@users_cli.command("enable")
@click.argument("login")
@actor_option
def users_enable(login: str, actor: str):
    """Let a disabled LOGIN log in again."""
    user = run_change(lambda connection: accounts.set_active(
        connection, find_or_fail(connection, login).id, True, actor=actor))
    click.echo(f"Account {user.login} enabled.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
