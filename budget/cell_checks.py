"""Parse and check the cells of one budget-table column by its kind (``budget.format``).

Each check is vectorised over the column (a 500,000-row file must validate in seconds), but
reports per cell through a ``ProblemLog``: the Excel row number, the column, the value as typed
and a message code (see ``core.errors``). Numbers follow the file's decimal separator; money
becomes exact integer tiyn. ``budget.validation`` runs these over a whole table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from budget import format as fmt
from budget import office_cells as office
from budget.choices import codes_of, english_labels
from budget.format import Problem
from core.identifiers import is_valid_bin

TIYN_PER_TENGE = 100
SPACES = r"[\s\u00a0\u202f]"
PLAIN_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
# Amounts above this many tenge are typing errors (the national budget is about 2e13 KZT),
# and the limit keeps tiyn far inside 64-bit integers.
MAX_AMOUNT_DIGITS = 14
SIMPLE_AMOUNT = r"[0-9]{{1,12}}(?:\{decimal}[0-9]{{1,2}})?"  # up to 12 digits, 2 decimals
# Kinds checked once per distinct value (they repeat): text and money are mostly distinct, and
# their checks are cheap or have a fast path, so they are checked cell by cell.
DISTINCT_KINDS = frozenset((fmt.NUMBER, fmt.LAT, fmt.LON, fmt.PERCENT, fmt.INTEGER, fmt.YEAR,
                            fmt.DATE, fmt.CHOICE, fmt.BIN, fmt.KATO))



class ProblemLog:
    """Collects problems from boolean masks over a column."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, severity: str, mask, frame_column: pd.Series, column: str | None, code: str,
            params=None):
        """One problem per True in ``mask``; ``params`` is a dict or a function of the row label."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return
        typed = frame_column.to_numpy(dtype=object)[positions]  # by position: no label lookups
        for label, value in zip(frame_column.index[positions].tolist(), typed.tolist()):
            extra = params(label) if callable(params) else (params or {})
            self.problems.append(Problem(severity, int(label), column, str(value), code, extra))

    def error(self, *args, **kw):
        self.add("error", *args, **kw)

    def warning(self, *args, **kw):
        self.add("warning", *args, **kw)


class DistinctLog(ProblemLog):
    """A ProblemLog over a column's distinct values (labelled 0..n-1), replayed over the rows."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.findings: list[tuple] = []

    def add(self, severity: str, mask, frame_column: pd.Series, column: str | None, code: str,
            params=None):
        found = np.zeros(self.size, dtype=bool)
        found[frame_column.index[np.asarray(mask, dtype=bool)]] = True
        self.findings.append((severity, found, column, code, params))

    def replay(self, log: ProblemLog, codes: np.ndarray, values: pd.Series) -> None:
        """The findings for every row whose value was found wanting, in the order found."""
        for severity, found, column, code, params in self.findings:
            if found.any():
                log.add(severity, found[codes], values, column, code, params)


# ---------------------------------------------------------------- numbers


def decimal_separator(raw: pd.DataFrame) -> str:
    """',' or '.', decided by the coordinates, which always carry decimals.

    "125,000" means 125 thousand in an English file and 125 in a Russian one; the coordinates
    tell which kind of file this is, and every number in it is read the same way.
    """
    sample = pd.concat([raw[c] for c in ("lat", "lon") if c in raw.columns] or [pd.Series([], dtype=object)])
    sample = sample.astype(str)
    commas = int(sample.str.contains(",", regex=False).sum())
    dots = int(sample.str.contains(".", regex=False).sum())
    return "," if commas > dots else "."


def normalise_numbers(values: pd.Series, decimal: str) -> pd.Series:
    """Text numbers as plain '-1234.5' strings; what cannot be a number is left as it was.

    Spaces and non-breaking spaces group thousands. The other separator than ``decimal`` groups
    thousands only in groups of three ("1.234.567,5"); alone and not grouped, it is a decimal
    separator after all ("1,5" in a file that otherwise uses points).
    """
    plain = values.astype(str)
    # Most cells are plain already ("125000000", "43.297"): only the others need the rules below.
    simple = plain.str.fullmatch(rf"[0-9]*(?:\{decimal}[0-9]+)?").to_numpy(dtype=bool)
    if decimal != ".":
        plain = plain.str.replace(decimal, ".", regex=False)
    if simple.all():
        return plain
    if simple.any():
        return plain.where(simple, _normalise_grouped(values[~simple], decimal))
    return _normalise_grouped(values, decimal)


def _normalise_grouped(values: pd.Series, decimal: str) -> pd.Series:
    """``normalise_numbers`` for cells with spaces, signs or grouping separators."""
    other = "." if decimal == "," else ","
    text = values.astype(str).str.replace(SPACES, "", regex=True)
    e_dec, e_other = "\\" + decimal, "\\" + other
    grouped = text.str.fullmatch(rf"[+-]?[1-9][0-9]{{0,2}}(?:{e_other}[0-9]{{3}})+(?:{e_dec}[0-9]+)?")
    text = text.where(~grouped, text.str.replace(other, "", regex=False))
    single_other = (text.str.count(e_other) == 1) & ~text.str.contains(e_dec, regex=True)
    text = text.where(~single_other, text.str.replace(other, decimal, regex=False))
    return text.str.replace(decimal, ".", regex=False)


def parse_numbers(values: pd.Series, decimal: str) -> tuple[pd.Series, np.ndarray]:
    """Floats and a mask of the non-empty cells that are not numbers."""
    plain = normalise_numbers(values, decimal)
    good = plain.str.fullmatch(PLAIN_NUMBER)
    numbers = pd.to_numeric(plain.where(good), errors="coerce").astype("float64")
    return numbers, ((values != "") & ~good).to_numpy()


def parse_money(values: pd.Series, decimal: str, log: ProblemLog, column: str) -> pd.Series:
    """Amounts in KZT as exact integer tiyn (nullable); errors for text, negatives, 3+ decimals."""
    # The usual cell, up to 12 whole digits and 2 decimals, is exact through a float (< 2**53
    # tiyn) and converts at C speed; blanks are missing; only the other cells need the checks.
    simple = values.str.fullmatch(SIMPLE_AMOUNT.format(decimal=decimal)).to_numpy(dtype=bool)
    blank = (values == "").to_numpy()
    tiyn = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if simple.any():
        plain = values[simple] if decimal == "." else values[simple].str.replace(decimal, ".", regex=False)
        tenge = pd.to_numeric(plain).to_numpy(dtype="float64")
        tiyn[simple] = np.round(tenge * TIYN_PER_TENGE).astype("int64")
    rest = ~simple & ~blank
    if rest.any():
        tiyn[rest] = _parse_money_checked(values[rest], normalise_numbers(values[rest], decimal),
                                          log, column).array
    return tiyn


def _parse_money_checked(values: pd.Series, plain: pd.Series, log: ProblemLog, column: str) -> pd.Series:
    """``parse_money`` for cells that are not plain amounts: each rule checked and reported."""
    given = (values != "").to_numpy()
    number = plain.str.fullmatch(PLAIN_NUMBER).to_numpy()
    negative = plain.str.startswith("-").to_numpy()
    exact = plain.str.fullmatch(r"\+?[0-9]+(?:\.[0-9]{0,2})?|\+?\.[0-9]{1,2}").to_numpy()
    whole_digits = plain.str.lstrip("+-").str.partition(".")[0].str.lstrip("0").str.len().to_numpy()
    too_large = whole_digits > MAX_AMOUNT_DIGITS
    log.error(given & ~number, values, column, "not_a_number")
    log.error(given & number & negative, values, column, "negative_amount")
    log.error(given & number & ~negative & ~exact, values, column, "too_many_decimals")
    log.error(given & exact & too_large, values, column, "amount_too_large",
              {"limit": "9" * MAX_AMOUNT_DIGITS})
    ok = given & exact & ~too_large
    parts = plain.where(ok, "0").str.lstrip("+").str.partition(".")
    whole = pd.to_numeric(parts[0].replace("", "0")).astype("int64")
    cents = pd.to_numeric(parts[2].str.ljust(2, "0").replace("", "00")).astype("int64")
    tiyn = (whole * TIYN_PER_TENGE + cents).astype("Int64")
    return tiyn.where(ok, pd.NA)


# ---------------------------------------------------------------- other kinds


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Dates as 'YYYY-MM-DD' strings, a mask of the cells that are not dates and a mask of those
    that could be two dates (1/4/2025).

    ISO (YYYY-MM-DD) and Russian Excel (DD.MM.YYYY) dates, and what office suites make of
    dates: Excel serial numbers and D/M/YYYY or M/D/YYYY (``budget.office_cells``).
    """
    iso = pd.to_datetime(values.where(values.str.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")),
                         format="%Y-%m-%d", errors="coerce")
    dotted = pd.to_datetime(values.where(values.str.fullmatch(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}")),
                            format="%d.%m.%Y", errors="coerce")
    slashed, ambiguous = office.slashed_dates(values)
    parsed = iso.fillna(dotted).fillna(slashed).fillna(office.serial_dates(values))
    bad = ((values != "") & parsed.isna()).to_numpy() & ~ambiguous
    return parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), None), bad, ambiguous


def parse_choices(values: pd.Series, column: str) -> tuple[pd.Series, np.ndarray]:
    """Coded values as their codes: the code, its kk/ru/en label or a synonym (``budget.choices``)."""
    codes = codes_of(column, values)
    return codes, ((values != "") & codes.isna()).to_numpy(dtype=bool)


def text_or_none(values: pd.Series) -> pd.Series:
    return values.where(values != "", None)



# ---------------------------------------------------------------- a column by its kind


def check_column(column: fmt.Column, values: pd.Series, decimal: str, log: ProblemLog,
                 today: dt.date) -> pd.Series:
    """The typed values of one column; a problem in ``log`` for each cell its kind refuses."""
    if column.kind in DISTINCT_KINDS:
        return _check_distinct(column, values, decimal, log, today)
    return _check_kind(column, values, decimal, log, today)


def _check_distinct(column: fmt.Column, values: pd.Series, decimal: str, log: ProblemLog,
                    today: dt.date) -> pd.Series:
    """``_check_kind`` once per distinct value of the column, spread back over its rows.

    A 500,000-line file repeats its years, types and choices, and each facility's details on
    every line of it: checking each distinct value once is several times faster, and gives the
    same typed values and the same problems, row by row.
    """
    codes, distinct = pd.factorize(values.to_numpy(dtype=object))
    findings = DistinctLog(len(distinct))
    typed = _check_kind(column, pd.Series(distinct, dtype=values.dtype), decimal, findings, today)
    findings.replay(log, codes, values)
    if isinstance(typed.dtype, np.dtype):  # float64: plain numpy
        return pd.Series(typed.to_numpy()[codes], index=values.index, dtype=typed.dtype)
    if isinstance(typed.dtype, pd.StringDtype):  # text: a numpy take, then the dtype back
        return pd.Series(typed.to_numpy(dtype=object)[codes], index=values.index, dtype=typed.dtype)
    return pd.Series(typed.array.take(codes), index=values.index)


def _check_kind(column: fmt.Column, values: pd.Series, decimal: str, log, today: dt.date) -> pd.Series:
    """The typed values of one column by its kind; problems for the cells that fail."""
    empty = (values == "").to_numpy()
    kind = column.kind
    if kind == fmt.TEXT:
        too_long = values.str.len().to_numpy() > column.max_length
        log.error(too_long, values, column.name, "too_long", {"limit": column.max_length})
        return text_or_none(values)
    elif kind == fmt.MONEY:
        return parse_money(values, decimal, log, column.name)
    elif kind in (fmt.NUMBER, fmt.LAT, fmt.LON, fmt.PERCENT, fmt.INTEGER, fmt.YEAR):
        numbers, bad = parse_numbers(values, decimal)
        log.error(bad, values, column.name, "not_a_number")
        return _check_number_kind(column, numbers, values, log, today)
    elif kind == fmt.DATE:
        dates, bad, ambiguous = parse_dates(values)
        log.error(bad, values, column.name, "bad_date")
        log.error(ambiguous, values, column.name, "ambiguous_date")
        return dates
    elif kind == fmt.CHOICE:
        choices, bad = parse_choices(values, column.name)
        log.error(bad, values, column.name, "unknown_choice",
                  {"allowed": ", ".join(column.choices), "labels": english_labels(column.name)})
        return choices
    elif kind == fmt.BIN:
        return _check_bin(values, empty, log, column.name)
    elif kind == fmt.URL:
        url = values.str.fullmatch(r"(?i)https?://\S+").to_numpy()
        log.error(~empty & ~url, values, column.name, "bad_url")
        too_long = values.str.len().to_numpy() > column.max_length
        log.error(too_long & url, values, column.name, "too_long", {"limit": column.max_length})
        return text_or_none(values)
    elif kind == fmt.KATO:  # no KATO code starts with 0 (regions 10-79): only '.0' to undo
        return text_or_none(office.number_digits(values.str.replace(SPACES, "", regex=True))[0])
    else:  # pragma: no cover - a new kind must be handled above
        raise ValueError(f"unknown column kind {kind!r}")


def _check_bin(values: pd.Series, empty: np.ndarray, log, name: str) -> pd.Series:
    """12 digits with a valid check digit; a BIN a spreadsheet made a number gets its leading
    zeros back (``office_cells.restore_bins``), with a warning the validator sums up per column."""
    digits, cut = office.number_digits(values.str.replace(SPACES, "", regex=True))
    log.error(~empty & cut, values, name, "bin_cut_short")
    restored = office.restore_bins(digits)
    padded = restored.notna().to_numpy()
    log.warning(padded, values, name, "zero_restored")
    digits = digits.where(~padded, restored)
    twelve = digits.str.fullmatch(r"[0-9]{12}").to_numpy()
    log.error(~empty & ~cut & ~twelve, values, name, "bin_not_12_digits")
    checked = digits.map(is_valid_bin).to_numpy(dtype=bool)
    log.error(~empty & twelve & ~checked, values, name, "bin_bad_check_digit")
    return digits.where(~empty & checked, None)


def _check_number_kind(column, numbers: pd.Series, values: pd.Series, log: ProblemLog,
                       today: dt.date) -> pd.Series:
    name = column.name
    if column.kind == fmt.LAT:
        log.error((numbers.abs() > 90).to_numpy(), values, name, "lat_out_of_range")
        return numbers.where(numbers.abs() <= 90)
    if column.kind == fmt.LON:
        log.error((numbers.abs() > 180).to_numpy(), values, name, "lon_out_of_range")
        return numbers.where(numbers.abs() <= 180)
    if column.kind == fmt.PERCENT:
        outside = ((numbers < 0) | (numbers > 100)).to_numpy()
        log.error(outside, values, name, "progress_out_of_range")
        return numbers.where(~outside)
    if column.kind == fmt.NUMBER:
        log.error((numbers <= 0).to_numpy(), values, name, "not_positive")
        return numbers.where(numbers > 0)
    whole = numbers.notna() & (numbers == numbers.round())
    log.error((numbers.notna() & ~whole).to_numpy(), values, name, "not_an_integer")
    if column.kind == fmt.YEAR:
        low, high = fmt.FIRST_FISCAL_YEAR, today.year + fmt.YEARS_AHEAD
        outside = whole & ((numbers < low) | (numbers > high))
        log.error(outside.to_numpy(), values, name, "year_out_of_range", {"low": low, "high": high})
        return numbers.where(whole & ~outside).astype("Int64")
    log.error((whole & (numbers <= 0)).to_numpy(), values, name, "not_positive")
    return numbers.where(whole & (numbers > 0)).astype("Int64")
