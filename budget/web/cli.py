"""Command-line tools: ``flask db upgrade``, ``flask demo load``, ``flask budget ...``.

They call the same functions as the web pages (``budget.publish``), so a file imported here is
validated and published exactly like an upload.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from accounts import users as accounts
from accounts.web.cli import default_actor
from budget import preview
from budget import publish as uploads
from budget.apply import REPLACE, UPDATE
from budget.settings import read_limits
from core import versions
from core.db import upgrade, write_transaction
from core.money import whole_tenge
from core.schema import ROLES
from core.web import database
from core.web.cli import SchemaGroup
from risk import store as risk_store
from risk.settings import thresholds as risk_thresholds

db_cli = AppGroup("db", help="Database schema.")
# Their commands first check the schema is migrated (`flask db upgrade` itself does not).
demo_cli = SchemaGroup("demo", help="The bundled demo data set.")
budget_cli = SchemaGroup("budget", help="Import, list and roll back budget versions.")


@db_cli.command("upgrade")
def db_upgrade():
    """Create or migrate the schema and load the district list."""
    engine = database.engine()
    upgrade(engine)
    with write_transaction(engine) as connection:
        uploads.sync_districts(connection, current_app.extensions["geography"].district_records())
        checked = risk_store.check_latest(connection, risk_thresholds(current_app.config))
    if checked is not None:
        click.echo(f"Risk flags computed for version {checked}.")
    click.echo(f"Database ready: {engine.url.render_as_string(hide_password=True)}")


def print_problems(result: uploads.ImportResult) -> None:
    for problem in result.validated.problems:
        where = f"row {problem.row}" if problem.row else "file"
        column = f", {problem.column}" if problem.column else ""
        click.echo(f"{problem.severity.upper()}: {where}{column}: {problem.message()}",
                   err=problem.severity == "error")


def run_import(path: Path, actor: str, dry_run: bool, kind: str = "import",
               mode: str = UPDATE) -> uploads.ImportResult:
    geography = current_app.extensions["geography"]
    result = uploads.import_budget_file(database.engine(), path.read_bytes(), path.name,
                                        geography.districts, actor=actor, dry_run=dry_run, kind=kind,
                                        risk_thresholds=risk_thresholds(current_app.config), mode=mode,
                                        limits=read_limits(current_app.config))
    print_problems(result)
    echo_summary(result)
    return result


def echo_summary(result: uploads.ImportResult) -> None:
    validated = result.validated
    click.echo(f"{len(validated.errors)} error(s), {validated.warning_count} warning(s); "
               f"{len(validated.lines)} budget line(s), {len(validated.facilities)} facilit(ies), "
               f"fiscal years {', '.join(map(str, validated.fiscal_years)) or '-'}.")


def echo_preview(summary: dict) -> None:
    """What the publication would change, destructive changes first (as the workspace shows it)."""
    for entry in summary["removals"]:
        money = whole_tenge(entry["allocated_tiyn_removed"])
        click.secho(f"REMOVES in {entry['fiscal_year']}: {entry['lines_removed']} of {entry['lines_before']} "
                    f"budget line(s), {entry['facilities_removed']} of {entry['facilities_before']} facilit(ies), "
                    f"{money:,} of {whole_tenge(entry['allocated_tiyn_before']):,} KZT allocated", fg="red", err=True)
        for district in entry["districts"]:
            click.secho(f"    {district['name_en']}: {whole_tenge(district['allocated_tiyn_removed']):,} KZT less",
                        fg="red", err=True)
    counts = summary["counts"]
    click.echo(f"Mode {summary['mode']}: {counts['added']} new, {counts['changed']} changed, "
               f"{counts['removed']} removed, {counts['unchanged']} unchanged budget line(s); "
               f"{counts['new_facilities']} new facilit(ies), {counts['attribute_changes']} facility detail(s) changed.")
    for change in summary["attribute_changes"]:
        click.echo(f"    {change['facility_id']} {change['field']}: {change['before']!r} -> {change['after']!r}")


@budget_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace-years", is_flag=True,
              help="FILE is the complete table of the fiscal years it contains: published lines of "
                   "those years that it lacks are removed. Without it, FILE updates: its lines are "
                   "added or replace the published lines with the same key, every other line stays.")
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option("--yes", is_flag=True, help="Publish without asking, even when it removes much.")
@click.option("--user", "actor", default=default_actor, show_default="cli:<login>",
              help="Who publishes (recorded in the version and the audit log).")
def budget_import(file: Path, replace_years: bool, dry_run: bool, yes: bool, actor: str):
    """Validate FILE (CSV or XLSX), show what it changes and publish it as a new version."""
    mode = REPLACE if replace_years else UPDATE
    result = run_import(file, actor, dry_run=True, mode=mode)
    if not result.ok:
        raise click.ClickException("Nothing was imported: fix the errors above and try again.")
    engine = database.engine()
    with engine.connect() as connection, connection.begin():
        base = versions.latest_version_id(connection)
        summary = preview.preview_upload(connection, result.validated, base, mode).summary(limit=50)
    echo_preview(summary)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    if summary["needs_confirmation"] and not yes:
        click.confirm("This removes more than a tenth of a year's lines or money. Publish?", abort=True,
                      err=True)
    try:
        version_id = uploads.publish_validated(
            engine, result.validated, actor=actor, file_name=file.name, sha256=result.sha256,
            expected_version=base, risk_thresholds=risk_thresholds(current_app.config), mode=mode)
    except uploads.StaleVersion as stale:
        raise click.ClickException(f"Version {stale.current} was published meanwhile: run the import "
                                   "again to see what it changes now.") from None
    click.echo(f"Published version {version_id} ({mode}, sha256 {result.sha256}).")


@budget_cli.command("history")
def budget_history():
    """List every version, newest first."""
    with database.engine().connect() as connection:
        versions = uploads.history(connection)
    if not versions:
        click.echo("No version has been published yet.")
    for v in versions:
        origin = (f"rollback to {v['rollback_of']}" if v["kind"] == "rollback"
                  else f"{v['kind']} ({v['mode'] or 'replace'})")
        click.echo(f"{v['id']:>4}  {v['created_at']}  {v['created_by']:<20} {origin:<16} "
                   f"{v['file_name'] or '-'}  rows={v['row_count']} facilities={v['facility_count']} "
                   f"years={v['fiscal_years'] or '-'}  sha256={(v['sha256'] or '-')[:12]}")


@budget_cli.command("rollback")
@click.argument("version", type=int)
@click.option("--user", "actor", default=default_actor, show_default="cli:<login>")
@click.confirmation_option(prompt="Publish a new version equal to that one?")
def budget_rollback(version: int, actor: str):
    """Publish a new version whose data equals VERSION (history is kept)."""
    try:
        with write_transaction(database.engine()) as connection:
            new_version = uploads.rollback(connection, version, actor=actor,
                                           risk_thresholds=risk_thresholds(current_app.config))
    except uploads.RollbackError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Published version {new_version}, equal to version {version}.")


@demo_cli.command("load")
def demo_load():
    """Publish the bundled demo data if nothing has been published yet."""
    with database.engine().connect() as connection:
        if versions.latest_version_id(connection) is not None:
            click.echo("Data already published; the demo data was not loaded.")
            return
    path = Path(current_app.config["DEMO_DATA_FILE"])
    result = run_import(path, "demo", dry_run=False, kind="demo", mode=REPLACE)
    if not result.ok:
        raise click.ClickException(f"The demo data in {path} is invalid.")
    click.echo(f"Demo data published as version {result.version_id}.")


@demo_cli.command("generate", needs_schema=False)
def demo_generate():
    """Regenerate the demo CSV (deterministic) at DEMO_DATA_FILE."""
    from budget.demo.csv_file import write_csv

    write_csv(Path(current_app.config["DEMO_DATA_FILE"]))
    click.echo(f"Wrote {current_app.config['DEMO_DATA_FILE']}.")


DEMO_ADMIN_LOGIN = "demo-admin"


# `make run` calls it after `demo load`.
@demo_cli.command("admin")
def demo_admin():
    """With the demo data and no account yet, create a demo admin and print its password once.

    Only the hash is stored: the password is shown here and nowhere else. Once any account
    exists this does nothing, so the next `make run` prints no password.
    """
    with write_transaction(database.engine()) as connection:
        if accounts.count_users(connection):
            click.echo("Accounts exist already; no demo admin was created "
                       "(`flask users set-password LOGIN` sets a new password).")
            return
        if not versions.shows_demo_data(connection, versions.latest_version_id(connection)):
            click.echo("The published data is not the demo data; no demo admin was created. "
                       "Create an account with `flask users create LOGIN --role admin`.")
            return
        password = secrets.token_urlsafe(12)
        accounts.create_user(connection, DEMO_ADMIN_LOGIN, password, display_name="Demo admin",
                             roles=ROLES, actor="demo")
    click.echo("Demo admin created. Log in at /login with\n"
               f"  login:    {DEMO_ADMIN_LOGIN}\n"
               f"  password: {password}\n"
               "This password is shown only this once.")


def init_app(app: Flask) -> None:
    for group in (db_cli, demo_cli, budget_cli):
        app.cli.add_command(group)
