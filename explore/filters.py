"""What a resident or journalist filters facilities by, and the figures that follow the filters.

One filter serves the map, its data endpoints, the table view, the dashboard and the API, so a link
copied from any of them means the same selection. Facility filters (type, district, text)
choose facilities; line filters (work type, status, funding source) choose the budget lines
of the selected year that are summed. With a line filter set, only facilities with a matching
line are listed; without one, every facility is listed and those without money that year are
shown as such (the school down the road matters either way). The risk filter is a facility
filter too: it keeps facilities with a raised risk flag of that rule (or of any rule, ``any``)
in the selected year (``risk.rules``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields

from core.money import per_resident, plain_whole_number
from core.text import has_control_characters, without_control_characters
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES
from risk.rules import RISK_CHOICES

# URL parameter -> FacilityFilter field.
PARAMETERS = {
    "year": "year", "type": "facility_type", "work": "work_type", "status": "status",
    "funding": "funding_source", "district": "district", "q": "text", "risk": "risk",
}
CHOICES = {"facility_type": FACILITY_TYPES, "work_type": WORK_TYPES, "status": STATUSES,
           "funding_source": FUNDING_SOURCES, "risk": RISK_CHOICES}
MAX_TEXT = 100

# A facility's status in a year, from its lines: the most pressing one wins (a suspended
# line matters more than a finished one).
STATUS_PRECEDENCE = ("suspended", "in_progress", "tendering", "planned", "completed", "cancelled")

SORT_KEYS = ("name", "type", "district", "allocated", "contracted", "paid", "progress", "status")


@dataclass(frozen=True)
class FacilityFilter:
    year: int | None = None
    facility_type: str | None = None
    work_type: str | None = None
    status: str | None = None
    funding_source: str | None = None
    district: str | None = None
    text: str = ""
    risk: str | None = None  # a rule of risk.rules.RULES, or "any"

    @property
    def has_line_filters(self) -> bool:
        return any((self.work_type, self.status, self.funding_source))

    def key(self) -> tuple:
        """Hashable identity, for caches (every request asks: ``asdict`` deep-copies, this does not)."""
        return tuple(getattr(self, name) for name in _FILTER_FIELDS)

    def query_args(self) -> dict[str, str]:
        """The filter as URL parameters (only those set), the inverse of ``parse_filter``."""
        values = asdict(self)
        return {param: str(values[field]) for param, field in PARAMETERS.items()
                if values[field] not in (None, "")}


_FILTER_FIELDS = tuple(f.name for f in fields(FacilityFilter))


def parse_filter(args: Mapping[str, str], years: Iterable[int],
                 district_katos: Iterable[str]) -> tuple[FacilityFilter, list[str]]:
    """The filter in URL parameters, and the parameters that were not understood.

    A value we do not know is dropped (the page still shows something sensible) and named in
    the returned list, so an API can answer 400 instead. A missing or unknown year means the
    latest published one.
    """
    years = sorted(years)
    problems: list[str] = []
    values: dict[str, object] = {}
    raw_year = (args.get("year") or "").strip()
    if raw_year:
        if plain_whole_number(raw_year) in years:
            values["year"] = int(raw_year)
        else:
            problems.append("year")
    values.setdefault("year", years[-1] if years else None)
    for param, field in PARAMETERS.items():
        if field in CHOICES:
            raw = (args.get(param) or "").strip()
            if raw in CHOICES[field]:
                values[field] = raw
            elif raw:
                problems.append(param)
    raw_district = (args.get("district") or "").strip()
    if raw_district and raw_district in set(district_katos):
        values["district"] = raw_district
    elif raw_district:
        problems.append("district")
    text = args.get("q") or ""
    if has_control_characters(text):  # a NUL byte or an escape: dropped, and named
        problems.append("q")
        text = without_control_characters(text)
    text = " ".join(text.split())
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
        if "q" not in problems:
            problems.append("q")
    values["text"] = text
    return FacilityFilter(**values), problems


def normalized(text: str) -> str:
    """Text for matching: case- and form-insensitive (Kazakh, Russian and Latin alike)."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def matches_text(row: Mapping, text: str) -> bool:
    """True when ``text`` occurs in the facility's id or any of its names."""
    if not text:
        return True
    needle = normalized(text)
    return any(needle in normalized(row.get(field) or "")
               for field in ("name_kk", "name_ru", "name_en", "facility_id"))


def select_facilities(rows: Iterable[Mapping], facility_filter: FacilityFilter) -> list[Mapping]:
    """Rows (one per facility, with sums of matching lines) that the filter keeps."""
    return [row for row in rows
            if (row["lines"] or not facility_filter.has_line_filters)
            and matches_text(row, facility_filter.text)]


def status_in_year(rank: int | None) -> str | None:
    """The facility's status from the lowest precedence rank among its lines."""
    return None if rank is None else STATUS_PRECEDENCE[rank]


def totals(rows: Iterable[Mapping]) -> dict[str, int]:
    """Money and counts of the selected facilities (integer tiyn, exact)."""
    result = {"allocated_tiyn": 0, "contracted_tiyn": 0, "paid_tiyn": 0, "facilities": 0, "funded": 0}
    for row in rows:
        result["facilities"] += 1
        if row["lines"]:
            result["funded"] += 1
            for key in ("allocated_tiyn", "contracted_tiyn", "paid_tiyn"):
                result[key] += row[key] or 0
    return result


def district_sums(rows: Iterable[Mapping]) -> dict[str, dict[str, int]]:
    """Money and funded facilities of the selected facilities, per district that has any."""
    sums: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = sums.setdefault(row["district_kato"], {"allocated_tiyn": 0, "paid_tiyn": 0, "funded": 0})
        if row["lines"]:
            entry["funded"] += 1
            entry["allocated_tiyn"] += row["allocated_tiyn"] or 0
            entry["paid_tiyn"] += row["paid_tiyn"] or 0
    return sums


def district_figures(sums: Mapping[str, Mapping[str, int]], districts: Iterable[Mapping]) -> list[dict]:
    """Every district with its ``district_sums`` (zero where none) and per-resident figures.

    ``districts`` carry ``kato`` and ``population``. Per-resident amounts are integer tiyn,
    rounded half up as on the district page (``core.money.per_resident``); None where the
    population is unknown.
    """
    figures = []
    for district in districts:
        entry = sums.get(district["kato"], {"allocated_tiyn": 0, "paid_tiyn": 0, "funded": 0})
        figures.append({**district, **entry,
                        "allocated_per_resident_tiyn": per_resident(entry["allocated_tiyn"], district.get("population"))})
    return figures


def sort_facilities(rows: list[Mapping], by: str, descending: bool, label_of) -> list[Mapping]:
    """Rows sorted for the table view; ``label_of(row, by)`` gives the shown text of text columns.

    Missing amounts sort last in either direction, so "largest first" never starts with blanks.
    """
    if by not in SORT_KEYS:
        by = "name"
    numeric = {"allocated": "allocated_tiyn", "contracted": "contracted_tiyn", "paid": "paid_tiyn",
               "progress": "progress_pct"}
    if by in numeric:
        present = [r for r in rows if r[numeric[by]] is not None]
        missing = [r for r in rows if r[numeric[by]] is None]
        present.sort(key=lambda r: (r[numeric[by]], r["facility_id"]), reverse=descending)
        return present + missing
    return sorted(rows, key=lambda r: (normalized(label_of(r, by) or ""), r["facility_id"]),
                  reverse=descending)

