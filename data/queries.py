"""Read models for pages, the map and the CLI: the one place that reads published data.

"Published" always means the state of the newest version: for each fiscal year, the budget
lines of the version that state points at. Nothing here writes.
"""

from __future__ import annotations

import sqlalchemy as sa

from data.schema import (budget_lines, districts, facilities, version_state, versions)

bl, f, vs = budget_lines, facilities, version_state


def latest_version(connection: sa.Connection) -> dict | None:
    row = connection.execute(sa.select(versions).order_by(versions.c.id.desc()).limit(1)).first()
    return dict(row._mapping) if row else None


def _current_lines(version_id: int):
    """Budget lines published as of ``version_id`` (a FROM clause joining the state)."""
    return bl.join(vs, sa.and_(vs.c.source_version_id == bl.c.version_id,
                               vs.c.fiscal_year == bl.c.fiscal_year,
                               vs.c.version_id == version_id))


def fiscal_years(connection: sa.Connection, version_id: int | None) -> list[int]:
    """Years with published lines, oldest first."""
    if version_id is None:
        return []
    query = (sa.select(bl.c.fiscal_year).select_from(_current_lines(version_id))
             .group_by(bl.c.fiscal_year).order_by(bl.c.fiscal_year))
    return list(connection.execute(query).scalars())


def shows_demo_data(connection: sa.Connection, version_id: int | None) -> bool:
    """True when any published year comes from the bundled demo data set."""
    if version_id is None:
        return False
    source = versions.alias("source")
    query = (sa.select(sa.func.count()).select_from(vs.join(source, source.c.id == vs.c.source_version_id))
             .where(vs.c.version_id == version_id, source.c.kind == "demo"))
    return bool(connection.execute(query).scalar())


def _money_sums():
    return (sa.func.coalesce(sa.func.sum(bl.c.allocated_tiyn), 0).label("allocated_tiyn"),
            sa.func.coalesce(sa.func.sum(bl.c.contracted_tiyn), 0).label("contracted_tiyn"),
            sa.func.coalesce(sa.func.sum(bl.c.paid_tiyn), 0).label("paid_tiyn"))


def district_totals(connection: sa.Connection, version_id: int | None, fiscal_year: int | None) -> list[dict]:
    """Every district with its population and money for the year (zero where none)."""
    money = sa.select(f.c.district_kato, *_money_sums(),
                      sa.func.count(sa.distinct(bl.c.facility_pk)).label("facility_count"))
    money = (money.select_from(_current_lines(version_id or 0).join(f, f.c.id == bl.c.facility_pk))
             .where(bl.c.fiscal_year == fiscal_year).group_by(f.c.district_kato).subquery())
    query = (sa.select(districts, *(sa.func.coalesce(money.c[c], 0).label(c) for c in
                                    ("allocated_tiyn", "contracted_tiyn", "paid_tiyn", "facility_count")))
             .outerjoin(money, money.c.district_kato == districts.c.kato).order_by(districts.c.kato))
    return [dict(r._mapping) for r in connection.execute(query)]


def map_facilities(connection: sa.Connection, version_id: int | None, fiscal_year: int | None) -> list[dict]:
    """Every facility with published lines, and its sums for ``fiscal_year``.

    A facility without lines in that year is still listed (a resident looks for the school
    down the road either way), with ``lines_in_year`` = 0 and no amounts.
    """
    if version_id is None:
        return []
    in_year = bl.c.fiscal_year == fiscal_year

    def year_sum(column):
        return sa.func.sum(sa.case((in_year, column))).label(column.name)

    query = (sa.select(f.c.facility_id, f.c.name_kk, f.c.name_ru, f.c.name_en, f.c.facility_type,
                       f.c.lat, f.c.lon, f.c.district_kato, year_sum(bl.c.allocated_tiyn),
                       year_sum(bl.c.contracted_tiyn), year_sum(bl.c.paid_tiyn),
                       sa.func.max(sa.case((in_year, bl.c.physical_progress_pct))).label("progress_pct"),
                       sa.func.count(sa.case((in_year, bl.c.id))).label("lines_in_year"))
             .select_from(_current_lines(version_id).join(f, f.c.id == bl.c.facility_pk))
             .group_by(f.c.id).order_by(f.c.facility_id))
    return [dict(r._mapping) for r in connection.execute(query)]


def facility_detail(connection: sa.Connection, version_id: int | None, facility_id: str) -> dict | None:
    """A facility, its district and all its published budget lines (newest year first)."""
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
        line_query = (sa.select(bl).select_from(_current_lines(version_id))
                      .where(bl.c.facility_pk == facility["id"])
                      .order_by(bl.c.fiscal_year.desc(), bl.c.work_type, bl.c.id))
        lines = [dict(r._mapping) for r in connection.execute(line_query)]
    facility["lines"] = lines
    return facility
