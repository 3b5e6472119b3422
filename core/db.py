"""The SQLite database: engine with the right pragmas, and schema upgrades through Alembic."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record):
    """WAL lets readers go on during a publication; foreign keys are off in SQLite by default.

    The driver's own transaction handling is turned off (``isolation_level = None``) so that
    ``_begin`` decides how each transaction starts.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")  # ms a writer waits for another before failing
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# How a SQLite transaction starts, by the ``sqlite_begin`` execution option.
BEGIN_STATEMENTS = {"deferred": "BEGIN", "immediate": "BEGIN IMMEDIATE"}


def _begin(connection: sa.Connection) -> None:
    """Start a transaction: deferred for reads, ``BEGIN IMMEDIATE`` for ``write_transaction``.

    A deferred transaction that reads and then writes cannot wait for another writer: SQLite
    answers "database is locked" at once instead of honouring the busy timeout. Taking the
    write lock at BEGIN makes concurrent writers queue for it instead.
    """
    mode = connection.get_execution_options().get("sqlite_begin", "deferred")
    connection.exec_driver_sql(BEGIN_STATEMENTS[mode])


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite files get WAL, foreign keys and a busy timeout."""
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _begin)
    return engine


IN_CHUNK = 900  # values per ``IN (...)``: SQLite's bound-parameter limit, with room to spare


def in_chunks(values: list) -> Iterator[list]:
    """``values`` in pieces small enough for one ``IN (...)`` each."""
    for start in range(0, len(values), IN_CHUNK):
        yield values[start:start + IN_CHUNK]


def write_transaction(engine: sa.Engine):
    """``with write_transaction(engine) as connection:`` one transaction that writes.

    On SQLite it holds the write lock from its first statement, so writers wait for each
    other (up to the busy timeout) rather than fail; elsewhere it is ``engine.begin()``.
    """
    return engine.execution_options(sqlite_begin="immediate").begin()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (tests of the migrations' downgrade paths)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


# What ``schema_state`` answers: no schema at all, older than the code's migrations, the
# migrations' head, or a revision this code does not know (migrated by a newer release).
SCHEMA_STATES = ("missing", "behind", "current", "ahead")


@functools.lru_cache(maxsize=1)
def migration_revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(the heads, every revision) of the migrations: read from their files once per process."""
    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(script.get_heads()), frozenset(rev.revision for rev in script.walk_revisions())


def database_revisions(engine: sa.Engine) -> frozenset[str]:
    """The revisions recorded in the database's ``alembic_version`` (empty: never migrated)."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def schema_state(engine: sa.Engine) -> str:
    """Whether the database's schema is the one this code needs (one of ``SCHEMA_STATES``):
    one small query, so commands and the first request can ask before touching any table."""
    current = database_revisions(engine)
    heads, known = migration_revisions()
    if not current:
        return "missing"
    if current == heads:
        return "current"
    return "behind" if current <= known else "ahead"
