"""Validate a budget table row by row and report every problem at once.

Each cell is parsed and checked by its column's kind in ``budget.cell_checks``; this module
adds the checks across cells and rows (end dates after start dates, duplicate line keys, a
facility described alike on each of its rows, points inside the region's districts). A table
with any error must not be published; warnings are kept and shown. The result also carries the
typed budget lines and one row per facility, placed in its district, ready for ``budget.publish``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from budget import format as fmt
from budget.cell_checks import ProblemLog, check_column, decimal_separator
from budget.format import Problem
from budget.reader import RawTable
from core.errors import MESSAGES
from core.vocabulary import LINE_KEY
from geo.assign import assign_districts

# A cell holding only one of these clears the published value on purpose (a blank keeps it,
# ``budget.apply``). Only optional cells outside the line key can be cleared.
CLEAR_MARKERS = ("-", "\u2013", "\u2014")
CLEARABLE_COLUMNS = tuple(c.name for c in fmt.COLUMNS
                          if not c.required and c.name not in LINE_KEY and c.name != "district_kato")


@dataclass
class ValidatedTable:
    """The outcome of validation: problems, and the typed data when there is no error."""

    problems: list[Problem]
    lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    facilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Excel row -> the columns whose cell held the clear marker (``CLEAR_MARKERS``).
    cleared: dict[int, frozenset[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def warning_count(self) -> int:
        """Warnings found, those left out of ``problems`` (``cap_warnings``) included."""
        return sum(p.params.get("count", 0) if p.code == MORE_LIKE_THIS else 1 for p in self.warnings)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def fiscal_years(self) -> list[int]:
        return sorted(int(y) for y in self.lines["fiscal_year"].unique()) if len(self.lines) else []



# A '?' before a letter or another '?': a letter Windows-1251 has no place for (ә, ғ, қ, ң, ө,
# ұ, ү, һ), as in "Т?ркістан" or "??рылыс"; a real question mark ends a word.
LOST_LETTER = r"\?(?=[^\W\d_]|\?)"
# A warning of one code in one column on more rows than this is summed up in one problem.
SUMMARY_THRESHOLD = 5
SUMMARY_ROWS_SHOWN = 10
ALWAYS_SUMMARISED = frozenset({"zero_restored"})  # one cause for the whole column
# Warnings of one code kept in the problems, in row order; the rest are one problem saying how many.
WARNINGS_PER_KIND = 100
MORE_LIKE_THIS = "more_like_this"


def summarise_warnings(problems: list[Problem]) -> list[Problem]:
    """Each warning repeated on more than ``SUMMARY_THRESHOLD`` rows of a column, as one problem
    with the count and the first rows; errors stay one per row (each must be fixed).

    Only warnings with a summary message (``<code>_rows`` in ``core.errors``) are summed up:
    those with one cause for the whole column (how the file was saved, a unit left out). A
    line paid above its allocation stays on its row: each is a line to look at. The summary
    has no row of its own (it is listed first) and quotes the first value as typed.
    """
    groups: dict[tuple, list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.severity == "warning" and f"{problem.code}_rows" in MESSAGES:
            groups[problem.column, problem.code].append(problem)
    summed = {key for key, found in groups.items()
              if len(found) > SUMMARY_THRESHOLD or key[1] in ALWAYS_SUMMARISED}
    if not summed:
        return problems
    kept = [p for p in problems if (p.column, p.code) not in summed or p.severity != "warning"]
    for column, code in sorted(summed, key=lambda key: (groups[key][0].row or 0, key)):
        found = sorted(groups[column, code], key=lambda p: p.row or 0)
        rows = ", ".join(str(p.row) for p in found[:SUMMARY_ROWS_SHOWN])
        rows += " …" if len(found) > SUMMARY_ROWS_SHOWN else ""
        kept.append(Problem("warning", None, column, found[0].value, f"{code}_rows",
                            {"count": len(found), "rows": rows}))
    return kept


def cap_warnings(problems: list[Problem], per_kind: int = WARNINGS_PER_KIND) -> list[Problem]:
    """The first ``per_kind`` warnings of each code, then one saying how many more there are
    (right after them), so a report stays small whatever the file; errors all stay."""
    found = Counter(p.code for p in problems if p.severity == "warning")
    if all(number <= per_kind for number in found.values()):
        return problems
    kept: list[Problem] = []
    seen: Counter = Counter()
    for problem in problems:
        if problem.severity != "warning" or found[problem.code] <= per_kind:
            kept.append(problem)
            continue
        seen[problem.code] += 1
        if seen[problem.code] <= per_kind:
            kept.append(problem)
        if seen[problem.code] == per_kind:
            more = found[problem.code] - per_kind
            kept.append(Problem("warning", None, problem.column, "", MORE_LIKE_THIS,
                                {"num": f"{more:,}".replace(",", "\u00a0"), "count": more,
                                 "kind": problem.code}))
    return kept


# ---------------------------------------------------------------- the validator


def validate_table(raw: RawTable, districts, today: dt.date | None = None) -> ValidatedTable:
    """Check every cell and every row of ``raw`` against the format and the geography.

    ``districts`` is the GeoDataFrame of the region's districts indexed by KATO; a point in no
    district is outside the region.
    """
    log = ProblemLog()
    log.problems.extend(raw.problems)
    if any(p.severity == "error" for p in raw.problems):
        return ValidatedTable(problems=log.problems)
    today = today or dt.date.today()
    frame = raw.frame.reindex(columns=[c.name for c in fmt.COLUMNS], fill_value="").fillna("")
    frame = frame.astype(str)
    frame, cleared = _take_clear_markers(frame)
    decimal = decimal_separator(frame)
    out = pd.DataFrame(index=frame.index)

    for column in fmt.COLUMNS:
        values = frame[column.name]
        if column.required:
            log.error((values == "").to_numpy(), values, column.name, "required")
        out[column.name] = check_column(column, values, decimal, log, today)

    nameless = ((frame["facility_name_kk"] == "") & (frame["facility_name_ru"] == "")).to_numpy()
    log.error(nameless, frame["facility_name_ru"], "facility_name_ru", "name_required")
    _check_dates_order(out, frame, log)
    _check_duplicate_keys(out, frame, log)
    _check_facility_consistency(out, frame, log)
    facilities = _place_facilities(out, frame, districts, log)
    paid_above = (out["amount_paid"] > out["amount_allocated"]).fillna(False).to_numpy(dtype=bool)
    log.warning(paid_above, frame["amount_paid"], "amount_paid", "paid_above_allocated",
                lambda row: {"paid": frame.at[row, "amount_paid"],
                             "allocated": frame.at[row, "amount_allocated"]})
    no_unit = (out["capacity"].notna() & out["capacity_unit"].isna()).to_numpy()
    log.warning(no_unit, frame["capacity"], "capacity", "capacity_without_unit")
    example = (frame["facility_id"].str.upper() == fmt.EXAMPLE_FACILITY_ID).to_numpy(dtype=bool)
    log.warning(example, frame["facility_id"], "facility_id", "example_row_left_in")
    if raw.encoding == "cp1251":
        for column in fmt.COLUMNS:
            if column.kind == fmt.TEXT:
                lost = frame[column.name].str.contains(LOST_LETTER, regex=True).to_numpy()
                log.warning(lost, frame[column.name], column.name, "letters_lost")

    problems = cap_warnings(sorted(summarise_warnings(log.problems),
                                   key=lambda p: (p.row or 0, p.severity != "error")))
    if any(p.severity == "error" for p in problems):
        return ValidatedTable(problems=problems)
    lines = out.drop(columns=[c for c in fmt.FACILITY_ATTRIBUTES]).reset_index(names="source_row")
    return ValidatedTable(problems=problems, lines=lines, facilities=facilities, cleared=cleared)


def _take_clear_markers(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, frozenset[str]]]:
    """The frame with each clear marker made blank, and where the markers were.

    The reader strips every cell, so a marker is a whole cell: ``isin`` hashes at C speed (a
    string method over every cell of 18 columns took two seconds of a 500,000-line validation).
    """
    marked = {column: mask for column in CLEARABLE_COLUMNS
              if (mask := frame[column].isin(CLEAR_MARKERS).to_numpy()).any()}
    if not marked:
        return frame, {}
    rows: dict[int, set[str]] = {}
    frame = frame.copy()
    for column, mask in marked.items():
        for row in frame.index[mask]:
            rows.setdefault(int(row), set()).add(column)
        frame.loc[mask, column] = ""
    return frame, {row: frozenset(columns) for row, columns in rows.items()}


def _check_dates_order(out: pd.DataFrame, frame: pd.DataFrame, log: ProblemLog) -> None:
    both = out["start_date"].notna() & out["end_date"].notna()
    reversed_ = both & (out["end_date"].fillna("") < out["start_date"].fillna(""))
    log.error(reversed_.to_numpy(), frame["end_date"], "end_date", "end_before_start",
              lambda row: {"start": frame.at[row, "start_date"]})


def _check_duplicate_keys(out: pd.DataFrame, frame: pd.DataFrame, log: ProblemLog) -> None:
    """The second and later rows with the same budget-line key are errors."""
    complete = out["facility_id"].notna() & out["fiscal_year"].notna() & out["work_type"].notna()
    codes = pd.DataFrame({c: _codes(out[c])[complete.to_numpy()] for c in LINE_KEY})
    if not codes.duplicated().any():  # the usual case, decided on integer codes (blank = -1)
        return
    key = out[list(LINE_KEY)].astype(object).fillna("").astype(str)
    key = key[complete]
    repeated = key.duplicated(keep="first")
    first_row = key.reset_index().groupby(list(LINE_KEY), dropna=False)["row"].transform("first")
    first_row.index = key.index
    mask = pd.Series(False, index=frame.index)
    mask[repeated[repeated].index] = True
    log.error(mask.to_numpy(), frame["facility_id"], "facility_id", "duplicate_key",
              lambda row: {"first_row": int(first_row[row])})


def _check_facility_consistency(out: pd.DataFrame, frame: pd.DataFrame, log: ProblemLog) -> None:
    """A facility's name, type, place... must be the same on each of its rows (blank = not given)."""
    ids = _codes(out["facility_id"])  # -1: no identifier
    if (ids < 0).all():
        return
    positions = np.arange(len(out))
    for column in fmt.FACILITY_ATTRIBUTES:
        values = _codes(out[column])  # equal values, equal codes; -1: blank
        given = (values >= 0) & (ids >= 0)
        if not given.any():
            continue
        group, value, position = ids[given], values[given], positions[given]
        facilities, first = np.unique(group, return_index=True)  # each facility's first row
        first_value = np.full(ids.max() + 1, -1)
        first_value[facilities] = value[first]
        first_position = np.full(ids.max() + 1, -1)
        first_position[facilities] = position[first]
        differs = value != first_value[group]
        if not differs.any():
            continue
        mask = np.zeros(len(out), dtype=bool)
        mask[position[differs]] = True
        first_row = pd.Series(out.index[first_position[group[differs]]], index=out.index[position[differs]])
        log.error(mask, frame[column], column, "facility_conflict",
                  lambda row, c=column, fr=first_row: {
                      "facility_id": frame.at[row, "facility_id"], "column": c,
                      "first_row": int(fr[row]), "first_value": frame.at[int(fr[row]), c]})


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column's values: equal values share one, a missing value is -1."""
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        return pd.factorize(values.to_numpy(dtype=object))[0]  # faster than on the str dtype
    return pd.factorize(values)[0]


def _place_facilities(out: pd.DataFrame, frame: pd.DataFrame, districts, log: ProblemLog) -> pd.DataFrame:
    """One row per facility, placed in its district; points outside the region are errors."""
    attributes = out[["facility_id", *fmt.FACILITY_ATTRIBUTES]]
    placeable = attributes["facility_id"].notna() & attributes["lat"].notna() & attributes["lon"].notna()
    firsts = attributes[placeable].groupby("facility_id", sort=False).first()
    rows = pd.Series(attributes.index, index=attributes.index)
    first_rows = rows[placeable].groupby(attributes.loc[placeable, "facility_id"], sort=False).first()
    with_kato = placeable & attributes["district_kato"].notna()
    kato_rows = rows[with_kato].groupby(attributes.loc[with_kato, "facility_id"], sort=False).first()
    if firsts.empty:
        return pd.DataFrame()
    placed = assign_districts(firsts["lat"], firsts["lon"], districts)
    placed.index = firsts.index
    facilities = firsts.assign(kato=placed["kato"], in_overlap=placed["in_overlap"],
                               candidates=placed["candidates"], first_row=first_rows,
                               kato_row=kato_rows.reindex(firsts.index))

    outside = facilities["kato"].isna()
    if outside.any():
        swapped = assign_districts(facilities.loc[outside, "lon"], facilities.loc[outside, "lat"],
                                   districts)["kato"].notna().to_numpy()
        for (facility_id, row), is_swapped in zip(facilities.loc[outside].iterrows(), swapped):
            line = int(row["first_row"])
            params = {"lat": frame.at[line, "lat"], "lon": frame.at[line, "lon"]}
            code = "outside_region_swapped" if is_swapped else "outside_region"
            log.problems.append(Problem("error", line, "lat", frame.at[line, "lat"], code, params))

    located = facilities[~outside]
    given = located["district_kato"]
    needs_warning = located["in_overlap"] | (given.notna() & (given != located["kato"]))
    for facility_id, row in located[needs_warning].iterrows():
        line = int(row["first_row"])
        given = row["district_kato"]
        if row["in_overlap"]:
            log.problems.append(Problem("warning", line, "lat", frame.at[line, "lat"],
                                        "in_overlap", {"located": row["kato"]}))
        if pd.isna(given) or given in row["candidates"]:
            continue
        code = "district_mismatch" if given in districts.index else "unknown_district"
        log.problems.append(Problem("warning", int(row["kato_row"]), "district_kato", given, code,
                                    {"located": row["kato"]}))
    return facilities.drop(columns=["district_kato", "first_row", "kato_row", "candidates"]).reset_index()
