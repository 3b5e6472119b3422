"""The Alembic migrations build exactly ``core.schema`` and can be walked down and up again."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.db import downgrade, make_engine, upgrade
from core.schema import metadata, pending_uploads, users, versions


def _differences(engine):
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def test_the_migrations_create_exactly_the_declared_schema(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    assert _differences(engine) == []


def test_versions_published_before_modes_existed_count_as_replacing_their_years(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO versions (id, created_at, created_by, kind) VALUES "
            "(1, '2026-01-01T00:00:00Z', 'a', 'import'), (2, '2026-01-02T00:00:00Z', 'a', 'rollback')")
        connection.exec_driver_sql(
            "INSERT INTO pending_uploads (file_name, sha256, size, content, uploaded_by, uploaded_at)"
            " VALUES ('old.csv', 'x', 1, x'00', 'a', '2026-01-01T00:00:00Z')")
    upgrade(engine)
    with engine.begin() as connection:
        assert dict(connection.execute(sa.select(versions.c.id, versions.c.mode)).all()) == {1: "replace", 2: None}
        assert connection.execute(sa.select(pending_uploads.c.mode)).scalar() == "replace"
        connection.execute(pending_uploads.insert().values(
            file_name="new.csv", sha256="y", size=1, content=b"\0", uploaded_by="a",
            uploaded_at="2026-12-03T00:00:00Z"))
        assert connection.execute(sa.select(pending_uploads.c.mode).where(
            pending_uploads.c.file_name == "new.csv")).scalar() == "update"
        connection.execute(pending_uploads.update().values(status="validating"))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(pending_uploads.update().values(status="lost"))


def test_every_revision_downgrades_and_upgrades_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    downgrade(engine, "base")
    with engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == ["alembic_version"]
    upgrade(engine)
    assert _differences(engine) == []


def test_accounts_from_before_session_generations_start_at_zero_and_the_column_goes_down(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine, "0009")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (id, login, display_name, password_hash, created_at) "
            "VALUES (1, 'aigul', 'Aigul', 'x', '2026-01-01T00:00:00+00:00')")
    upgrade(engine, "0010")
    with engine.begin() as connection:
        assert connection.execute(sa.select(users.c.session_generation)).scalar() == 0
        connection.execute(users.update().values(session_generation=users.c.session_generation + 1))
        assert connection.execute(sa.select(users.c.session_generation)).scalar() == 1
    downgrade(engine, "0009")
    with engine.connect() as connection:
        columns = {column["name"] for column in sa.inspect(connection).get_columns("users")}
        assert "session_generation" not in columns and "login" in columns
        assert connection.exec_driver_sql("SELECT login FROM users").scalar() == "aigul"
    upgrade(engine)
    assert _differences(engine) == []
