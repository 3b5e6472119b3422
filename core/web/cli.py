"""Command groups whose commands first make sure the database's schema is the code's.

A command run on a database that was never migrated, or migrated by an older release, would
fail somewhere inside with "no such table" and a traceback. ``SchemaGroup`` checks once per
command (``core.db.schema_state``) after its arguments are read, so ``--help`` always works,
and stops with what to run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from core.db import migration_revisions, schema_state
from core.web import database

UPGRADE = "flask db upgrade"


def schema_problem(state: str, where: str) -> str | None:
    """What to tell an administrator about a schema in ``state`` (None: nothing to say)."""
    heads = ", ".join(sorted(migration_revisions()[0]))
    if state == "missing":
        return f"The database {where} is not set up: run `{UPGRADE}` first."
    if state == "behind":
        return (f"The database {where} is behind this version of the application (it needs "
                f"revision {heads}): run `{UPGRADE}` first.")
    if state == "ahead":
        return (f"Warning: the database {where} was migrated by a newer version of the application "
                f"(this one knows revisions up to {heads}).")
    return None


def check_schema() -> None:
    """Stop the command (exit code 1, no traceback) unless the schema is current or newer."""
    engine = database.engine()
    where = engine.url.render_as_string(hide_password=True)
    try:
        state = schema_state(engine)
    except SQLAlchemyError as exc:
        raise click.ClickException(f"Cannot open the database {where}: {getattr(exc, 'orig', None) or exc}") from exc
    problem = schema_problem(state, where)
    if state == "ahead":
        click.echo(problem, err=True)
    elif problem:
        raise click.ClickException(problem)


def needs_current_schema(f: Callable) -> Callable:
    @functools.wraps(f)
    def checked(*args, **kwargs):
        check_schema()
        return f(*args, **kwargs)
    return checked


class SchemaGroup(AppGroup):
    """An ``AppGroup`` whose commands check the schema before they run;
    ``@group.command(..., needs_schema=False)`` for one that never opens the database."""

    def command(self, *args, needs_schema: bool = True, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(f: Callable) -> click.Command:
            # Inside the app context that AppGroup's wrapper pushes around the callback.
            return register(needs_current_schema(f) if needs_schema else f)
        return decorator
