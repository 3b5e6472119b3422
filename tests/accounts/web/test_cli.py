"""`flask users ...` and `flask demo admin`: the same rules and audit entries as the admin pages."""

import re

import sqlalchemy as sa

from accounts import users as accounts
from core.schema import audit_log, user_roles
from core.schema import users as users_table
from tests.helpers import GOOD_ROWS, budget_csv

PASSWORD = "a long enough password"


def users(engine) -> dict[str, accounts.User]:
    with engine.connect() as connection:
        return {user.login: user for user in accounts.list_users(connection)}


def audit_actions(engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(audit_log.c.actor, audit_log.c.action).order_by(audit_log.c.id))]


def create(runner, *args, password=PASSWORD):
    return runner.invoke(args=["users", "create", *args, "--password-stdin"], input=password + "\n")


def test_create_with_a_prompted_password_asked_twice(runner, engine):
    result = runner.invoke(args=["users", "create", " Aigul ", "--role", "admin", "--role", "editor",
                                 "--name", "Aigul Nurlanovna"],
                           input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "The two entered values do not match." in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert "Created account aigul with roles admin, editor." in result.output
    user = users(engine)["aigul"]
    assert user.display_name == "Aigul Nurlanovna" and user.roles == {"admin", "editor"}
    actor, action = audit_actions(engine)[-1]
    assert action == "user_create" and actor.startswith("cli")


def test_create_from_stdin_for_scripts_and_the_policy_applies(runner, engine):
    assert create(runner, "bolat", "--role", "editor").exit_code == 0
    assert users(engine)["bolat"].display_name == "bolat"
    short = create(runner, "short", "--role", "editor", password="123")
    assert short.exit_code == 1 and "The password must have at least 10 characters." in short.output
    taken = create(runner, "BOLAT", "--role", "editor")
    assert taken.exit_code == 1 and "The login name bolat is already taken." in taken.output
    unknown_role = create(runner, "x1", "--role", "root")
    assert unknown_role.exit_code == 2 and "'root' is not one of 'admin', 'editor', 'moderator'" in unknown_role.output
    no_role = create(runner, "x2")
    assert no_role.exit_code == 2 and "Missing option '--role'" in no_role.output
    assert set(users(engine)) == {"bolat"}


def test_list_shows_roles_and_state(runner, engine):
    create(runner, "boss", "--role", "admin")
    create(runner, "aigul", "--role", "editor", "--role", "moderator", "--user", "akimat:root")
    runner.invoke(args=["users", "disable", "aigul"])
    output = runner.invoke(args=["users", "list"]).output
    lines = {line.split()[0]: line for line in output.splitlines()}
    assert re.search(r"aigul\s+editor,moderator\s+disabled\s+last login never", lines["aigul"])
    assert re.search(r"boss\s+admin\s+active", lines["boss"])
    assert ("akimat:root", "user_create") in audit_actions(engine)


def test_list_without_accounts_says_how_to_make_one(runner):
    assert "flask users create LOGIN --role admin" in runner.invoke(args=["users", "list"]).output


def test_set_roles_disable_enable_and_the_last_admin_rule(runner, engine):
    create(runner, "boss", "--role", "admin")
    create(runner, "aigul", "--role", "editor")
    result = runner.invoke(args=["users", "set-roles", "AIGUL", "--role", "moderator", "--role", "editor"])
    assert result.exit_code == 0 and "aigul now has the roles editor, moderator." in result.output
    last = runner.invoke(args=["users", "set-roles", "boss", "--role", "editor"])
    assert last.exit_code == 1 and "At least one active account must keep the admin role." in last.output
    assert runner.invoke(args=["users", "disable", "boss"]).exit_code == 1
    assert "Account aigul disabled." in runner.invoke(args=["users", "disable", "aigul"]).output
    assert not users(engine)["aigul"].is_active
    assert "Account aigul enabled." in runner.invoke(args=["users", "enable", "aigul"]).output
    missing = runner.invoke(args=["users", "disable", "nobody"])
    assert missing.exit_code == 1 and "There is no account 'nobody'." in missing.output
    assert [a for _, a in audit_actions(engine)] == ["user_create", "user_create", "user_roles",
                                                     "user_disable", "user_enable"]


def test_set_password(runner, engine):
    create(runner, "aigul", "--role", "editor")
    result = runner.invoke(args=["users", "set-password", "aigul", "--password-stdin"],
                           input="another long password\n")
    assert result.exit_code == 0 and "New password set for aigul." in result.output
    with engine.begin() as connection:
        assert accounts.authenticate(connection, "aigul", "another long password").ok
        assert not accounts.authenticate(connection, "aigul", PASSWORD).ok


def test_demo_admin_is_created_once_with_the_demo_data_only(runner, engine, publish_csv):
    refused = runner.invoke(args=["demo", "admin"])
    assert refused.exit_code == 0 and "not the demo data; no demo admin was created" in refused.output
    publish_csv(budget_csv(*GOOD_ROWS), actor="demo", kind="demo")
    result = runner.invoke(args=["demo", "admin"])
    assert result.exit_code == 0, result.output
    login = re.search(r"login:\s+(\S+)", result.output).group(1)
    password = re.search(r"password:\s+(\S+)", result.output).group(1)
    assert login == "demo-admin" and len(password) >= accounts.MIN_PASSWORD_LENGTH
    with engine.begin() as connection:
        outcome = accounts.authenticate(connection, login, password)
        dump = "\n".join(str(tuple(row)) for table in (users_table, user_roles, audit_log)
                         for row in connection.execute(sa.select(table)))
    assert outcome.ok and outcome.user.roles == {"admin", "editor", "moderator"}
    assert password not in dump  # only the hash is stored
    again = runner.invoke(args=["demo", "admin"])
    assert again.exit_code == 0 and "Accounts exist already" in again.output
    assert "password:" not in again.output and len(users(engine)) == 1
