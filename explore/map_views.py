"""The map's view of a selection: what the map page and its data request need, built from the
selection's rows in one place.

A view holds the facilities as the browser gets them (compact columns, gzip-compressed JSON)
and the figures the page shows (money per district, totals). Building it reads and encodes
every selected facility: about 0.7 s at 50,000 facilities. So the publication that makes a
version also stores the version's *default* view (its newest fiscal year, nothing else
filtered: what a resident opening the map sees), in the same transaction, with the same
function that builds any other view when it is asked for. A worker meeting a new version then
serves its first map from one stored row (docs/benchmarks.md).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from core import versions
from core.schema import map_views
from core.vocabulary import FACILITY_TYPES
from explore import queries
from explore.filters import FacilityFilter, district_sums, select_facilities, totals

# How a marker shows the state of the facility's work in the selected year (its "cue"); the
# order is the index sent to the browser. "none": no money that year (a hollow ring).
CUES = ("none", "planned", "in_progress", "completed", "stopped")
CUE_OF_STATUS = {None: "planned", "planned": "planned", "tendering": "planned",
                 "in_progress": "in_progress", "completed": "completed",
                 "suspended": "stopped", "cancelled": "stopped"}

# Coordinates travel as whole units of 1e-5 degree (about a metre), each the difference from
# the previous facility's: a sixth fewer bytes than decimal degrees, gzip or not.
COORDINATE_SCALE = 100_000


def cue_of(lines: int, status: str | None) -> str:
    """The marker cue of a facility with ``lines`` matching lines and this year's status."""
    return "none" if not lines else CUE_OF_STATUS.get(status, "planned")


def deltas(values: list[int]) -> list[int]:
    """Each value minus the one before it (the first as it is)."""
    return [value - previous for previous, value in zip([0, *values], values)]


def facility_columns(rows: Iterable[Mapping], type_keys: tuple[str, ...] = FACILITY_TYPES) -> dict:
    """Compact column arrays for the browser: ids, coordinates, type and cue as small integers.

    No names or amounts: the arrays stay the same in every language and small at 50,000
    facilities, and a popup fetches the rest when it opens. ``lat`` and ``lon`` are
    delta-encoded integers in units of 1/``scale`` degree (``static/js/map.js`` adds them up).
    """
    type_index = {key: i for i, key in enumerate(type_keys)}
    cue_index = {key: i for i, key in enumerate(CUES)}
    other = len(type_keys) - 1
    rows = list(rows)
    # One comprehension per column: about three times faster than appending row by row.
    return {"types": list(type_keys), "cues": list(CUES), "scale": COORDINATE_SCALE,
            "id": [row["facility_id"] for row in rows],
            "lat": deltas([round(row["lat"] * COORDINATE_SCALE) for row in rows]),
            "lon": deltas([round(row["lon"] * COORDINATE_SCALE) for row in rows]),
            "type": [type_index.get(row["facility_type"], other) for row in rows],
            "cue": [cue_index[cue_of(row["lines"], row.get("status"))] for row in rows]}


@dataclass(frozen=True)
class MapView:
    """One selection as the map shows it."""

    facilities_gzip: bytes  # {"version", "year", **facility_columns} as gzip-compressed JSON
    district_sums: dict[str, dict[str, int]]  # kato -> allocated_tiyn, paid_tiyn, funded
    totals: dict[str, int]  # explore.filters.totals

    def figures(self) -> dict:
        return {"district_sums": self.district_sums, "totals": self.totals}


def build_view(rows: list[Mapping], version_id: int | None, year: int | None) -> MapView:
    """The view of selected ``rows`` (``select_facilities``' result) of ``year`` in a version."""
    payload = orjson.dumps({"version": version_id, "year": year, **facility_columns(rows)})
    return MapView(gzip.compress(payload, compresslevel=6, mtime=0), district_sums(rows), totals(rows))


def default_filter(years: list[int]) -> FacilityFilter | None:
    """What the map shows with no URL parameters: the newest year, nothing else filtered."""
    return FacilityFilter(year=max(years)) if years else None


def record(connection: sa.Connection, version_id: int) -> None:
    """Store ``version_id``'s default view. Call in the transaction that publishes the version."""
    facility_filter = default_filter(versions.fiscal_years(connection, version_id))
    if facility_filter is None:
        return
    rows = select_facilities(queries.facility_rows(connection, version_id, facility_filter), facility_filter)
    view = build_view(rows, version_id, facility_filter.year)
    connection.execute(map_views.insert().values(version_id=version_id, fiscal_year=facility_filter.year,
                                                 facilities_gzip=view.facilities_gzip, figures=view.figures()))


def stored(connection: sa.Connection, version_id: int | None, facility_filter: FacilityFilter) -> MapView | None:
    """The stored view for this filter, if the filter is a default view and it was stored."""
    if version_id is None or facility_filter != FacilityFilter(year=facility_filter.year):
        return None
    row = connection.execute(sa.select(map_views.c.facilities_gzip, map_views.c.figures).where(
        map_views.c.version_id == version_id, map_views.c.fiscal_year == facility_filter.year)).first()
    if row is None:
        return None
    return MapView(row.facilities_gzip, row.figures["district_sums"], row.figures["totals"])
