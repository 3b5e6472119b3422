"""A facility's unit costs beside the comparable works, for its page (``explore.web.unit_costs``).

Each work of the facility (its lines of one year and work type, added up) is priced per m² and
per unit of capacity where the facility gives them, and compared with the works of the same
facility type and work type across the published data. The numbers come from ``risk.unit_costs``,
the function the unit-cost risk flag uses, with the thresholds the version was checked with
(``risk_checks``): what the page says and what the flag says are one computation.

Only the comparable works are read (one facility type, the facility's work types), so the page
costs a group's rows, not the whole table; the statistics are those the rule computes over all
lines, since a group never mixes facility types or work types.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.schema import budget_lines, facilities
from core.versions import published_lines_from
from risk.rules import RiskThresholds, prepare_facilities
from risk.store import thresholds_of
from risk.unit_costs import UNIT_COST_WORK_TYPES, compared, work_rates

bl, f = budget_lines, facilities
SAMPLE_POINTS = 120  # dots of a strip chart at most: evenly spaced order statistics beyond


@dataclass(frozen=True)
class Comparison:
    """One work on one basis against its comparable works."""

    basis: str  # "area" | "capacity"
    unit: str  # "m2" or the capacity unit as normalized ("places")
    basis_value: float
    rate: float  # tiyn per unit
    group_size: int
    judged: bool  # the group is big enough (RISK_UNIT_COST_MIN_GROUP)
    primary: bool  # the basis the risk rule judges this work on
    q1: float
    median: float
    q3: float
    lower_fence: float
    upper_fence: float
    ratio: float | None  # rate / median
    position: str  # "above" the upper fence, "below" the lower one, or "within"
    sample: tuple[float, ...]  # the group's rates (or a spread of them) for the strip chart


@dataclass(frozen=True)
class WorkCosts:
    fiscal_year: int
    work_type: str
    allocated_tiyn: int
    comparisons: tuple[Comparison, ...]
    reason: str | None  # why there is no comparison: "equipment" | "no_basis"; None when compared


@dataclass(frozen=True)
class FacilityCosts:
    works: tuple[WorkCosts, ...]
    min_group: int
    iqr_factor: float


def _lines(connection: sa.Connection, version_id: int, condition) -> pd.DataFrame:
    query = (sa.select(bl.c.facility_pk.label("facility"), bl.c.fiscal_year, bl.c.work_type,
                       sa.cast(sa.func.sum(bl.c.allocated_tiyn), sa.BigInteger).label("allocated_tiyn"))
             .select_from(published_lines_from(version_id).join(f, f.c.id == bl.c.facility_pk))
             .where(condition).group_by(bl.c.facility_pk, bl.c.fiscal_year, bl.c.work_type))
    rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=["facility", "fiscal_year", "work_type", "allocated_tiyn"])
    frame["allocated_tiyn"] = frame["allocated_tiyn"].astype("int64")
    return frame


def _facilities(connection: sa.Connection, facility_type: str) -> pd.DataFrame:
    rows = connection.execute(sa.select(f.c.id.label("facility"), f.c.facility_type, f.c.district_kato,
                                        f.c.floor_area_m2, f.c.capacity, f.c.capacity_unit)
                              .where(f.c.facility_type == facility_type)).all()
    return prepare_facilities(pd.DataFrame(rows, columns=["facility", "facility_type", "district_kato",
                                                          "floor_area_m2", "capacity", "capacity_unit"]))


def _sample(values: np.ndarray) -> tuple[float, ...]:
    values = np.sort(values)
    if len(values) > SAMPLE_POINTS:
        values = np.quantile(values, np.linspace(0, 1, SAMPLE_POINTS), method="inverted_cdf")
    return tuple(float(v) for v in values)


def facility_unit_costs(connection: sa.Connection, version_id: int | None, facility_pk: int,
                        thresholds: RiskThresholds | None = None) -> FacilityCosts:
    """Every published work of the facility, with its comparisons (or why there are none)."""
    t = thresholds or thresholds_of(connection, version_id)
    factor, minimum = float(t.unit_cost_iqr_factor), int(t.unit_cost_min_group)
    if version_id is None:
        return FacilityCosts((), minimum, factor)
    own = _lines(connection, version_id, bl.c.facility_pk == facility_pk)
    if own.empty:
        return FacilityCosts((), minimum, factor)
    facility_type = connection.execute(sa.select(f.c.facility_type).where(f.c.id == facility_pk)).scalar()
    kinds = sorted(set(own["work_type"]) & set(UNIT_COST_WORK_TYPES))
    table = pd.DataFrame()
    if kinds:
        peers = _lines(connection, version_id, sa.and_(f.c.facility_type == facility_type, bl.c.work_type.in_(kinds)))
        table = compared(work_rates(peers, _facilities(connection, facility_type)), factor)
    works = []
    for row in own.sort_values(["fiscal_year", "work_type"], ascending=[False, True]).itertuples():
        comparisons, reason = (), None
        if row.work_type not in UNIT_COST_WORK_TYPES:
            reason = "equipment"
        else:
            mine = table[(table["facility"] == facility_pk) & (table["fiscal_year"] == row.fiscal_year)
                         & (table["work_type"] == row.work_type)]
            comparisons = tuple(_comparison(item, table, minimum) for item in mine.itertuples())
            comparisons = tuple(sorted(comparisons, key=lambda c: (not c.primary, c.basis)))
            reason = None if comparisons else "no_basis"
        works.append(WorkCosts(int(row.fiscal_year), row.work_type, int(row.allocated_tiyn), comparisons, reason))
    return FacilityCosts(tuple(works), minimum, factor)


def _comparison(item, table: pd.DataFrame, minimum: int) -> Comparison:
    group = table[(table["work_type"] == item.work_type) & (table["basis"] == item.basis)
                  & (table["unit"] == item.unit)]
    position = ("above" if item.rate > item.upper_fence else "below" if item.rate < item.lower_fence
                else "within")
    ratio = None if pd.isna(item.ratio) else float(item.ratio)
    return Comparison(item.basis, item.unit, float(item.basis_value), float(item.rate), int(item.group_size),
                      int(item.group_size) >= minimum, bool(item.primary), float(item.q1), float(item.median),
                      float(item.q3), float(item.lower_fence), float(item.upper_fence), ratio, position,
                      _sample(group["rate"].to_numpy(dtype="float64")))
