"""The dashboard's figures: totals by year, district, facility type, work type and funding source
(pure, exact, no Flask, no SQL).

Input are line sums (``explore.queries.filtered_line_sums``: money of one facility, year, work type
and funding source, already narrowed to the filter's line filters) and, for every published
year, the facilities that the filter selects in that year (the map's selection, so facility
filters, the text search and any filter added later apply exactly as on the map).

How the year filter applies: the breakdowns by district, facility type, work type and funding
source are for the selected year, each row compared with the year before under the same
filters; the table by year shows every published year under the other filters, each year's row
being what the map shows with that year selected.

Money stays integer tiyn; ratios are computed at the end and rounded once
(``explore.figures``). A change from the year before is None when that year is not published or
had nothing allocated in the row (a change from zero has no percentage).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.csv_export import COMMAS, CsvLayout, excel_csv
from core.money import per_resident
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, MONEY_FIELDS, WORK_TYPES
from explore.figures import execution_rate

# Breakdown name -> the line field it groups by.
BREAKDOWNS = {"district": "district_kato", "facility_type": "facility_type", "work_type": "work_type",
              "funding_source": "funding_source"}
# Row order of the coded breakdowns: the format's order; an unknown or missing code goes last.
CODE_ORDER = {"facility_type": FACILITY_TYPES, "work_type": WORK_TYPES, "funding_source": FUNDING_SOURCES}


def _empty() -> dict:
    return {**{name: 0 for name in MONEY_FIELDS}, "line_count": 0, "facility_count": 0}


def money_sums(lines: Iterable[Mapping]) -> dict:
    """Allocated, contracted and paid (tiyn; an unknown amount counts as 0), lines and facilities."""
    result, facilities = _empty(), set()
    for line in lines:
        for name in MONEY_FIELDS:
            result[name] += int(line.get(name) or 0)
        result["line_count"] += int(line.get("line_count", 1))
        facilities.add(line["facility_id"])
    result["facility_count"] = len(facilities)
    return result


def change_pct(current: int | None, previous: int | None) -> float | None:
    """Change from ``previous`` to ``current`` in percent, one decimal (half away from zero, from
    the exact quotient); None without a base."""
    if current is None or not previous:
        return None
    tenths = (Decimal(1000 * (int(current) - int(previous))) / int(previous)).quantize(Decimal(1), ROUND_HALF_UP)
    return float(tenths) / 10


def selected_lines(lines: Iterable[Mapping], year: int | None,
                   selected: Mapping[int, Collection[str]]) -> list[Mapping]:
    """The lines of ``year`` whose facility the year's selection holds."""
    keep = selected.get(year, ()) if year is not None else ()
    return [line for line in lines if line["fiscal_year"] == year and line["facility_id"] in keep]


def _with_rate(row: dict) -> dict:
    row["execution_pct"] = execution_rate(row["paid_tiyn"], row["allocated_tiyn"])
    return row


def by_year(lines: Sequence[Mapping], years: Iterable[int], selected: Mapping[int, Collection[str]]) -> list[dict]:
    """One row per published year (oldest first): money, execution rate, change from the year before.

    Each year keeps the lines of the facilities its own selection holds. The change is against
    the calendar year before; None when that year is not published or nothing was allocated.
    """
    years = sorted(years)
    per_year = {year: money_sums(selected_lines(lines, year, selected)) for year in years}
    rows = []
    for year in years:
        before = per_year.get(year - 1)
        row = _with_rate({"fiscal_year": year, **per_year[year]})
        row["allocated_change_pct"] = change_pct(row["allocated_tiyn"], before and before["allocated_tiyn"])
        row["paid_change_pct"] = change_pct(row["paid_tiyn"], before and before["paid_tiyn"])
        rows.append(row)
    return rows


def _order(breakdown: str, keys: Iterable) -> list:
    order = CODE_ORDER.get(breakdown)
    if order is None:  # districts: by KATO code
        return sorted(keys, key=lambda k: (k is None, k or ""))
    return sorted(keys, key=lambda k: (k not in order, order.index(k) if k in order else 0, k or ""))


def breakdown(breakdown_name: str, current: Sequence[Mapping], previous: Sequence[Mapping] | None) -> list[dict]:
    """Money of ``current`` lines grouped by ``breakdown_name`` (see ``BREAKDOWNS``).

    A row for every key with lines in ``current`` or ``previous`` (so a category that dropped to
    nothing still shows), with the execution rate and the change of allocated from ``previous``
    (None for every row when ``previous`` is None: that year is not published).
    """
    field_name = BREAKDOWNS[breakdown_name]
    groups: dict = {}
    for line in current:
        groups.setdefault(line[field_name], []).append(line)
    before: dict = {}
    for line in previous or ():
        before.setdefault(line[field_name], []).append(line)
    rows = []
    for key in _order(breakdown_name, set(groups) | set(before)):
        row = _with_rate({"key": key, **money_sums(groups.get(key, ()))})
        base = money_sums(before[key])["allocated_tiyn"] if key in before else 0
        row["allocated_change_pct"] = None if previous is None else change_pct(row["allocated_tiyn"], base)
        rows.append(row)
    return rows


def with_population(rows: list[dict], districts: Iterable[Mapping]) -> list[dict]:
    """District rows plus population and money per resident (tiyn, half up; None when unknown)."""
    population = {d["kato"]: d.get("population") for d in districts}
    for row in rows:
        people = population.get(row["key"])
        row["population"] = people
        row["allocated_per_resident"] = per_resident(row["allocated_tiyn"], people)
        row["paid_per_resident"] = per_resident(row["paid_tiyn"], people)
    return rows


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the dashboard for one filter (language-free, tiyn)."""

    year: int | None
    previous_year: int | None  # the year the changes compare with; None when not published
    years: list[dict]  # by_year rows, oldest first
    total: dict  # the selected year: money, execution rate, change from the year before
    tables: dict[str, list[dict]] = field(default_factory=dict)  # breakdown name -> rows

    @property
    def has_money(self) -> bool:
        return self.total["line_count"] > 0


def build(lines: Sequence[Mapping], years: Iterable[int], year: int | None,
          selected: Mapping[int, Collection[str]], districts: Iterable[Mapping]) -> Dashboard:
    """The dashboard for ``year`` from line sums, the selection of every year and the districts.

    The total of a year equals the sums of its breakdown rows; per-resident totals use the
    population of the districts listed and are None when any of them has none.
    """
    years = sorted(years)
    current = selected_lines(lines, year, selected)
    previous_year = year - 1 if year is not None and year - 1 in years else None
    previous = selected_lines(lines, previous_year, selected) if previous_year is not None else None
    tables = {name: breakdown(name, current, previous) for name in BREAKDOWNS}
    with_population(tables["district"], districts)
    total = _with_rate(money_sums(current))
    before = money_sums(previous) if previous is not None else None
    total["allocated_change_pct"] = change_pct(total["allocated_tiyn"], before and before["allocated_tiyn"])
    total["paid_change_pct"] = change_pct(total["paid_tiyn"], before and before["paid_tiyn"])
    populations = [row["population"] for row in tables["district"]]
    people = sum(populations) if populations and all(populations) else None
    total["population"] = people
    total["allocated_per_resident"] = per_resident(total["allocated_tiyn"], people)
    total["paid_per_resident"] = per_resident(total["paid_tiyn"], people)
    return Dashboard(year=year, previous_year=previous_year, years=by_year(lines, years, selected),
                     total=total, tables=tables)


# --- Downloads ---------------------------------------------------------------------------

def kzt(tiyn: int | None) -> Decimal | None:
    """Tiyn as exact tenge with two decimals (for downloads: no rounding to whole tenge)."""
    return None if tiyn is None else (Decimal(int(tiyn)) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Mapping], object]


def table_csv(columns: Sequence[Column], rows: Iterable[Mapping], layout: CsvLayout = COMMAS) -> bytes:
    """A table for Excel through the app's one CSV writer (``core.csv_export``): UTF-8 with BOM,
    CRLF, text cells starting with =, +, -, @ (or a tab or CR) neutralised, numbers as numbers;
    ``layout``: commas, or semicolons and decimal commas."""
    return excel_csv([column.header for column in columns],
                     ([column.value(row) for column in columns] for row in rows), layout)
