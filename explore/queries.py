"""Read models for pages, the map and the CLI: the one place that reads published data.

"Published" always means the state of the newest version: for each fiscal year, the budget
lines of the version that state points at. Nothing here writes.
"""

from __future__ import annotations

import sqlalchemy as sa

from core.line_changes import diff_lines
from core.schema import (
    FACILITY_FIELD_NAMES,
    budget_lines,
    districts,
    facilities,
    facility_snapshots,
    version_state,
    versions,
)
from core.versions import fiscal_years, published_lines_from
from explore.filters import STATUS_PRECEDENCE, FacilityFilter, status_in_year
from risk.store import flagged_facility_pks

bl, f, vs = budget_lines, facilities, version_state


def _money_sums():
    return (sa.func.coalesce(sa.func.sum(bl.c.allocated_tiyn), 0).label("allocated_tiyn"),
            sa.func.coalesce(sa.func.sum(bl.c.contracted_tiyn), 0).label("contracted_tiyn"),
            sa.func.coalesce(sa.func.sum(bl.c.paid_tiyn), 0).label("paid_tiyn"))


def district_totals(connection: sa.Connection, version_id: int | None, fiscal_year: int | None) -> list[dict]:
    """Every district with its population and money for the year (zero where none)."""
    money = sa.select(f.c.district_kato, *_money_sums(),
                      sa.func.count(sa.distinct(bl.c.facility_pk)).label("facility_count"))
    money = (money.select_from(published_lines_from(version_id or 0).join(f, f.c.id == bl.c.facility_pk))
             .where(bl.c.fiscal_year == fiscal_year).group_by(f.c.district_kato).subquery())
    query = (sa.select(districts, *(sa.func.coalesce(money.c[c], 0).label(c) for c in
                                    ("allocated_tiyn", "contracted_tiyn", "paid_tiyn", "facility_count")))
             .outerjoin(money, money.c.district_kato == districts.c.kato).order_by(districts.c.kato))
    return [dict(r._mapping) for r in connection.execute(query)]


def _line_filter_conditions(facility_filter: FacilityFilter) -> list:
    """The filter's line filters (work type, status, funding source) as conditions on budget lines.

    The one definition of which lines a filter sums, shared by ``facility_rows`` (the map, the
    table) and ``filtered_line_sums`` (the dashboard); the year is not part of it.
    """
    conditions = []
    for column, value in ((bl.c.work_type, facility_filter.work_type), (bl.c.status, facility_filter.status),
                          (bl.c.funding_source, facility_filter.funding_source)):
        if value:
            conditions.append(column == value)
    return conditions


def facility_rows(connection: sa.Connection, version_id: int | None, facility_filter: FacilityFilter,
                  facility_id: str | None = None) -> list[dict]:
    """One row per published facility of the filter's type and district, with its year's sums.

    Sums, the line count, the highest progress and the most pressing status cover only the
    lines of ``facility_filter.year`` that match its line filters (work type, status, funding);
    a facility with none has ``lines`` = 0 and no amounts. Text search and the "only funded
    facilities when a line filter is set" rule are applied by
    ``explore.filters.select_facilities``.
    """
    if version_id is None or facility_filter.year is None:
        return []
    status_rank = sa.case({status: rank for rank, status in enumerate(STATUS_PRECEDENCE)}, value=bl.c.status)
    # The year's matching lines, summed per facility (through the version/year index), joined
    # to every facility with a published line in any year. Aggregating all years' lines with
    # CASE took three times as long at 500,000 lines (docs/benchmarks.md).
    year = (sa.select(bl.c.facility_pk, sa.func.sum(bl.c.allocated_tiyn).label("allocated_tiyn"),
                      sa.func.sum(bl.c.contracted_tiyn).label("contracted_tiyn"),
                      sa.func.sum(bl.c.paid_tiyn).label("paid_tiyn"),
                      sa.func.max(bl.c.physical_progress_pct).label("progress_pct"),
                      sa.func.min(status_rank).label("status_rank"), sa.func.count(bl.c.id).label("lines"))
            .select_from(published_lines_from(version_id))
            .where(bl.c.fiscal_year == facility_filter.year, *_line_filter_conditions(facility_filter))
            .group_by(bl.c.facility_pk).subquery())
    published = sa.exists(sa.select(bl.c.id).select_from(published_lines_from(version_id))
                          .where(bl.c.facility_pk == f.c.id))
    query = (sa.select(f.c.facility_id, f.c.name_kk, f.c.name_ru, f.c.name_en, f.c.facility_type,
                       f.c.lat, f.c.lon, f.c.district_kato, year.c.allocated_tiyn, year.c.contracted_tiyn,
                       year.c.paid_tiyn, year.c.progress_pct, year.c.status_rank,
                       sa.func.coalesce(year.c.lines, 0).label("lines"))
             .select_from(f.outerjoin(year, year.c.facility_pk == f.c.id))
             .where(published).order_by(f.c.facility_id))
    if facility_filter.facility_type:
        query = query.where(f.c.facility_type == facility_filter.facility_type)
    if facility_filter.district:
        query = query.where(f.c.district_kato == facility_filter.district)
    if facility_filter.risk:
        query = query.where(f.c.id.in_(flagged_facility_pks(version_id, facility_filter.year, facility_filter.risk)))
    if facility_id is not None:  # one facility, for its map popup
        query = query.where(f.c.facility_id == facility_id)
    result = connection.execute(query)
    keys = list(result.keys())
    rows = [dict(zip(keys, r)) for r in result]  # plain tuples: 50,000 rows in a tenth of the time
    for row in rows:
        row["status"] = status_in_year(row.pop("status_rank"))
    return rows


def filtered_line_sums(connection: sa.Connection, version_id: int | None,
                       facility_filter: FacilityFilter) -> list[dict]:
    """Published money of every year by facility, work type and funding source (the dashboard).

    Only lines matching the filter's line filters are summed (as in ``facility_rows``), in every
    fiscal year; the year and the facility filters are not applied here: the caller keeps the
    facilities that each year's selection holds (``facility_rows`` + ``select_facilities``).
    Each row carries the facility's type and district; sums of unknown amounts are 0.
    """
    if version_id is None:
        return []
    query = (sa.select(f.c.facility_id, f.c.facility_type, f.c.district_kato, bl.c.fiscal_year,
                       bl.c.work_type, bl.c.funding_source, *_money_sums(),
                       sa.func.count(bl.c.id).label("line_count"))
             .select_from(published_lines_from(version_id).join(f, f.c.id == bl.c.facility_pk))
             .where(*_line_filter_conditions(facility_filter))
             .group_by(f.c.id, bl.c.fiscal_year, bl.c.work_type, bl.c.funding_source)
             .order_by(f.c.facility_id, bl.c.fiscal_year, bl.c.work_type, bl.c.funding_source))
    return [dict(r._mapping) for r in connection.execute(query)]


def district_list(connection: sa.Connection) -> list[dict]:
    """Every district with its names and population, by KATO code."""
    return [dict(r._mapping) for r in connection.execute(sa.select(districts).order_by(districts.c.kato))]


# --- District and facility pages: a district's figures, a facility's history of changes. ---

def district(connection: sa.Connection, kato: str) -> dict | None:
    """One district (names, unit type, population), or None for an unknown KATO code."""
    row = connection.execute(sa.select(districts).where(districts.c.kato == kato)).first()
    return dict(row._mapping) if row else None


def _district_lines(version_id: int, kato: str):
    """Published lines of the facilities in district ``kato`` (FROM clause and condition)."""
    return published_lines_from(version_id).join(f, f.c.id == bl.c.facility_pk), f.c.district_kato == kato


def district_year_totals(connection: sa.Connection, version_id: int | None, kato: str) -> list[dict]:
    """The district's money for every published year, oldest first (zeros for a year without lines)."""
    if version_id is None:
        return []
    source, in_district = _district_lines(version_id, kato)
    query = (sa.select(bl.c.fiscal_year, *_money_sums(),
                       sa.func.count(sa.distinct(bl.c.facility_pk)).label("facility_count"),
                       sa.func.count(bl.c.id).label("line_count"))
             .select_from(source).where(in_district).group_by(bl.c.fiscal_year))
    found = {r.fiscal_year: dict(r._mapping) for r in connection.execute(query)}
    empty = {"allocated_tiyn": 0, "contracted_tiyn": 0, "paid_tiyn": 0, "facility_count": 0, "line_count": 0}
    return [found.get(year, {"fiscal_year": year, **empty}) for year in fiscal_years(connection, version_id)]


def district_type_totals(connection: sa.Connection, version_id: int | None, kato: str,
                         fiscal_year: int | None) -> list[dict]:
    """The district's money in ``fiscal_year`` by facility type, the most allocated first."""
    if version_id is None or fiscal_year is None:
        return []
    source, in_district = _district_lines(version_id, kato)
    query = (sa.select(f.c.facility_type, *_money_sums(),
                       sa.func.count(sa.distinct(bl.c.facility_pk)).label("facility_count"),
                       sa.func.count(bl.c.id).label("line_count"))
             .select_from(source).where(in_district, bl.c.fiscal_year == fiscal_year)
             .group_by(f.c.facility_type)
             .order_by(sa.desc("allocated_tiyn"), f.c.facility_type))
    return [dict(r._mapping) for r in connection.execute(query)]


def district_facilities(connection: sa.Connection, version_id: int | None, kato: str,
                        fiscal_year: int | None) -> list[dict]:
    """Every facility of the district with published lines, and its sums for ``fiscal_year``.

    As on the map, a facility without lines in that year is listed too (``lines_in_year`` = 0,
    no amounts). The most allocated come first, then by identifier.
    """
    if version_id is None:
        return []
    source, in_district = _district_lines(version_id, kato)
    in_year = bl.c.fiscal_year == fiscal_year

    def year_sum(column):
        return sa.func.sum(sa.case((in_year, column))).label(column.name)

    query = (sa.select(f.c.facility_id, f.c.name_kk, f.c.name_ru, f.c.name_en, f.c.facility_type,
                       f.c.address, year_sum(bl.c.allocated_tiyn), year_sum(bl.c.contracted_tiyn), year_sum(bl.c.paid_tiyn),
                       sa.func.count(sa.case((in_year, bl.c.id))).label("lines_in_year"))
             .select_from(source).where(in_district).group_by(f.c.id)
             .order_by(sa.func.coalesce(sa.func.sum(sa.case((in_year, bl.c.allocated_tiyn))), -1).desc(),
                       f.c.facility_id))
    return [dict(r._mapping) for r in connection.execute(query)]


def facility_changes(connection: sa.Connection, facility_id: str,
                     up_to_version: int | None = None) -> list[dict]:
    """Every version that changed the facility's published budget lines, oldest first.

    For each version V (up to ``up_to_version``, default all), the facility's lines published
    after V are compared by ``LINE_KEY`` with those published after the version before; a
    version with any difference gives ``{"version": <versions row>, "diff": LineDiff,
    "first": True for the first publication of the facility's lines}``. Rollbacks are versions
    like any other, so undoing a change shows as a change back.
    """
    pk = connection.execute(sa.select(f.c.id).where(f.c.facility_id == facility_id)).scalar()
    if pk is None:
        return []
    version_query = sa.select(versions).order_by(versions.c.id)
    state_query = sa.select(vs.c.version_id, vs.c.fiscal_year, vs.c.source_version_id)
    if up_to_version is not None:
        version_query = version_query.where(versions.c.id <= up_to_version)
        state_query = state_query.where(vs.c.version_id <= up_to_version)
    states: dict[int, dict[int, int]] = {}
    for version_id, year, source_id in connection.execute(state_query):
        states.setdefault(version_id, {})[year] = source_id
    lines_by_source: dict[tuple[int, int], list[dict]] = {}
    for row in connection.execute(sa.select(bl).where(bl.c.facility_pk == pk).order_by(bl.c.id)):
        line = {"facility_id": facility_id, **row._mapping}
        lines_by_source.setdefault((line["version_id"], line["fiscal_year"]), []).append(line)

    changes, previous = [], []
    for version in connection.execute(version_query):
        state = states.get(version.id, {})
        current = [line for year, source_id in sorted(state.items())
                   for line in lines_by_source.get((source_id, year), [])]
        diff = diff_lines(previous, current)
        if diff:
            changes.append({"version": dict(version._mapping), "diff": diff, "first": not changes})
        previous = current
    return changes


def version_lines(connection: sa.Connection, version_id: int) -> list[dict]:
    """Every budget line published as of ``version_id``, with its facility's identifier.

    Ordered by facility, year, work type and line, so the same version always reads the same.
    """
    query = (sa.select(bl, f.c.facility_id)
             .select_from(published_lines_from(version_id).join(f, f.c.id == bl.c.facility_pk))
             .order_by(f.c.facility_id, bl.c.fiscal_year, bl.c.work_type, bl.c.id))
    return [dict(r._mapping) for r in connection.execute(query)]


def version_facilities(connection: sa.Connection, version_id: int) -> list[dict]:
    """The facilities with lines published as of ``version_id``, with the attributes it gave them.

    A facility's attributes as of a version are its newest snapshot up to that version (the
    ``facilities`` table holds only the newest), so an old version's package shows its own names
    and locations.
    """
    snap = facility_snapshots
    newest = (sa.select(snap.c.facility_pk, sa.func.max(snap.c.version_id).label("version_id"))
              .where(snap.c.version_id <= version_id).group_by(snap.c.facility_pk).subquery())
    with_lines = sa.select(bl.c.facility_pk).select_from(published_lines_from(version_id)).distinct()
    query = (sa.select(f.c.facility_id, *(snap.c[name] for name in FACILITY_FIELD_NAMES))
             .select_from(snap.join(newest, sa.and_(newest.c.facility_pk == snap.c.facility_pk,
                                                    newest.c.version_id == snap.c.version_id))
                          .join(f, f.c.id == snap.c.facility_pk))
             .where(snap.c.facility_pk.in_(with_lines))
             .order_by(f.c.facility_id))
    return [dict(r._mapping) for r in connection.execute(query)]
