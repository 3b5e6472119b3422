"""Load the bundled boundaries and refuse to start with broken ones.

A broken boundary file would silently put money in the wrong district, so every check here
raises ``BoundaryError`` with a message that names the file and the problem.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from geo.coords import WGS84

BOUNDARIES_DIR = Path(__file__).resolve().parent.parent / "data" / "boundaries"
DISTRICTS_FILE = "turkestan_adm2_osm.geojson"  # full detail: used to place points
DISTRICTS_DISPLAY_FILE = "turkestan_adm2_osm_simpl001.geojson"  # simplified: drawn on the map
OUTLINE_FILE = "turkestan_oblast_osm2023_simpl001.geojson"
POPULATION_FILE = "turkestan_district_population_bns_2026-07-01.csv"
POPULATION_COLUMN = "pop_2026_07_01"
DISTRICT_COLUMNS = ("kato", "name_kk", "name_ru", "name_en", "unit_type")


class BoundaryError(RuntimeError):
    """The boundary data cannot be trusted; the application must not start."""


@dataclass(frozen=True)
class Geography:
    """Everything the application knows about the region's shape and people."""

    districts: gpd.GeoDataFrame  # index: kato; full-detail polygons for point placement
    districts_display: gpd.GeoDataFrame  # index: kato; simplified polygons for the map
    outline: gpd.GeoDataFrame  # the oblast, for the map frame
    population: dict[str, int]  # kato -> residents

    def district_records(self) -> list[dict]:
        """Plain rows (kato, names, unit type, population) for the districts table."""
        return [
            {**{c: row[c] for c in DISTRICT_COLUMNS if c != "kato"}, "kato": kato,
             "population": self.population.get(kato)}
            for kato, row in self.districts.iterrows()
        ]


def load_polygons(path: Path, key: str | None = None, required=()) -> gpd.GeoDataFrame:
    """Read a polygon layer and check it: EPSG:4326, valid, polygonal, unique ``key``."""
    if not path.is_file():
        raise BoundaryError(f"Boundary file {path} is missing.")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for a damaged file
        raise BoundaryError(f"Boundary file {path} cannot be read: {exc}") from exc
    if frame.empty:
        raise BoundaryError(f"Boundary file {path} has no features.")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise BoundaryError(f"Boundary file {path} must be in EPSG:4326, not {frame.crs}.")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise BoundaryError(f"Boundary file {path} lacks the columns {', '.join(missing)}.")
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        raise BoundaryError(f"Boundary file {path} has a feature without geometry.")
    bad_type = ~frame.geom_type.isin(["Polygon", "MultiPolygon"])
    if bad_type.any():
        raise BoundaryError(f"Boundary file {path} has non-polygon features: "
                            f"{sorted(set(frame.geom_type[bad_type]))}.")
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        where = list(frame.loc[invalid, key]) if key else list(frame.index[invalid])
        raise BoundaryError(f"Boundary file {path} has invalid geometry for {where}.")
    if key:
        keys = frame[key].astype(str)
        if keys.duplicated().any():
            raise BoundaryError(f"Boundary file {path} repeats the codes "
                                f"{sorted(set(keys[keys.duplicated()]))}.")
        frame = frame.assign(**{key: keys}).set_index(key, drop=True)
        frame.index.name = key
    return frame.set_crs(WGS84, allow_override=True)


def load_population(path: Path) -> dict[str, int]:
    """Residents per KATO code, from the Bureau of National Statistics table."""
    if not path.is_file():
        raise BoundaryError(f"Population file {path} is missing.")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    try:
        return {row["kato"].strip(): int(row[POPULATION_COLUMN]) for row in rows}
    except (KeyError, ValueError) as exc:
        raise BoundaryError(f"Population file {path} is malformed: {exc}") from exc


def load_geography(directory: Path | str = BOUNDARIES_DIR) -> Geography:
    """Load and cross-check districts, the outline and population from ``directory``."""
    directory = Path(directory)
    districts = load_polygons(directory / DISTRICTS_FILE, "kato", DISTRICT_COLUMNS)
    display = load_polygons(directory / DISTRICTS_DISPLAY_FILE, "kato", DISTRICT_COLUMNS)
    outline = load_polygons(directory / OUTLINE_FILE)
    population = load_population(directory / POPULATION_FILE)
    if set(display.index) != set(districts.index):
        raise BoundaryError("The detailed and simplified district files name different KATO codes.")
    without_people = sorted(set(districts.index) - set(population))
    if without_people:
        raise BoundaryError(f"No population figure for the districts {without_people}.")
    display = display.loc[districts.index]
    return Geography(
        districts=districts[list(DISTRICT_COLUMNS[1:]) + ["geometry"]].sort_index(),
        districts_display=display[list(DISTRICT_COLUMNS[1:]) + ["geometry"]].sort_index(),
        outline=outline[["geometry"]],
        population=population,
    )
