"""``schema_state``: the database's Alembic revision against the migrations' head."""

from core.db import make_engine, migration_revisions, schema_state, upgrade


def test_missing_behind_current_and_ahead(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert schema_state(engine) == "missing"  # a new, empty file
    upgrade(engine, "0005")
    assert schema_state(engine) == "behind"
    upgrade(engine)
    assert schema_state(engine) == "current"
    with engine.begin() as connection:  # as a newer release would leave it
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    assert schema_state(engine) == "ahead"
    engine.dispose()


def test_the_migrations_are_read_once_per_process():
    heads, known = migration_revisions()
    assert migration_revisions() is migration_revisions()
    assert heads <= known and {"0001", "0007"} <= known and len(heads) == 1
