"""The published state: which version is current and which budget lines it publishes.

Every publication or rollback is a new row of ``versions``; ``version_state`` says, for each
version and fiscal year, which version's lines that year shows. "Published" always means the
state of the newest version. This is the one definition every feature reads it through: the
map and pages (``explore``), the preview (``budget``), the risk rules (``risk``), the open data.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from core.schema import budget_lines, districts, facilities, version_state, versions

bl, f, vs = budget_lines, facilities, version_state


def latest_version(connection: sa.Connection) -> dict | None:
    row = connection.execute(_LATEST_VERSION).first()
    return dict(row._mapping) if row else None


_LATEST_VERSION = sa.select(versions).order_by(versions.c.id.desc()).limit(1)
_LATEST_VERSION_SQL: dict[str, str] = {}  # compiled once per dialect


def latest_version_plain(dbapi_connection, dialect: sa.Dialect) -> dict | None:
    """``latest_version`` on a bare DB-API connection, outside any transaction.

    Every request of the map's data asks it (the answers are cached by version): without a
    SQLAlchemy connection, its transaction and its reset, the question costs a fraction. The
    versions are never changed once committed, so a later transaction reading version N's
    data reads what this one would have.
    """
    if dialect.name not in _LATEST_VERSION_SQL:
        _LATEST_VERSION_SQL[dialect.name] = _LATEST_VERSION.compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}).string
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_LATEST_VERSION_SQL[dialect.name])
        row = cursor.fetchone()
        names = [d[0] for d in cursor.description]
    finally:
        cursor.close()
    return dict(zip(names, row)) if row else None


class LatestVersionWatch:
    """``latest_version`` asked of the database only after something was committed.

    Every request asks which version is published, and the answer rarely changes. SQLite's
    ``PRAGMA data_version``, on a connection kept open for this alone, changes exactly when
    another connection has committed: while it stays the same, so does the answer. One such
    connection per thread, outside the engine's pool (SQLite connections stay in their
    thread). Other databases are asked every time.
    """

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._local = threading.local()
        self._mark_lock = threading.Lock()
        self._mark = 0

    def latest(self) -> dict | None:
        if self.engine.dialect.name != "sqlite":
            with self.engine.connect() as connection:
                return latest_version(connection)
        local = self._local
        data_version = self._data_version()
        if data_version != local.data_version:
            # Read after the number: a commit in between is in the answer and changes the
            # number again, so the next call asks once more; none is ever missed.
            local.version = latest_version_plain(local.connection, self.engine.dialect)
            local.data_version = data_version
        return local.version

    def commit_mark(self) -> int | None:
        """A number that changes whenever anything was committed to the database since it was
        last read: what was read under one mark is current while the mark stays. None on other
        databases, where it is not known.

        One counter for the process: ``PRAGMA data_version`` counts per connection, so two
        threads' connections may show the same number for different states. A thread that sees
        its number move (or is new) moves the counter on; a commit moves every thread's number,
        so no thread keeps returning a mark from before it.
        """
        if self.engine.dialect.name != "sqlite":
            return None
        data_version = self._data_version()
        with self._mark_lock:
            if data_version != getattr(self._local, "mark_seen", None):
                self._local.mark_seen = data_version
                self._mark += 1
            return self._mark

    def _data_version(self) -> int:
        local = self._local
        if getattr(local, "connection", None) is None:
            local.connection = self.engine.raw_connection()
            local.connection.detach()  # kept by this thread, not returned to the pool
            local.data_version = None
        return local.connection.dbapi_connection.execute("PRAGMA data_version").fetchone()[0]


def latest_version_id(connection: sa.Connection) -> int | None:
    """The newest version's number (None before the first publication)."""
    return connection.execute(sa.select(sa.func.max(versions.c.id))).scalar()


def published_lines_from(version_id: int):
    """Budget lines published as of ``version_id``: a FROM clause joining each year's lines to
    the state, for every query that reads published lines (select from it, add conditions)."""
    return bl.join(vs, sa.and_(vs.c.source_version_id == bl.c.version_id,
                               vs.c.fiscal_year == bl.c.fiscal_year,
                               vs.c.version_id == version_id))


def fiscal_years(connection: sa.Connection, version_id: int | None) -> list[int]:
    """Years with published lines, oldest first: the years of the version's state (every year
    there comes from a publication that had lines in it), not a scan of every line."""
    if version_id is None:
        return []
    query = (sa.select(vs.c.fiscal_year).where(vs.c.version_id == version_id)
             .order_by(vs.c.fiscal_year))
    return list(connection.execute(query).scalars())


def shows_demo_data(connection: sa.Connection, version_id: int | None) -> bool:
    """True when any published year comes from the bundled demo data set."""
    if version_id is None:
        return False
    source = versions.alias("source")
    query = (sa.select(sa.func.count()).select_from(vs.join(source, source.c.id == vs.c.source_version_id))
             .where(vs.c.version_id == version_id, source.c.kind == "demo"))
    return bool(connection.execute(query).scalar())


def version(connection: sa.Connection, version_id: int) -> dict | None:
    """One row of ``versions``, or None for an unknown number."""
    row = connection.execute(sa.select(versions).where(versions.c.id == version_id)).first()
    return dict(row._mapping) if row else None


def published_facility(connection: sa.Connection, version_id: int | None, facility_id: str) -> dict | None:
    """A facility, its district's names and all its published budget lines (newest year first),
    or None for an unknown identifier: the facility page, the feedback form and the API read it."""
    query = (sa.select(f, districts.c.name_kk.label("district_name_kk"),
                       districts.c.name_ru.label("district_name_ru"),
                       districts.c.name_en.label("district_name_en"))
             .join(districts, districts.c.kato == f.c.district_kato)
             .where(f.c.facility_id == facility_id))
    row = connection.execute(query).first()
    if row is None:
        return None
    facility = dict(row._mapping)
    lines = []
    if version_id is not None:
        line_query = (sa.select(bl).select_from(published_lines_from(version_id))
                      .where(bl.c.facility_pk == facility["id"])
                      .order_by(bl.c.fiscal_year.desc(), bl.c.work_type, bl.c.id))
        lines = [dict(r._mapping) for r in connection.execute(line_query)]
    facility["lines"] = lines
    return facility
