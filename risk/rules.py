"""Corruption-risk flags: seven rules over the budget lines of one published version.

Pure functions (no Flask, no SQL): frames in, a frame of flags out. ``risk.store`` feeds
them a version's lines when the version is published and stores what comes out; the web layer
turns rule ids and figures into sentences. ``docs/risk-flags.md`` explains each rule to people.

Inputs (column names as in the database):

- ``lines``: one row per budget line, ``LINE_COLUMNS``. ``facility`` is any key of the facility
  (the database's ``facility_pk``, or the file's ``facility_id`` in tests); money in integer
  tiyn (nullable), ``end_date`` as ISO text, ``physical_progress_pct`` 0-100 (nullable).
- ``facilities``: one row per facility, ``FACILITY_COLUMNS``.
- ``previous_lines`` (optional): the lines that the version's lines replaced, for ``stalled``.
- ``as_of``: the day the check is made ("today" for ``overdue``): the version's publication
  date, passed in so that a check always gives the same answer.

Output: a frame with ``FLAG_COLUMNS``: facility, fiscal_year, rule, work_type (None when the
flag is about the facility's year rather than one kind of works), outcome (``raised``, or
``not_judged`` when the data cannot support a judgement, e.g. a unit-cost group too small),
figures (a small JSON-ready dict of exact integers, dates and rounded percentages) and
threshold (the number the rule compared against).

Money comparisons are exact: shares are never computed in floating point to decide a flag;
``a / b > t`` is tested as ``a * 10_000 > b * t_hundredths`` in integers (thresholds count to
0.01). Percentages in ``figures`` are rounded to 0.1 for display only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

import numpy as np
import pandas as pd

RULES = (
    "paid_above_allocated",      # 1. paid above allocated, or contracted above it by > 10 %
    "paid_ahead_of_progress",    # 2. paid share minus physical progress > 30 points
    "repeat_repair",             # 3. repairs of one facility in two of three consecutive years
    "unit_cost_outlier",         # 4. allocated per m² / capacity unit > Q3 + 1.5 IQR of its group
    "overdue",                   # 5. end date passed, works not completed
    "contractor_concentration",  # 6. one contractor > 40 % of a district's money in a year
    "stalled",                   # 7. paid rises between versions, physical progress does not
)
RAISED, NOT_JUDGED = "raised", "not_judged"
ANY_RISK = "any"  # risk=any in a filter: a raised flag of whatever rule
RISK_CHOICES = (ANY_RISK, *RULES)
OUTCOMES = (RAISED, NOT_JUDGED)

LINE_COLUMNS = ("facility", "fiscal_year", "work_type", "allocated_tiyn", "contracted_tiyn",
                "paid_tiyn", "contractor_name", "contractor_bin", "end_date", "status",
                "physical_progress_pct")
FACILITY_COLUMNS = ("facility", "facility_type", "district_kato", "floor_area_m2", "capacity",
                    "capacity_unit")
FLAG_COLUMNS = ("facility", "fiscal_year", "rule", "work_type", "outcome", "figures", "threshold")

MONEY = ("allocated_tiyn", "contracted_tiyn", "paid_tiyn")
REPAIRS = ("capital_repair", "current_repair")
# Works whose cost grows with the building; equipment does not, so it is not compared.
UNIT_COST_WORK_TYPES = ("construction", "capital_repair", "current_repair", "maintenance")
CAPACITY_FIRST = ("construction",)  # a new building is priced per place, repairs per m²
FINISHED_STATUSES = ("completed", "cancelled")
SQUARE_METRE = "m2"
_EXACT_LIMIT = 2**62  # products below this fit int64; larger ones are computed in Python ints


@dataclass(frozen=True)
class RiskThresholds:
    """The rules' thresholds (Flask settings ``RISK_*``, see docs/configuration.md)."""

    paid_over_allocated_pct: float = 0        # rule 1: paid > allocated x (1 + this / 100)
    contracted_over_allocated_pct: float = 10  # rule 1: contracted > allocated x (1 + this / 100)
    paid_ahead_points: float = 30             # rule 2: paid share - progress > this
    repeat_repair_years: int = 3              # rule 3: two repair years within this many years
    unit_cost_iqr_factor: float = 1.5         # rule 4: rate > Q3 + this x IQR
    unit_cost_min_group: int = 8              # rule 4: smaller groups are not judged
    overdue_grace_days: int = 0               # rule 5: end date + this many days < as_of
    contractor_share_pct: float = 40          # rule 6: contractor's share of the district > this
    contractor_min_contracts: int = 2         # rule 6: the contractor holds at least this many
    stalled_progress_points: float = 0        # rule 7: progress rose by at most this

    def __post_init__(self):
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or value < 0:
                raise ValueError(f"risk threshold {item.name} must be a number >= 0, not {value!r}")
            if item.type == "int" and value != int(value):
                raise ValueError(f"risk threshold {item.name} must be a whole number, not {value!r}")
        if self.repeat_repair_years < 2:
            raise ValueError("risk threshold repeat_repair_years must be at least 2")
        if self.unit_cost_min_group < 4:
            raise ValueError("risk threshold unit_cost_min_group must be at least 4 (quartiles)")
        if self.contractor_min_contracts < 1:
            raise ValueError("risk threshold contractor_min_contracts must be at least 1")

    def as_dict(self) -> dict:
        return {item.name: getattr(self, item.name) for item in fields(self)}


def compute_flags(lines: pd.DataFrame, facilities: pd.DataFrame, *, as_of: dt.date,
                  thresholds: RiskThresholds | None = None,
                  previous_lines: pd.DataFrame | None = None,
                  rules: Iterable[str] = RULES) -> pd.DataFrame:
    """Every flag the ``rules`` raise on ``lines`` (see the module docstring), sorted.

    ``stalled`` needs ``previous_lines``; without them it raises nothing.
    """
    thresholds = thresholds or RiskThresholds()
    rules = tuple(rules)
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rules {sorted(unknown)}; known: {', '.join(RULES)}")
    lines = prepare_lines(lines)
    facilities = prepare_facilities(facilities)
    found = []
    for rule in rules:
        if rule == "paid_above_allocated":
            found.append(paid_above_allocated(lines, thresholds))
        elif rule == "paid_ahead_of_progress":
            found.append(paid_ahead_of_progress(lines, thresholds))
        elif rule == "repeat_repair":
            found.append(repeat_repair(lines, thresholds))
        elif rule == "unit_cost_outlier":
            found.append(unit_cost_outlier(lines, facilities, thresholds))
        elif rule == "overdue":
            found.append(overdue(lines, as_of, thresholds))
        elif rule == "contractor_concentration":
            found.append(contractor_concentration(lines, facilities, thresholds))
        elif rule == "stalled" and previous_lines is not None:
            found.append(stalled(lines, prepare_lines(previous_lines), thresholds))
    return sort_flags(pd.concat([empty_flags(), *found], ignore_index=True))


def empty_flags() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in FLAG_COLUMNS})


def sort_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags in a stable order: facility, year, rule (in ``RULES`` order), work type."""
    if flags.empty:
        return empty_flags()
    order = flags["rule"].map({rule: n for n, rule in enumerate(RULES)})
    keys = pd.DataFrame({"facility": flags["facility"], "year": flags["fiscal_year"], "order": order,
                         "work": flags["work_type"].fillna(""), "outcome": flags["outcome"]})
    # Stable: flags equal on every key keep the order the rules produced them in.
    index = keys.sort_values(["facility", "year", "order", "work", "outcome"], kind="stable").index
    return flags.loc[index].reset_index(drop=True)


def count_by_rule(flags: pd.DataFrame, outcome: str = RAISED) -> dict[str, int]:
    """How many flags of ``outcome`` each rule gave (every rule listed, zeros included)."""
    counts = flags.loc[flags["outcome"] == outcome, "rule"].value_counts()
    return {rule: int(counts.get(rule, 0)) for rule in RULES}


# ------------------------------------------------------------------ inputs


def prepare_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` with the needed columns, money as nullable integers, years as integers."""
    missing = [c for c in ("facility", "fiscal_year", "work_type", "allocated_tiyn") if c not in lines]
    if missing:
        raise ValueError(f"budget lines lack the columns {missing}")
    frame = pd.DataFrame({c: lines[c] if c in lines else None for c in LINE_COLUMNS},
                         index=lines.index).reset_index(drop=True)
    for column in MONEY:
        frame[column] = _money(frame[column])
    frame["fiscal_year"] = pd.to_numeric(frame["fiscal_year"]).astype("int64")
    frame["physical_progress_pct"] = pd.to_numeric(frame["physical_progress_pct"]).astype("float64")
    for column in ("work_type", "contractor_name", "contractor_bin", "end_date", "status"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _money(values: pd.Series) -> pd.Series:
    """Integer tiyn, nullable; Python integers stay exact (never through float)."""
    if values.dtype == object:
        return pd.Series(pd.array([None if v is None or v is pd.NA or v != v else int(v) for v in values],
                                  dtype="Int64"), index=values.index)
    return pd.to_numeric(values).astype("Int64")


def prepare_facilities(facilities: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame({c: facilities[c] if c in facilities else None for c in FACILITY_COLUMNS},
                         index=facilities.index).reset_index(drop=True)
    frame["floor_area_m2"] = pd.to_numeric(frame["floor_area_m2"]).astype("float64")
    frame["capacity"] = pd.to_numeric(frame["capacity"]).astype("float64")
    frame["capacity_unit"] = _normalized_text(frame["capacity_unit"])
    return frame.drop_duplicates("facility")


def _normalized_text(values: pd.Series) -> pd.Series:
    """Text compared ignoring case and runs of spaces ('' for missing)."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.str.replace(r"\s+", " ", regex=True).str.strip().str.casefold().astype(object)


def inputs_from_table(lines: pd.DataFrame, facilities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rules' inputs from a validated budget table (``ValidatedTable.lines``/``.facilities``),
    keyed by the file's ``facility_id``."""
    renamed = lines.rename(columns={"facility_id": "facility", "amount_allocated": "allocated_tiyn",
                                    "amount_contracted": "contracted_tiyn", "amount_paid": "paid_tiyn"})
    facility_frame = facilities.rename(columns={"facility_id": "facility", "kato": "district_kato"})
    return renamed, facility_frame


# ------------------------------------------------------------------ exact arithmetic


def hundredths(value) -> int:
    """A threshold in hundredths (30 -> 3000, 10.5 -> 1050), rounded half up to 0.01."""
    return int((Decimal(str(value)) * 100).to_integral_value(rounding="ROUND_HALF_UP"))


def _ints(series: pd.Series) -> np.ndarray:
    """A nullable integer column as int64 (missing -> 0; mask them separately)."""
    return series.fillna(0).astype("int64").to_numpy()


def _largest(values) -> int:
    array = np.asarray(values)
    return int(np.abs(array).max()) if array.size else 0


def _exact(values, factor):
    """int64 arrays, or Python-int arrays when ``values * factor`` could overflow int64."""
    if _largest(values) * max(_largest(factor), 1) < _EXACT_LIMIT:
        return np.asarray(values, dtype=np.int64), factor
    return np.asarray(values, dtype=object), np.asarray(factor, dtype=object)


def exceeds(a, a_factor, b, b_factor) -> np.ndarray:
    """``a * a_factor > b * b_factor`` element-wise, exactly (factors: ints or int arrays)."""
    a, a_factor = _exact(a, a_factor)
    b, b_factor = _exact(b, b_factor)
    return np.asarray(a * a_factor > b * b_factor, dtype=bool)


def _pct(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` in percent, rounded to 0.1 (display only)."""
    if not denominator:
        return None
    return round(float(Decimal(int(numerator)) * 100 / Decimal(int(denominator))), 1)


def _number(value) -> float | int | None:
    """A figure for JSON: None for missing, int when whole, else float rounded to 0.01."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 2)


def _whole(value: float) -> int:
    """A computed amount (a unit cost, a quartile) in whole tiyn, rounded half up (display only)."""
    return int(Decimal(repr(float(value))).to_integral_value(rounding="ROUND_HALF_UP"))


def _int_or_none(value) -> int | None:
    return None if value is None or value is pd.NA else int(value)


def _flags(frame: pd.DataFrame, rule: str, figures: list[dict], threshold, *, outcome: str = RAISED,
           work_type: str | pd.Series | None = None) -> pd.DataFrame:
    """The flag rows of ``rule`` for the rows of ``frame`` (with ``facility``, ``fiscal_year``)."""
    if frame.empty:
        return empty_flags()
    if isinstance(work_type, pd.Series):
        work = work_type.astype(object).where(work_type.notna(), None).tolist()
    else:
        work = [work_type] * len(frame)
    return pd.DataFrame({
        "facility": frame["facility"].tolist(), "fiscal_year": [int(y) for y in frame["fiscal_year"]],
        "rule": rule, "work_type": work, "outcome": outcome, "figures": figures,
        "threshold": [_number(threshold)] * len(frame)}, columns=list(FLAG_COLUMNS))


# ------------------------------------------------------------------ 1. paid above allocated


def paid_above_allocated(lines: pd.DataFrame, thresholds: RiskThresholds) -> pd.DataFrame:
    """A line paid above its allocation, or contracted above it by more than the threshold.

    Missing paid or contracted amounts do not fire; a line at exactly the limit does not.
    """
    allocated = _ints(lines["allocated_tiyn"])
    paid, contracted = _ints(lines["paid_tiyn"]), _ints(lines["contracted_tiyn"])
    paid_limit = 10_000 + hundredths(thresholds.paid_over_allocated_pct)
    contracted_limit = 10_000 + hundredths(thresholds.contracted_over_allocated_pct)
    paid_over = lines["paid_tiyn"].notna().to_numpy() & exceeds(paid, 10_000, allocated, paid_limit)
    contracted_over = (lines["contracted_tiyn"].notna().to_numpy()
                       & exceeds(contracted, 10_000, allocated, contracted_limit))
    hit = paid_over | contracted_over
    chosen = lines[hit]
    figures = []
    for allocated_v, paid_v, contracted_v, by_paid, by_contract in zip(
            chosen["allocated_tiyn"], chosen["paid_tiyn"], chosen["contracted_tiyn"],
            paid_over[hit], contracted_over[hit]):
        paid_v, contracted_v = _int_or_none(paid_v), _int_or_none(contracted_v)
        figures.append({
            "allocated_tiyn": int(allocated_v), "paid_tiyn": paid_v, "contracted_tiyn": contracted_v,
            "paid_pct": None if paid_v is None else _pct(paid_v, allocated_v),
            "contracted_pct": None if contracted_v is None else _pct(contracted_v, allocated_v),
            "paid_over": bool(by_paid), "contracted_over": bool(by_contract),
            "paid_limit_pct": _number(thresholds.paid_over_allocated_pct),
            "contracted_limit_pct": _number(thresholds.contracted_over_allocated_pct)})
    # The threshold of the condition that fired (the paid one when both did).
    frame = _flags(chosen, "paid_above_allocated", figures, 0, work_type=chosen["work_type"])
    if not frame.empty:
        frame["threshold"] = [_number(thresholds.paid_over_allocated_pct if f["paid_over"]
                                      else thresholds.contracted_over_allocated_pct) for f in figures]
    return frame


# ------------------------------------------------------------------ 2. paid ahead of progress


def _progress_hundredths(progress: pd.Series) -> np.ndarray:
    return np.rint(progress.fillna(0).to_numpy(dtype=float) * 100).astype(np.int64)


def paid_ahead_of_progress(lines: pd.DataFrame, thresholds: RiskThresholds) -> pd.DataFrame:
    """Paid share of the allocation (%) minus physical progress (%) above the threshold.

    paid/allocated x 100 - progress > points  <=>  paid x 10 000 > (progress + points) x 100 x
    allocated, in integers. Needs paid, progress and a positive allocation.
    """
    known = (lines["paid_tiyn"].notna() & lines["physical_progress_pct"].notna()
             & (lines["allocated_tiyn"].fillna(0) > 0)).to_numpy()
    allocated, paid = _ints(lines["allocated_tiyn"]), _ints(lines["paid_tiyn"])
    limit = _progress_hundredths(lines["physical_progress_pct"]) + hundredths(thresholds.paid_ahead_points)
    hit = known & exceeds(paid, 10_000, allocated, limit)
    chosen = lines[hit]
    figures = []
    for allocated_v, paid_v, progress in zip(chosen["allocated_tiyn"], chosen["paid_tiyn"],
                                             chosen["physical_progress_pct"]):
        share = Decimal(int(paid_v)) * 100 / Decimal(int(allocated_v))
        figures.append({"allocated_tiyn": int(allocated_v), "paid_tiyn": int(paid_v),
                        "paid_share_pct": round(float(share), 1), "progress_pct": _number(progress),
                        "gap_points": round(float(share - Decimal(str(progress))), 1)})
    return _flags(chosen, "paid_ahead_of_progress", figures, thresholds.paid_ahead_points,
                  work_type=chosen["work_type"])


# ------------------------------------------------------------------ 3. repeated repairs


def repeat_repair(lines: pd.DataFrame, thresholds: RiskThresholds) -> pd.DataFrame:
    """Capital or current repairs of one facility in two (or more) different years within any
    ``repeat_repair_years`` consecutive years. The flag is on the later year and lists every
    repair year within the window before it; two repairs in the same year are one year.
    """
    window = int(thresholds.repeat_repair_years)
    repairs = lines[lines["work_type"].isin(REPAIRS)]
    if repairs.empty:
        return empty_flags()
    repairs = repairs.assign(**{work: repairs["work_type"] == work for work in REPAIRS})
    by_year = (repairs.groupby(["facility", "fiscal_year"], sort=True)
               .agg(allocated_tiyn=("allocated_tiyn", "sum"), **{work: (work, "max") for work in REPAIRS})
               .reset_index())
    facility = by_year["facility"].to_numpy()
    year = by_year["fiscal_year"].to_numpy(dtype=np.int64)
    years, allocated = year.tolist(), by_year["allocated_tiyn"].astype("int64").tolist()
    kind_code = sum(by_year[work].to_numpy(dtype=np.int64) << n for n, work in enumerate(REPAIRS))
    kind_lists = [[work for n, work in enumerate(REPAIRS) if code >> n & 1] for code in range(1 << len(REPAIRS))]
    kinds = kind_code.tolist()
    # Rows are sorted by facility and year: the k-th row before is the k-th earlier repair year.
    within = []
    for k in range(1, window):
        earlier = np.zeros(len(by_year), dtype=bool)
        earlier[k:] = (facility[k:] == facility[:-k]) & (year[k:] - year[:-k] < window)
        within.append(earlier)
    hit = within[0]

    def entry(position: int) -> dict:
        return {"year": years[position], "work_types": list(kind_lists[kinds[position]]),
                "allocated_tiyn": allocated[position]}

    figures = []
    within_lists = [w.tolist() for w in within]
    for position in np.flatnonzero(hit).tolist():
        before = [position - k for k in range(window - 1, 0, -1) if within_lists[k - 1][position]]
        figures.append({"repairs": [entry(p) for p in (*before, position)], "window_years": window})
    return _flags(by_year[hit], "repeat_repair", figures, window)


# ------------------------------------------------------------------ 4. unit-cost outliers


def unit_costs(lines: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """Allocated per m² (or per capacity unit) of each facility, year and work type.

    A facility's lines of one year and work type are added up (money split between funding
    sources is one work). Construction is priced per capacity unit (per m² when the capacity
    is unknown), other works per m² (per capacity unit when the floor area is unknown); works
    with neither, and equipment, get no unit cost. Groups: facility type, work type, basis, unit.
    """
    works = lines[lines["work_type"].isin(UNIT_COST_WORK_TYPES)]
    if works.empty:
        return pd.DataFrame(columns=["facility", "fiscal_year", "work_type", "allocated_tiyn",
                                     "facility_type", "basis", "unit", "basis_value", "rate"])
    totals = (works.groupby(["facility", "fiscal_year", "work_type"], sort=False)["allocated_tiyn"]
              .sum().reset_index())
    totals = totals.merge(facilities, on="facility", how="left", validate="many_to_one")
    area = totals["floor_area_m2"].where(totals["floor_area_m2"] > 0)
    capacity = totals["capacity"].where(totals["capacity"] > 0)
    capacity_unit = totals["capacity_unit"].fillna("")
    capacity_first = totals["work_type"].isin(CAPACITY_FIRST)
    use_capacity = capacity.notna() & (capacity_first | area.isna())
    use_area = ~use_capacity & area.notna()
    totals["basis"] = np.where(use_capacity, "capacity", np.where(use_area, "area", None))
    totals["unit"] = np.where(use_capacity, capacity_unit, np.where(use_area, SQUARE_METRE, None))
    totals["basis_value"] = np.where(use_capacity, capacity, np.where(use_area, area, np.nan))
    totals = totals[use_capacity | use_area].copy()
    totals["rate"] = totals["allocated_tiyn"].astype("float64") / totals["basis_value"]
    return totals


def unit_cost_outlier(lines: pd.DataFrame, facilities: pd.DataFrame,
                      thresholds: RiskThresholds) -> pd.DataFrame:
    """Unit cost above Q3 + factor x IQR of its group (facility type, work type, unit), the
    quartiles taken over every published year of the region (linear interpolation).

    A group with fewer than ``unit_cost_min_group`` works is not judged: its works get a
    ``not_judged`` outcome saying how many there were. Exactly at the limit does not fire.
    """
    costs = unit_costs(lines, facilities)
    if costs.empty:
        return empty_flags()
    group = ["facility_type", "work_type", "basis", "unit"]
    grouped = costs.groupby(group, sort=False, dropna=False)["rate"]
    costs["group_size"] = grouped.transform("size")
    costs["q1"] = grouped.transform(lambda s: s.quantile(0.25))
    costs["q3"] = grouped.transform(lambda s: s.quantile(0.75))
    factor = float(thresholds.unit_cost_iqr_factor)
    costs["limit"] = costs["q3"] + factor * (costs["q3"] - costs["q1"])
    minimum = int(thresholds.unit_cost_min_group)
    judged = costs["group_size"] >= minimum
    raised = costs[judged & (costs["rate"] > costs["limit"])]
    small = costs[~judged]

    def base(frame: pd.DataFrame) -> list[dict]:
        return [{"allocated_tiyn": int(allocated), "facility_type": kind, "basis": basis, "unit": unit,
                 "basis_value": _number(value), "rate_tiyn": _whole(rate), "group_size": int(size)}
                for allocated, kind, basis, unit, value, rate, size in zip(
                    frame["allocated_tiyn"].tolist(), frame["facility_type"].tolist(), frame["basis"].tolist(),
                    frame["unit"].tolist(), frame["basis_value"].tolist(), frame["rate"].tolist(),
                    frame["group_size"].tolist())]

    raised_figures = [{**figures, "q1_tiyn": _whole(q1), "q3_tiyn": _whole(q3), "limit_tiyn": _whole(limit),
                       "iqr_factor": _number(factor)}
                      for figures, q1, q3, limit in zip(base(raised), raised["q1"].tolist(),
                                                         raised["q3"].tolist(), raised["limit"].tolist())]
    small_figures = [{**figures, "min_group": minimum} for figures in base(small)]
    return pd.concat([
        _flags(raised, "unit_cost_outlier", raised_figures, factor, work_type=raised["work_type"]),
        _flags(small, "unit_cost_outlier", small_figures, minimum, outcome=NOT_JUDGED,
               work_type=small["work_type"])], ignore_index=True)


# ------------------------------------------------------------------ 5. overdue


def overdue(lines: pd.DataFrame, as_of: dt.date, thresholds: RiskThresholds) -> pd.DataFrame:
    """Works whose end date (plus the grace days) is before ``as_of`` and that are not finished.

    Finished: status completed or cancelled, or physical progress 100 %. A line without status
    is judged by its progress alone; without either it does not fire, nor without an end date.
    """
    grace = int(thresholds.overdue_grace_days)
    deadline = (as_of - dt.timedelta(days=grace)).isoformat()
    end = lines["end_date"]
    status, progress = lines["status"], lines["physical_progress_pct"]
    open_status = status.notna() & ~status.isin(FINISHED_STATUSES)
    unknown_status_open = status.isna() & progress.notna()
    not_done = progress.isna() | (progress < 100)
    hit = end.notna() & (end.fillna("9999-12-31") < deadline) & (open_status | unknown_status_open) & not_done
    chosen = lines[hit.to_numpy(dtype=bool)]
    figures = [{"end_date": end_v, "as_of": as_of.isoformat(),
                "days_overdue": (as_of - dt.date.fromisoformat(end_v)).days, "status": status_v,
                "progress_pct": _number(progress_v)}
               for end_v, status_v, progress_v in zip(chosen["end_date"], chosen["status"],
                                                       chosen["physical_progress_pct"])]
    return _flags(chosen, "overdue", figures, grace, work_type=chosen["work_type"])


# ------------------------------------------------------------------ 6. contractor concentration


def contractor_key(names: pd.Series, bins: pd.Series) -> pd.Series:
    """Who a contractor is: its BIN, else its name (spaces and case ignored), else None."""
    bins = bins.astype(object).where(bins.notna(), "").astype(str).str.strip()
    key = pd.Series(None, index=names.index, dtype=object)
    has_bin = bins != ""
    key[has_bin] = "bin:" + bins[has_bin]
    name = _normalized_text(names[~has_bin])
    key[name.index[name != ""]] = "name:" + name[name != ""]
    return key


def contractor_concentration(lines: pd.DataFrame, facilities: pd.DataFrame,
                             thresholds: RiskThresholds) -> pd.DataFrame:
    """A contractor whose contracts in a district and year exceed the threshold share of the
    money allocated to that district's facilities that year.

    contracted(contractor) x 10 000 > allocated(district, year) x share_hundredths. The
    contractor must hold at least ``contractor_min_contracts`` lines with a contract amount
    there that year (one large contract is not a concentration by default). Each facility
    with such a line gets the flag for that year.
    """
    frame = lines.merge(facilities[["facility", "district_kato"]], on="facility", how="left",
                        validate="many_to_one")
    district_money = (frame.groupby(["district_kato", "fiscal_year"])["allocated_tiyn"].sum()
                      .rename("district_tiyn"))
    contracts = frame[frame["contracted_tiyn"].notna()]
    contracts = contracts.assign(contractor=contractor_key(contracts["contractor_name"],
                                                           contracts["contractor_bin"]))
    contracts = contracts[contracts["contractor"].notna()]
    if contracts.empty:
        return empty_flags()
    held = (contracts.groupby(["district_kato", "fiscal_year", "contractor"])
            .agg(contractor_tiyn=("contracted_tiyn", "sum"), contracts=("contracted_tiyn", "size"))
            .reset_index().join(district_money, on=["district_kato", "fiscal_year"]))
    share_hundredths = hundredths(thresholds.contractor_share_pct)
    big = held[(held["contracts"] >= int(thresholds.contractor_min_contracts))
               & exceeds(_ints(held["contractor_tiyn"]), 10_000, _ints(held["district_tiyn"]),
                         share_hundredths)
               & (held["district_tiyn"] > 0).to_numpy()]
    if big.empty:
        return empty_flags()
    hits = contracts.merge(big, on=["district_kato", "fiscal_year", "contractor"])
    per_facility = (hits.groupby(["facility", "fiscal_year", "contractor"], sort=False)
                    .agg(facility_tiyn=("contracted_tiyn", "sum"),
                         contractor_name=("contractor_name", "first"),
                         contractor_bin=("contractor_bin", "first"),
                         district_kato=("district_kato", "first"),
                         contractor_tiyn=("contractor_tiyn", "first"),
                         district_tiyn=("district_tiyn", "first"),
                         contracts=("contracts", "first"))
                    .reset_index())
    figures = [{"contractor_name": row.contractor_name, "contractor_bin": row.contractor_bin,
                "district_kato": row.district_kato, "contracts": int(row.contracts),
                "contractor_tiyn": int(row.contractor_tiyn), "district_tiyn": int(row.district_tiyn),
                "share_pct": _pct(row.contractor_tiyn, row.district_tiyn),
                "facility_tiyn": int(row.facility_tiyn)}
               for row in per_facility.itertuples()]
    return _flags(per_facility, "contractor_concentration", figures, thresholds.contractor_share_pct)


# ------------------------------------------------------------------ 7. stalled


def _works(lines: pd.DataFrame) -> pd.DataFrame:
    """Paid (sum; missing when no line says) and progress (highest) per facility, year, work."""
    grouped = lines.groupby(["facility", "fiscal_year", "work_type"], sort=False)
    return pd.DataFrame({"paid_tiyn": grouped["paid_tiyn"].sum(min_count=1),
                         "progress": grouped["physical_progress_pct"].max()}).reset_index()


def stalled(lines: pd.DataFrame, previous_lines: pd.DataFrame,
            thresholds: RiskThresholds) -> pd.DataFrame:
    """Works (facility, year, work type) paid more than in the lines they replaced while their
    physical progress rose by no more than ``stalled_progress_points``.

    Needs paid and progress on both sides; works already at 100 % before are finished (a
    final payment after completion is normal) and do not fire.
    """
    if lines.empty or previous_lines.empty:
        return empty_flags()
    both = _works(lines).merge(_works(previous_lines), on=["facility", "fiscal_year", "work_type"],
                               suffixes=("", "_before"))
    known = (both["paid_tiyn"].notna() & both["paid_tiyn_before"].notna() & both["progress"].notna()
             & both["progress_before"].notna() & (both["progress_before"] < 100)).to_numpy()
    paid_rose = exceeds(_ints(both["paid_tiyn"]), 1, _ints(both["paid_tiyn_before"]), 1)
    rise = _progress_hundredths(both["progress"]) - _progress_hundredths(both["progress_before"])
    flat = rise <= hundredths(thresholds.stalled_progress_points)
    chosen = both[known & paid_rose & flat]
    figures = [{"paid_before_tiyn": int(before), "paid_tiyn": int(after),
                "progress_before_pct": _number(progress_before), "progress_pct": _number(progress)}
               for before, after, progress_before, progress in zip(
                   chosen["paid_tiyn_before"], chosen["paid_tiyn"], chosen["progress_before"],
                   chosen["progress"])]
    return _flags(chosen, "stalled", figures, thresholds.stalled_progress_points,
                  work_type=chosen["work_type"])
