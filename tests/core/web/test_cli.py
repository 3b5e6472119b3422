"""Commands on a database that was never migrated, or is behind, stop with what to run."""

import pytest

from app import create_app
from core.db import upgrade
from core.web.cli import SchemaGroup
from tests.helpers import GOOD_ROWS, budget_csv

COMMANDS = [
    ["budget", "history"],
    ["budget", "rollback", "1", "--yes"],
    ["demo", "load"],
    ["demo", "admin"],
    ["users", "list"],
    ["users", "disable", "aigul"],
]


@pytest.fixture()
def bare_app(tmp_path):
    """An app on a new database file that nobody has migrated."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                      "SECRET_KEY": "test", "TILES_URL": "", "DEMO_DATA_FILE": str(tmp_path / "demo.csv")})
    yield app
    app.extensions["engine"].dispose()


def assert_stopped(result, words):
    assert result.exit_code == 1, result.output
    assert "`flask db upgrade`" in result.output and words in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_on_an_unmigrated_database_says_to_upgrade(bare_app, args):
    assert_stopped(bare_app.test_cli_runner().invoke(args=args), "is not set up")


def test_import_on_an_unmigrated_database_says_to_upgrade(bare_app, tmp_path):
    table = tmp_path / "budget.csv"
    table.write_bytes(budget_csv(*GOOD_ROWS))
    assert_stopped(bare_app.test_cli_runner().invoke(args=["budget", "import", str(table)]), "is not set up")


def test_a_database_behind_the_code_says_so_and_works_after_the_upgrade(bare_app):
    runner = bare_app.test_cli_runner()
    upgrade(bare_app.extensions["engine"], "0006")
    assert_stopped(runner.invoke(args=["budget", "history"]), "is behind this version")
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["budget", "history"])
    assert (result.exit_code, result.output) == (0, "No version has been published yet.\n")
    assert runner.invoke(args=["users", "list"]).exit_code == 0


def test_help_and_commands_without_the_database_still_run(bare_app, tmp_path):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["budget", "history", "--help"]).exit_code == 0
    assert runner.invoke(args=["demo", "generate"]).exit_code == 0
    assert (tmp_path / "demo.csv").read_bytes().startswith(b"facility_id")


def test_a_database_from_a_newer_release_warns_and_goes_on(bare_app):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with bare_app.extensions["engine"].begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    result = runner.invoke(args=["budget", "history"])
    assert result.exit_code == 0 and "migrated by a newer version" in result.output


def test_every_command_group_checks_the_schema_except_db(bare_app):
    groups = {name: type(group) for name, group in bare_app.cli.commands.items() if hasattr(group, "commands")}
    assert {name for name, kind in groups.items() if not issubclass(kind, SchemaGroup)} == {"db"}
