"""What every risk rule shares: exact integer comparisons of money, figures rounded for display,
and the frame of hits a rule returns.

Kept apart from the rules so that ``risk.work_rules`` and ``risk.group_rules`` use one exact
arithmetic (a flag never depends on floating-point rounding, see ``risk.rules``), and apart
from ``risk.rules`` so that the rules need nothing from the module that runs them. A rule knows
neither its id nor its outcome: ``risk.rules.compute_flags`` adds them to the hits.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

# A rule's hits: the work (or facility year, work_type None) it is about, its figures, its threshold.
HIT_COLUMNS = ("facility", "fiscal_year", "work_type", "figures", "threshold")
_EXACT_LIMIT = 2**62  # products below this fit int64; larger ones are computed in Python ints


# ------------------------------------------------------------------ exact arithmetic


def hundredths(value) -> int:
    """A threshold in hundredths (30 -> 3000, 10.5 -> 1050), rounded half up to 0.01."""
    return int((Decimal(str(value)) * 100).to_integral_value(rounding="ROUND_HALF_UP"))


def ints(series: pd.Series) -> np.ndarray:
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


def progress_hundredths(progress: pd.Series) -> np.ndarray:
    """Physical progress (%) in hundredths of a point (missing -> 0; mask them separately)."""
    return np.rint(progress.fillna(0).to_numpy(dtype=float) * 100).astype(np.int64)


# ------------------------------------------------------------------ figures (display only)


def pct(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` in percent, rounded to 0.1 (display only)."""
    if not denominator:
        return None
    return round(float(Decimal(int(numerator)) * 100 / Decimal(int(denominator))), 1)


def number(value) -> float | int | None:
    """A figure for JSON: None for missing, int when whole, else float rounded to 0.01."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else round(as_float, 2)


def whole(value: float) -> int:
    """A computed amount (a unit cost, a quartile) in whole tiyn, rounded half up (display only)."""
    return int(Decimal(repr(float(value))).to_integral_value(rounding="ROUND_HALF_UP"))


def int_or_none(value) -> int | None:
    return None if value is None or value is pd.NA else int(value)


def normalized_text(values: pd.Series) -> pd.Series:
    """Text compared ignoring case and runs of spaces ('' for missing)."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.str.replace(r"\s+", " ", regex=True).str.strip().str.casefold().astype(object)


# ------------------------------------------------------------------ hits


def no_hits() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in HIT_COLUMNS})


def hits(frame: pd.DataFrame, figures: list[dict], threshold, *,
         work_type: str | pd.Series | None = None) -> pd.DataFrame:
    """The hits of a rule for the rows of ``frame`` (with ``facility``, ``fiscal_year``)."""
    if frame.empty:
        return no_hits()
    if isinstance(work_type, pd.Series):
        work = work_type.astype(object).where(work_type.notna(), None).tolist()
    else:
        work = [work_type] * len(frame)
    return pd.DataFrame({
        "facility": frame["facility"].tolist(), "fiscal_year": [int(y) for y in frame["fiscal_year"]],
        "work_type": work, "figures": figures, "threshold": [number(threshold)] * len(frame)},
        columns=list(HIT_COLUMNS))
