"""Alembic environment: migrations run on the connection ``core.db.upgrade`` hands over."""

from alembic import context

from core.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through core.db.upgrade
    raise RuntimeError("Run migrations through `flask db upgrade` (core.db.upgrade).")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
