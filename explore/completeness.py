"""How complete the published data of a facility or a district is: a score from 0 to 100 %.

Five items, each the share of what could have it that has it: of the published budget lines,
those with a contract amount, with both dates (start and end), with a physical progress, with the
contractor's BIN; of the facilities, those with a capacity. The score is the mean of the five
shares (each weighs the same: a district of many lines without progress cannot hide it behind
many contract amounts). Shown beside the risk flags: a rule cannot check what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from core.schema import budget_lines, facilities
from core.versions import published_lines_from

bl, f = budget_lines, facilities
ITEMS = ("contract", "dates", "progress", "contractor_bin", "capacity")


@dataclass(frozen=True)
class Completeness:
    lines: int
    facilities: int
    present: dict  # item -> how many have it
    shares: dict  # item -> percent (None when nothing could have it)
    score: float | None  # percent, the mean of the shares; None without lines


def _count(condition) -> sa.ColumnElement:
    return sa.func.count(sa.case((condition, 1)))


def _measure(connection: sa.Connection, version_id: int | None, where) -> Completeness:
    empty = Completeness(0, 0, dict.fromkeys(ITEMS, 0), dict.fromkeys(ITEMS), None)
    if version_id is None:
        return empty
    row = connection.execute(
        sa.select(sa.func.count().label("lines"),
                  _count(bl.c.contracted_tiyn.is_not(None)).label("contract"),
                  _count(sa.and_(bl.c.start_date.is_not(None), bl.c.end_date.is_not(None))).label("dates"),
                  _count(bl.c.physical_progress_pct.is_not(None)).label("progress"),
                  _count(sa.and_(bl.c.contractor_bin.is_not(None), bl.c.contractor_bin != "")).label("contractor_bin"))
        .select_from(published_lines_from(version_id).join(f, f.c.id == bl.c.facility_pk)).where(where)).one()
    if not row.lines:
        return empty
    with_lines = (sa.select(bl.c.facility_pk).select_from(published_lines_from(version_id)).distinct().subquery())
    places = connection.execute(
        sa.select(sa.func.count().label("facilities"), _count(f.c.capacity > 0).label("capacity"))
        .select_from(f.join(with_lines, with_lines.c.facility_pk == f.c.id)).where(where)).one()
    present = {"contract": row.contract, "dates": row.dates, "progress": row.progress,
               "contractor_bin": row.contractor_bin, "capacity": places.capacity}
    shares = {item: round(100 * present[item] / (places.facilities if item == "capacity" else row.lines), 1)
              for item in ITEMS}
    return Completeness(row.lines, places.facilities, present, shares, round(sum(shares.values()) / len(ITEMS), 1))


def facility_completeness(connection: sa.Connection, version_id: int | None, facility_pk: int) -> Completeness:
    return _measure(connection, version_id, f.c.id == facility_pk)


def district_completeness(connection: sa.Connection, version_id: int | None, kato: str) -> Completeness:
    return _measure(connection, version_id, f.c.district_kato == kato)
