"""Alembic environment: migrations run on the connection ``data.db.upgrade`` hands over."""

from alembic import context

from data.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through data.db.upgrade
    raise RuntimeError("Run migrations through `flask db upgrade` (data.db.upgrade).")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
