"""The command line: import (and dry run), history, rollback, demo load."""

import sqlalchemy as sa

from core.schema import budget_lines, versions
from tests.helpers import GOOD_ROWS, budget_csv


def write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def count(engine, table):
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_import_publishes_and_history_lists_it(runner, engine, tmp_path):
    path = write(tmp_path, "budget 2025.csv", budget_csv(*GOOD_ROWS))
    result = runner.invoke(args=["budget", "import", path, "--user", "akimat:nurlan"])
    assert result.exit_code == 0, result.output
    assert "Published version 1" in result.output
    assert "0 error(s), 0 warning(s); 3 budget line(s), 2 facilit(ies), fiscal years 2024, 2025." in result.output
    history = runner.invoke(args=["budget", "history"])
    assert history.exit_code == 0
    assert "akimat:nurlan" in history.output and "budget 2025.csv" in history.output
    assert "rows=3 facilities=2 years=2024,2025" in history.output


def test_import_with_errors_prints_every_row_and_exits_non_zero(runner, engine, tmp_path):
    bad = budget_csv(GOOD_ROWS[0], "B1;;Школа;school;43,297;68,2518;2025;repair;abc;",
                     "B2;Мектеп;;castle;76,9;43,2;2025;equipment;-1;")
    path = write(tmp_path, "bad.csv", bad)
    result = runner.invoke(args=["budget", "import", path])
    assert result.exit_code != 0
    output = result.output
    assert "ERROR: row 3, work_type: repair is not one of: construction" in output
    assert "ERROR: row 3, amount_allocated: abc is not a number." in output
    assert "ERROR: row 4, facility_type: castle is not one of" in output
    assert "ERROR: row 4, amount_allocated: The amount cannot be negative." in output
    assert "ERROR: row 4, lat: The point (lat 76,9, lon 43,2) is outside Turkestan region" in output
    assert "Nothing was imported" in output
    assert count(engine, versions) == 0 and count(engine, budget_lines) == 0


def test_dry_run_reports_and_writes_nothing(runner, engine, tmp_path):
    path = write(tmp_path, "ok.csv", budget_csv(*GOOD_ROWS, "W1;А;Б;clinic;43,297;68,2518;2025;equipment;10;20"))
    result = runner.invoke(args=["budget", "import", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "WARNING: row 5, amount_paid: Paid (20) is more than allocated (10)." in result.output
    assert "Dry run: nothing was written." in result.output
    assert count(engine, versions) == 0


def test_rollback_command(runner, engine, tmp_path):
    runner.invoke(args=["budget", "import", write(tmp_path, "a.csv", budget_csv(*GOOD_ROWS))])
    runner.invoke(args=["budget", "import", write(tmp_path, "b.csv", budget_csv(GOOD_ROWS[2]))])
    result = runner.invoke(args=["budget", "rollback", "1", "--yes", "--user", "admin"])
    assert result.exit_code == 0, result.output
    assert "Published version 3, equal to version 1." in result.output
    assert "rollback to 1" in runner.invoke(args=["budget", "history"]).output
    missing = runner.invoke(args=["budget", "rollback", "42", "--yes"])
    assert missing.exit_code != 0 and "There is no version 42." in missing.output
    assert count(engine, versions) == 3


def test_unreadable_file_is_an_error_not_a_crash(runner, tmp_path):
    path = write(tmp_path, "budget.xlsx", b"this is not a workbook")
    result = runner.invoke(args=["budget", "import", path])
    assert result.exit_code == 1
    assert "ERROR: file: The file could not be read" in result.output


def test_an_import_updates_by_default_and_says_what_it_changes(runner, engine, tmp_path):
    runner.invoke(args=["budget", "import", write(tmp_path, "a.csv", budget_csv(*GOOD_ROWS))])
    result = runner.invoke(args=["budget", "import", write(tmp_path, "b.csv", budget_csv(GOOD_ROWS[2]))])
    assert result.exit_code == 0, result.output
    assert "Mode update: 0 new, 0 changed, 0 removed, 2 unchanged budget line(s)" in result.output
    assert "REMOVES" not in result.output and "Published version 2 (update" in result.output
    assert "import (update)" in runner.invoke(args=["budget", "history"]).output


def test_replacing_years_states_the_removal_and_asks_first(runner, engine, tmp_path):
    runner.invoke(args=["budget", "import", write(tmp_path, "a.csv", budget_csv(*GOOD_ROWS))])
    path = write(tmp_path, "b.csv", budget_csv(GOOD_ROWS[2]))
    declined = runner.invoke(args=["budget", "import", path, "--replace-years"], input="n\n")
    assert declined.exit_code != 0
    assert "REMOVES in 2025: 1 of 2 budget line(s), 1 of 2 facilit(ies), 125,000,001 of 137,000,001 KZT" in declined.output
    assert "Publish? [y/N]" in declined.output and count(engine, versions) == 1
    accepted = runner.invoke(args=["budget", "import", path, "--replace-years", "--yes"])
    assert accepted.exit_code == 0, accepted.output
    assert "Published version 2 (replace" in accepted.output and count(engine, versions) == 2
    assert "import (replace)" in runner.invoke(args=["budget", "history"]).output
