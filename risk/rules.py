"""Corruption-risk flags: seven rules over the budget lines of one published version.

Pure functions (no Flask, no SQL): frames in, a frame of flags out. ``risk.store`` feeds
them a version's lines when the version is published and stores what comes out; the web layer
turns rule ids and figures into sentences. ``docs/risk-flags.md`` explains each rule to people.

This module holds what the rest of the application knows of the rules: their vocabulary (rule
ids, outcomes, columns), their thresholds and ``compute_flags``, which prepares the inputs, runs
the rules and labels their hits. The rules themselves are in ``risk.work_rules`` (one work judged
by its own figures: rules 1, 2, 5, 7) and ``risk.group_rules`` (a work judged against others:
rules 3, 4, 6), on the shared exact arithmetic of ``risk.rule_tools``.

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

import pandas as pd

from risk.group_rules import contractor_concentration, repeat_repair, unit_cost_outlier
from risk.rule_tools import normalized_text
from risk.work_rules import overdue, paid_above_allocated, paid_ahead_of_progress, stalled

RULES = (
    "paid_above_allocated",      # 1. paid above allocated, or contracted above it by > 10 %
    "paid_ahead_of_progress",    # 2. paid share minus physical progress > 30 points
    "repeat_repair",             # 3. repairs of one facility in two of three consecutive years
    "unit_cost_outlier",         # 4. allocated per m² / capacity unit > Q3 + 1.5 IQR of its group (type 8)
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


@dataclass(frozen=True)
class RiskThresholds:
    """The rules' thresholds (Flask settings ``RISK_*``, see docs/configuration.md)."""

    paid_over_allocated_pct: float = 0        # rule 1: paid > allocated x (1 + this / 100)
    contracted_over_allocated_pct: float = 10  # rule 1: contracted > allocated x (1 + this / 100)
    paid_ahead_points: float = 30             # rule 2: paid share - progress > this
    repeat_repair_years: int = 3              # rule 3: two repair years within this many years
    unit_cost_iqr_factor: float = 1.5         # rule 4: rate > Q3 + this x IQR
    unit_cost_min_group: int = 20             # rule 4: smaller groups are not judged
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
    t = thresholds or RiskThresholds()
    rules = tuple(rules)
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rules {sorted(unknown)}; known: {', '.join(RULES)}")
    lines = prepare_lines(lines)
    facilities = prepare_facilities(facilities)
    found = []
    for rule in rules:
        if rule == "paid_above_allocated":
            found.append(_labelled(rule, paid_above_allocated(
                lines, paid_over_allocated_pct=t.paid_over_allocated_pct,
                contracted_over_allocated_pct=t.contracted_over_allocated_pct)))
        elif rule == "paid_ahead_of_progress":
            found.append(_labelled(rule, paid_ahead_of_progress(lines, paid_ahead_points=t.paid_ahead_points)))
        elif rule == "repeat_repair":
            found.append(_labelled(rule, repeat_repair(lines, repeat_repair_years=t.repeat_repair_years)))
        elif rule == "unit_cost_outlier":
            outliers, not_judged = unit_cost_outlier(lines, facilities, unit_cost_iqr_factor=t.unit_cost_iqr_factor,
                                                     unit_cost_min_group=t.unit_cost_min_group)
            found += [_labelled(rule, outliers), _labelled(rule, not_judged, NOT_JUDGED)]
        elif rule == "overdue":
            found.append(_labelled(rule, overdue(lines, as_of, overdue_grace_days=t.overdue_grace_days)))
        elif rule == "contractor_concentration":
            found.append(_labelled(rule, contractor_concentration(
                lines, facilities, contractor_share_pct=t.contractor_share_pct,
                contractor_min_contracts=t.contractor_min_contracts)))
        elif rule == "stalled" and previous_lines is not None:
            found.append(_labelled(rule, stalled(lines, prepare_lines(previous_lines),
                                                 stalled_progress_points=t.stalled_progress_points)))
    return sort_flags(pd.concat([empty_flags(), *found], ignore_index=True))


def _labelled(rule: str, hits: pd.DataFrame, outcome: str = RAISED) -> pd.DataFrame:
    """A rule's hits (``risk.rule_tools.HIT_COLUMNS``) as flags of that rule and outcome."""
    if hits.empty:
        return empty_flags()
    return hits.assign(rule=rule, outcome=outcome)[list(FLAG_COLUMNS)]


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
    frame["capacity_unit"] = normalized_text(frame["capacity_unit"])
    return frame.drop_duplicates("facility")
