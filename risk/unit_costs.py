"""Unit costs of works and how each compares with the comparable works: the one computation
behind both the unit-cost risk flag (``risk.group_rules.unit_cost_outlier``) and the comparison on
every facility page (``explore.unit_costs``), so the two always show the same numbers.

A *work* is a facility's lines of one fiscal year and work type, added up (money split between
funding sources is one work). Its unit costs are the allocated money per m² of floor area and
per unit of capacity (a place, a bed...), each where the facility gives it. Comparable works:
the same facility type, work type, basis and capacity unit, across every published year.

Quartiles are Hyndman and Fan's type 8 (``np.quantile(..., method="median_unbiased")``), the
fences Q1 - k x IQR and Q3 + k x IQR (k = ``RiskThresholds.unit_cost_iqr_factor``, 1.5). The
risk rule judges each work on its *primary* basis: construction per capacity unit (per m² when
the capacity is unknown), other works per m² (per capacity unit when the area is unknown).

Pure functions on frames (no SQL, no Flask). Rates are floats of tiyn per unit: they are shown
rounded and compared with a fence that is itself a float, never summed into money.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Works whose cost grows with the building; equipment does not, so it is not compared.
UNIT_COST_WORK_TYPES = ("construction", "capital_repair", "current_repair", "maintenance")
CAPACITY_FIRST = ("construction",)  # a new building is priced per place, repairs per m²
SQUARE_METRE = "m2"
BASES = ("capacity", "area")
GROUP = ("facility_type", "work_type", "basis", "unit")
QUARTILE_METHOD = "median_unbiased"  # Hyndman & Fan type 8
RATE_COLUMNS = ("facility", "fiscal_year", "work_type", "allocated_tiyn", "facility_type", "basis", "unit",
                "basis_value", "rate", "primary")
STAT_COLUMNS = ("group_size", "q1", "median", "q3", "lower_fence", "upper_fence")


def quartiles(values) -> tuple[float, float, float]:
    """(Q1, median, Q3) of ``values`` by Hyndman and Fan's type 8."""
    q1, median, q3 = np.quantile(np.asarray(values, dtype="float64"), [0.25, 0.5, 0.75], method=QUARTILE_METHOD)
    return float(q1), float(median), float(q3)


def fences(q1: float, q3: float, factor: float) -> tuple[float, float]:
    """(Q1 - factor x IQR, Q3 + factor x IQR)."""
    iqr = q3 - q1
    return q1 - float(factor) * iqr, q3 + float(factor) * iqr


def work_rates(lines: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """One row per work and basis it can be priced on (``RATE_COLUMNS``).

    ``lines`` need facility, fiscal_year, work_type and allocated_tiyn; ``facilities`` facility,
    facility_type, floor_area_m2, capacity and capacity_unit (normalized, as
    ``risk.rules.prepare_facilities`` gives them). ``primary`` marks the basis the risk rule
    judges the work on.
    """
    works = lines[lines["work_type"].isin(UNIT_COST_WORK_TYPES)]
    if works.empty:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in RATE_COLUMNS})
    totals = (works.groupby(["facility", "fiscal_year", "work_type"], sort=False)["allocated_tiyn"]
              .sum().reset_index())
    totals = totals.merge(facilities, on="facility", how="left", validate="many_to_one")
    area = pd.to_numeric(totals["floor_area_m2"]).astype("float64")
    capacity = pd.to_numeric(totals["capacity"]).astype("float64")
    has_area, has_capacity = (area > 0).to_numpy(), (capacity > 0).to_numpy()
    capacity_first = totals["work_type"].isin(CAPACITY_FIRST).to_numpy()
    primary_capacity = has_capacity & (capacity_first | ~has_area)
    parts = []
    for basis, present, values, unit, primary in (
            ("capacity", has_capacity, capacity, totals["capacity_unit"].fillna(""), primary_capacity),
            ("area", has_area, area, SQUARE_METRE, ~primary_capacity)):
        part = totals[present].copy()
        part["basis"] = basis
        part["unit"] = unit[present] if isinstance(unit, pd.Series) else unit
        part["basis_value"] = values[present]
        part["primary"] = primary[present]
        parts.append(part)
    rates = pd.concat(parts, ignore_index=True)
    rates["rate"] = rates["allocated_tiyn"].astype("float64") / rates["basis_value"]
    return rates[list(RATE_COLUMNS)]


def group_statistics(rates: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Per group of comparable works (``GROUP``): its size, quartiles and fences (``STAT_COLUMNS``)."""
    rows = []
    for key, values in rates.groupby(list(GROUP), sort=False, dropna=False)["rate"]:
        q1, median, q3 = quartiles(values.to_numpy())
        lower, upper = fences(q1, q3, factor)
        rows.append((*key, len(values), q1, median, q3, lower, upper))
    return pd.DataFrame(rows, columns=[*GROUP, *STAT_COLUMNS])


def compared(rates: pd.DataFrame, factor: float) -> pd.DataFrame:
    """``rates`` with their group's statistics and ``ratio`` (rate / median) on every row."""
    if rates.empty:
        return rates.assign(**{name: pd.Series(dtype="float64") for name in (*STAT_COLUMNS, "ratio")})
    stats = group_statistics(rates, factor)
    merged = rates.merge(stats, on=list(GROUP), how="left", validate="many_to_one")
    median = merged["median"].where(merged["median"] > 0)
    merged["ratio"] = merged["rate"] / median
    return merged
