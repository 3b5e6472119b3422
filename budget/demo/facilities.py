"""Demo facilities: 600 of them at real settlements (HOT OSM) of the real districts.

Everything else about them (names, numbers, addresses, capacity, floor area) is invented; each
type is spread over the districts by population and placed up to ``JITTER_M`` from its
settlement, inside its district.
"""

from __future__ import annotations

import math
import random

import geopandas as gpd
import pandas as pd

from budget.demo.dataset import SETTLEMENTS_PATH
from core.vocabulary import FACILITY_TYPES
from geo.assign import assign_districts
from geo.boundaries import Geography

MIN_PER_DISTRICT = 8
JITTER_M = 400
METRES_PER_DEGREE = 111_320
# One facility whose names need HTML escaping (quotes, guillemets, ampersand).
ESCAPE_TEST_FACILITY = "TRK-SOC-0001"

TYPE_COUNTS = {
    "school": 200, "kindergarten": 120, "college": 22, "clinic": 60, "hospital": 25,
    "sports": 38, "culture": 45, "social_care": 24, "water_supply": 42, "other": 24,
}
TYPE_PREFIX = {
    "school": "SCH", "kindergarten": "KIN", "college": "COL", "clinic": "CLI", "hospital": "HOS",
    "sports": "SPO", "culture": "CUL", "social_care": "SOC", "water_supply": "WAT", "other": "OTH",
}
SECTOR = {
    "school": "education", "kindergarten": "education", "college": "education",
    "clinic": "health", "hospital": "health", "sports": "leisure", "culture": "leisure",
    "other": "leisure", "social_care": "social", "water_supply": "water",
}
# Types that sit in a district's main settlements; water supply serves villages.
CENTRAL_TYPES = {"college", "hospital", "sports", "social_care"}
RURAL_TYPES = {"water_supply"}
URBAN_PLACES = {"city", "town"}
SETTLEMENT_PLACES = ("city", "town", "village", "hamlet")
DEFAULT_POPULATION = {"city": 100_000, "town": 15_000, "village": 1_500, "hamlet": 300}
NOT_SETTLEMENTS = ("аэродром", "бригада")

# (kk, ru, en) name templates: {n} is the facility's number, {s} the settlement.
NAMES = {
    "school": ("№{n} жалпы білім беретін мектеп ({s})", "Общеобразовательная школа №{n} ({s})",
               "General school No. {n} ({s})"),
    "kindergarten": ("№{n} балабақша ({s})", "Детский сад №{n} ({s})", "Kindergarten No. {n} ({s})"),
    "college": ("№{n} көпсалалы колледж ({s})", "Многопрофильный колледж №{n} ({s})",
                "Multidisciplinary college No. {n} ({s})"),
    "clinic": ("№{n} емхана ({s})", "Поликлиника №{n} ({s})", "Polyclinic No. {n} ({s})"),
    "hospital": ("№{n} аурухана ({s})", "Больница №{n} ({s})", "Hospital No. {n} ({s})"),
    "sports": ("№{n} спорт кешені ({s})", "Спортивный комплекс №{n} ({s})",
               "Sports complex No. {n} ({s})"),
    "culture": ("№{n} мәдениет үйі ({s})", "Дом культуры №{n} ({s})",
                "House of culture No. {n} ({s})"),
    "social_care": ("№{n} әлеуметтік қызмет көрсету орталығы ({s})",
                    "Центр социального обслуживания №{n} ({s})",
                    "Social services centre No. {n} ({s})"),
    "water_supply": ("№{n} сумен жабдықтау жүйесі ({s})", "Система водоснабжения №{n} ({s})",
                     "Water supply system No. {n} ({s})"),
}
RURAL_CLINIC = ("№{n} дәрігерлік амбулатория ({s})", "Врачебная амбулатория №{n} ({s})",
                "Medical outpatient clinic No. {n} ({s})")
OTHER_NAMES = (
    ("№{n} жастар орталығы ({s})", "Молодёжный центр №{n} ({s})", "Youth centre No. {n} ({s})"),
    ("№{n} кітапхана ({s})", "Библиотека №{n} ({s})", "Library No. {n} ({s})"),
    ("№{n} балалар музыка мектебі ({s})", "Детская музыкальная школа №{n} ({s})",
     "Children's music school No. {n} ({s})"),
)
KINDERGARTEN_NICKNAMES = (
    ("Балапан", "Balapan"), ("Айгөлек", "Aigolek"), ("Балбөбек", "Balbobek"),
    ("Ақбота", "Akbota"), ("Құлыншақ", "Kulynshak"), ("Еркетай", "Erketai"), ("Шаттық", "Shattyk"),
)
ESCAPE_TEST_NAMES = ("«Мейірім» & K° әлеуметтік орталығы ({s})", "Центр «Мейірім» & K° ({s})",
                     "\"Meiirim\" & Co. social centre ({s})")
STREETS = (
    "Абай", "Төле би", "Қазыбек би", "Әйтеке би", "Жамбыл", "Абылай хан", "Тәуке хан",
    "Наурыз", "Бейбітшілік", "Достық", "Жібек жолы", "Мұхтар Әуезов", "Сәтбаев", "Желтоқсан",
    "Тәуелсіздік", "Қожа Ахмет Ясауи", "Байтұрсынұлы", "Амангелді", "Бірлік", "Жастар",
)

# capacity: (unit, rural range, urban range, rounding step); area: m² per unit or a fixed range.
CAPACITY = {
    "school": ("places", (80, 600), (600, 1500), 20),
    "kindergarten": ("places", (50, 160), (160, 320), 10),
    "college": ("places", (300, 700), (500, 1200), 50),
    "clinic": ("visits per shift", (25, 100), (250, 750), 25),
    "hospital": ("beds", (25, 80), (120, 400), 5),
    "sports": ("visits per shift", (60, 150), (120, 300), 10),
    "culture": ("seats", (100, 300), (250, 600), 10),
    "social_care": ("places", (30, 80), (60, 150), 5),
}
AREA_PER_UNIT = {
    "school": (9, 12), "kindergarten": (9, 12), "college": (10, 13), "clinic": (8, 11),
    "hospital": (60, 90), "sports": (12, 18), "culture": (4, 6), "social_care": (20, 30),
}
OTHER_AREA = (400, 1500)
MIN_FLOOR_AREA = 400  # smaller buildings would make the minimum amounts look like outliers


def load_settlements(districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Named settlements that the polygons put in exactly one district (the polygons decide)."""
    points = gpd.read_file(SETTLEMENTS_PATH)
    points = points[points["place"].isin(SETTLEMENT_PLACES) & points["name"].notna()]
    points = points[~points["name"].str.lower().str.contains("|".join(NOT_SETTLEMENTS))]
    points = points.sort_values("osm_id", ignore_index=True)
    lat, lon = points.geometry.y.round(6), points.geometry.x.round(6)
    placed = assign_districts(lat, lon, districts)
    population = pd.to_numeric(points["population"], errors="coerce")
    default = points["place"].map(DEFAULT_POPULATION)
    frame = pd.DataFrame({
        "kato": placed["kato"], "in_overlap": placed["in_overlap"], "lat": lat, "lon": lon,
        "place": points["place"],
        "kk": points["name:kk"].fillna(points["name"]), "ru": points["name:ru"].fillna(points["name"]),
        "en": points["name:en"].fillna(points["name"]),
        "weight": population.where(population > 0, default) ** 0.6,
    })
    return frame[frame["kato"].notna() & ~frame["in_overlap"]].reset_index(drop=True)


def district_counts(geography: Geography) -> dict[str, int]:
    """MIN_PER_DISTRICT each, the rest by population (largest remainder)."""
    katos = list(geography.districts.index)
    spare = sum(TYPE_COUNTS.values()) - MIN_PER_DISTRICT * len(katos)
    people = {k: geography.population[k] for k in katos}
    quotas = {k: spare * people[k] / sum(people.values()) for k in katos}
    counts = {k: MIN_PER_DISTRICT + int(q) for k, q in quotas.items()}
    by_remainder = sorted(katos, key=lambda k: (-(quotas[k] % 1), k))
    for kato in by_remainder[:sum(TYPE_COUNTS.values()) - sum(counts.values())]:
        counts[kato] += 1
    return counts


def _type_sequence() -> list[str]:
    """All facility types, interleaved so that any stretch of the list has about the full mix."""
    total = sum(TYPE_COUNTS.values())
    given = dict.fromkeys(FACILITY_TYPES, 0)
    sequence = []
    for k in range(1, total + 1):
        kind = max(FACILITY_TYPES, key=lambda t: k * TYPE_COUNTS[t] / total - given[t])
        given[kind] += 1
        sequence.append(kind)
    return sequence


def make_facilities(rng: random.Random, settlements: pd.DataFrame, counts: dict[str, int]) -> list[dict]:
    """Facilities dealt to districts in KATO order, each at a settlement of its district."""
    types = iter(_type_sequence())
    serial = dict.fromkeys(FACILITY_TYPES, 0)
    facilities = []
    for kato in sorted(counts):
        local = settlements[settlements["kato"] == kato].sort_values(
            "weight", ascending=False, kind="stable")
        district = []
        for _ in range(counts[kato]):
            kind = next(types)
            serial[kind] += 1
            site = _pick_settlement(rng, local, kind)
            district.append(_facility(rng, f"TRK-{TYPE_PREFIX[kind]}-{serial[kind]:04d}", kind,
                                      kato, site))
        _name(rng, district)
        facilities += district
    return facilities


def _pick_settlement(rng: random.Random, local: pd.DataFrame, kind: str) -> pd.Series:
    """A settlement of the district, the bigger the likelier (``local`` is biggest first)."""
    candidates = local
    if kind in CENTRAL_TYPES:
        candidates = local.head(3)
    elif kind in RURAL_TYPES and (~local["place"].isin(URBAN_PLACES)).any():
        candidates = local[~local["place"].isin(URBAN_PLACES)]
    position = rng.choices(range(len(candidates)), weights=candidates["weight"].tolist())[0]
    return candidates.iloc[position]


def _facility(rng: random.Random, facility_id: str, kind: str, kato: str, site: pd.Series) -> dict:
    """The facility's own columns; towns get the bigger buildings. Named later by ``_name``."""
    urban = site["place"] in URBAN_PLACES
    capacity, unit, area = None, "", None
    if kind in CAPACITY:
        unit, rural_range, urban_range, step = CAPACITY[kind]
        low, high = urban_range if urban else rural_range
        capacity = rng.randint(low // step, high // step) * step
        area = round(max(capacity * rng.uniform(*AREA_PER_UNIT[kind]), MIN_FLOOR_AREA), 1)
    elif kind == "other":
        area = round(rng.uniform(*OTHER_AREA), 1)
    mark = "қ." if urban else "а."
    if kind == "water_supply":
        address = f"{site['kk']} {mark}"
    else:
        address = f"{site['kk']} {mark}, {rng.choice(STREETS)} көшесі, {rng.randint(1, 120)}"
    return {
        "facility_id": facility_id, "facility_type": kind, "district_kato": kato,
        "lat": site["lat"], "lon": site["lon"], "address": address, "capacity": capacity,
        "capacity_unit": unit, "floor_area_m2": area, "_site": site,
    }


def _name(rng: random.Random, district: list[dict]) -> None:
    """Number each type within the district (with gaps, as real numbering has) and name it."""
    for kind in FACILITY_TYPES:
        same = [f for f in district if f["facility_type"] == kind]
        numbers = sorted(rng.sample(range(1, math.ceil(len(same) * 1.5) + 1), len(same)))
        for facility, number in zip(same, numbers):
            site = facility.pop("_site")
            templates = NAMES.get(kind)
            if facility["facility_id"] == ESCAPE_TEST_FACILITY:
                templates = ESCAPE_TEST_NAMES
            elif kind == "clinic" and site["place"] not in URBAN_PLACES:
                templates = RURAL_CLINIC
            elif kind == "other":
                templates = rng.choice(OTHER_NAMES)
            elif kind == "kindergarten" and rng.random() < 0.3:
                kk, en = rng.choice(KINDERGARTEN_NICKNAMES)
                templates = (f"№{{n}} «{kk}» балабақшасы ({{s}})",
                             f"Детский сад №{{n}} «{kk}» ({{s}})",
                             f"Kindergarten No. {{n}} \"{en}\" ({{s}})")
            for language, template in zip(("kk", "ru", "en"), templates):
                facility[f"facility_name_{language}"] = template.format(n=number, s=site[language])


def jitter_positions(rng: random.Random, facilities: list[dict], districts: gpd.GeoDataFrame) -> None:
    """Move each facility up to JITTER_M from its settlement, unless that leaves its district."""
    moved_lat, moved_lon = [], []
    for facility in facilities:
        distance = JITTER_M * math.sqrt(rng.random())
        bearing = rng.uniform(0, 2 * math.pi)
        lat = facility["lat"] + distance * math.cos(bearing) / METRES_PER_DEGREE
        lon = facility["lon"] + distance * math.sin(bearing) / (
            METRES_PER_DEGREE * math.cos(math.radians(facility["lat"])))
        moved_lat.append(round(lat, 6))
        moved_lon.append(round(lon, 6))
    placed = assign_districts(moved_lat, moved_lon, districts)
    for facility, lat, lon, kato, overlap in zip(facilities, moved_lat, moved_lon, placed["kato"],
                                                 placed["in_overlap"]):
        if kato == facility["district_kato"] and not overlap:
            facility["lat"], facility["lon"] = lat, lon
