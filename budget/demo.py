"""Deterministic demo budget table: 600 facilities of Turkestan region, fiscal years 2022-2026.

The map, the tests and the screenshots need a realistic table that is safe to publish: the
settlements (HOT OSM) and districts are real, everything else (facilities, money, contractors,
BINs) is invented. The same seed always gives the same table, so ``budget_demo.csv`` is
committed and the tests check it is still what this module produces.

The data is as of ``REFERENCE_DATE`` (2026-07-01): statuses follow the work dates, so
2022-2024 is mostly completed, 2025 is mixed and 2026 is mostly planned, tendering or under
way. Works still open end in December 2026 or later.

Planted anomalies, for the risk flags (``ANOMALIES`` names the facilities, one kind each):

- ``paid_above_allocated``: one completed line paid 3-15 % above the allocation (the
  contract was raised with it). The only kind that the validator reports (as a warning).
- ``repeat_repair``: capital or current repair of the same facility in two of three
  consecutive years. Elsewhere repairs of one facility are at least three years apart.
- ``overdue``: one line in_progress or suspended with end_date in 2024 or 2025 and progress
  below 100. Elsewhere open works end in December 2026 or later.
- ``paid_ahead_of_progress``: one 2026 line with the paid share of the allocation more
  than 30 points above the physical progress. Elsewhere payments trail progress.
- ``unit_cost_outlier``: a capital repair costing about six times the usual tenge per m²
  for its facility type (small buildings, so the amount itself looks ordinary).
- ``contractor_concentration``: ``CONCENTRATION["contractor"]`` holds the listed
  facilities' lines in one district and year, more than 40 % of that district's money that
  year. Elsewhere no contractor holds more than two lines in one district and year (one
  large contract can still be most of a small district's money in a year).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import geopandas as gpd
import pandas as pd

from budget.format import COLUMNS
from core.identifiers import bin_check_digit
from core.vocabulary import FACILITY_TYPES
from geo.assign import assign_districts
from geo.boundaries import Geography, load_geography

SEED = 20260701
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
CSV_PATH = DEMO_DIR / "budget_demo.csv"
SETTLEMENTS_PATH = DEMO_DIR / "turkestan_populated_places_hotosm.geojson"
REFERENCE_DATE = dt.date(2026, 7, 1)
FISCAL_YEARS = (2022, 2023, 2024, 2025, 2026)
MIN_PER_DISTRICT = 8
JITTER_M = 400
METRES_PER_DEGREE = 111_320

ANOMALIES: dict[str, tuple[str, ...]] = {
    "paid_above_allocated": (
        "TRK-SCH-0011", "TRK-SCH-0047", "TRK-SCH-0093", "TRK-SCH-0152", "TRK-KIN-0021",
        "TRK-KIN-0078", "TRK-CLI-0014", "TRK-CUL-0009", "TRK-SPO-0020", "TRK-WAT-0017",
    ),
    "repeat_repair": (
        "TRK-SCH-0030", "TRK-SCH-0121", "TRK-SCH-0177", "TRK-KIN-0044", "TRK-KIN-0101",
        "TRK-CLI-0037", "TRK-CUL-0031", "TRK-HOS-0012",
    ),
    "overdue": (
        "TRK-SCH-0058", "TRK-SCH-0134", "TRK-SCH-0190", "TRK-KIN-0009", "TRK-KIN-0066",
        "TRK-HOS-0005", "TRK-COL-0011", "TRK-SPO-0007", "TRK-SOC-0015", "TRK-WAT-0030",
    ),
    "paid_ahead_of_progress": (
        "TRK-SCH-0073", "TRK-KIN-0112", "TRK-CLI-0049", "TRK-CUL-0040", "TRK-OTH-0010",
    ),
    "unit_cost_outlier": ("TRK-KIN-0035", "TRK-CLI-0020", "TRK-CUL-0029"),
    "contractor_concentration": (
        "TRK-SCH-0079", "TRK-SCH-0083", "TRK-KIN-0047", "TRK-CUL-0018", "TRK-SOC-0010",
    ),
}
CONCENTRATION = {"contractor": "ТОО «Қазығұрт Құрылыс Инвест»", "district_kato": "614000000",
                 "fiscal_year": 2024}
# One facility whose names need HTML escaping (quotes, guillemets, ampersand).
ESCAPE_TEST_FACILITY = "TRK-SOC-0001"

# ------------------------------------------------------------------ facilities

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

# ------------------------------------------------------------------ budget lines

LINE_COUNT_WEIGHTS = {1: 30, 2: 35, 3: 23, 4: 12}
WORK_TYPE_WEIGHTS = {"capital_repair": 30, "current_repair": 35, "maintenance": 20, "equipment": 15}
REPAIRS = ("capital_repair", "current_repair")
REPAIR_GAP_YEARS = 3  # repairs of one facility closer than this are a planted anomaly
CONSTRUCTION_SHARE = {"school": 0.05, "kindergarten": 0.06, "hospital": 0.12, "clinic": 0.02,
                      "sports": 0.03, "water_supply": 0.04}
# Construction cost per unit of capacity, KZT.
CONSTRUCTION_UNIT_COST = {"school": (5e6, 7.5e6), "kindergarten": (7e6, 10e6),
                          "hospital": (25e6, 40e6), "clinic": (10e6, 16e6), "sports": (12e6, 20e6)}
AMOUNT_RANGE = {"construction": (1.5e9, 9e9), "capital_repair": (40e6, 600e6),
                "current_repair": (3e6, 60e6), "maintenance": (1e6, 25e6), "equipment": (5e6, 150e6)}
RATE_PER_M2 = {"capital_repair": (30_000, 110_000), "current_repair": (2_000, 10_000),
               "maintenance": (400, 2_500)}
OUTLIER_RATE_PER_M2 = 6 * 70_000
EQUIPMENT_RANGE = {"health": (20e6, 150e6), "education": (5e6, 60e6)}
EQUIPMENT_DEFAULT_RANGE = (5e6, 40e6)

FUNDING_WEIGHTS = {
    "construction": {"republican": 6, "oblast": 3, "district": 1},
    "capital_repair": {"republican": 1, "oblast": 6, "district": 4},
    "current_repair": {"oblast": 3, "district": 7},
    "maintenance": {"oblast": 1, "district": 8, "other": 1},
    "equipment": {"republican": 2, "oblast": 5, "district": 3, "other": 1},
}
# Budget programme per sector and budget level; "other" money (sponsors) has no programme.
PROGRAMME_CODES = {
    "education": {"republican": "261-028-011", "oblast": "261-015-000", "district": "464-003-000"},
    "health": {"republican": "253-038-011", "oblast": "253-033-000"},
    "leisure": {"oblast": "262-004-000", "district": "455-005-000"},
    "social": {"oblast": "256-015-000", "district": "451-007-000"},
    "water": {"republican": "279-018-011", "oblast": "279-018-000", "district": "485-010-000"},
    "construction": {"republican": "271-016-011", "oblast": "271-016-015", "district": "467-004-000"},
}
# Start months and duration in days of each kind of works.
SCHEDULES = {"construction": (3, 6, 300, 720), "capital_repair": (3, 8, 90, 240),
             "current_repair": (4, 8, 30, 100), "equipment": (2, 10, 20, 90)}
CARRY_OVER_SHARE = 0.35  # part of 2025's works is contracted to run until December 2026
PROCUREMENT_METHOD = {"construction": "ОК", "capital_repair": "ОК", "current_repair": "ЗЦП",
                      "maintenance": "ЗЦП", "equipment": "ЭА"}
CONTRACT_STATUSES = ("completed", "in_progress", "suspended")

DESCRIPTIONS = {
    "capital_repair": (("Шатырды ауыстыру", "Замена кровли"),
                       ("Жылу жүйесін күрделі жөндеу", "Капитальный ремонт системы отопления"),
                       ("Ғимаратты күрделі жөндеу", "Капитальный ремонт здания"),
                       ("Терезе блоктарын ауыстыру", "Замена оконных блоков"),
                       ("Қасбетті жылыту және жөндеу", "Утепление и ремонт фасада")),
    "current_repair": (("Үй-жайларды ағымдағы жөндеу", "Текущий ремонт помещений"),
                       ("Санитарлық тораптарды жөндеу", "Ремонт санузлов"),
                       ("Еденді ауыстыру", "Замена напольного покрытия"),
                       ("Қабырғалар мен төбелерді сырлау", "Покраска стен и потолков")),
    "maintenance": (("Ғимаратты күтіп ұстау", "Содержание здания"),
                    ("Жылу беру маусымына дайындық", "Подготовка к отопительному сезону"),
                    ("Аумақты абаттандыру", "Благоустройство территории")),
    "equipment": (("Жиһаз сатып алу", "Приобретение мебели"),),
    "construction": (("Жаңа ғимарат салу", "Строительство нового здания"),),
}
SECTOR_DESCRIPTIONS = {
    ("water", "capital_repair"): (("Су құбыры желілерін қайта жаңарту",
                                   "Реконструкция водопроводных сетей"),
                                  ("Су мұнарасын жөндеу", "Ремонт водонапорной башни")),
    ("water", "current_repair"): (("Су құбырын апаттық жөндеу", "Аварийный ремонт водопровода"),),
    ("water", "maintenance"): (("Сумен жабдықтау жүйесін пайдалану",
                                "Эксплуатация системы водоснабжения"),),
    ("water", "equipment"): (("Сорғы жабдығын ауыстыру", "Замена насосного оборудования"),),
    ("water", "construction"): (("Су құбыры желілерін салу", "Строительство водопроводных сетей"),),
    ("education", "equipment"): (("Оқу жиһазын сатып алу", "Приобретение учебной мебели"),
                                 ("Компьютерлік техника сатып алу",
                                  "Приобретение компьютерной техники")),
    ("health", "equipment"): (("Медициналық жабдық сатып алу",
                               "Приобретение медицинского оборудования"),
                              ("Рентген аппаратын сатып алу",
                               "Приобретение рентгеновского аппарата")),
    ("leisure", "equipment"): (("Спорт және сахна жабдығын сатып алу",
                                "Приобретение спортивного и сценического оборудования"),),
}
CONSTRUCTION_DESCRIPTIONS = {
    "school": ("{c} орындық мектеп салу", "Строительство школы на {c} мест"),
    "kindergarten": ("{c} орындық балабақша салу", "Строительство детского сада на {c} мест"),
    "hospital": ("{c} төсектік аурухана салу", "Строительство больницы на {c} коек"),
    "clinic": ("Ауысымына {c} келушіге арналған емхана салу",
               "Строительство поликлиники на {c} посещений в смену"),
    "sports": ("Спорт кешенін салу", "Строительство спортивного комплекса"),
}

BUILDERS = (
    "ТОО «Оңтүстік Құрылыс»", "ТОО «Жетісай Строй»", "ТОО «Түркістан Құрылыс Сервис»",
    "ТОО «Сайрам Инвест Строй»", "ТОО «Қазығұрт Құрылыс Инвест»", "ТОО «Арыс Монтаж»",
    "ТОО «Кентау СтройИндустрия»", "ТОО «Отырар Құрылыс»", "ТОО «Мақтаарал Су Құрылыс»",
    "ТОО «Шардара ГидроСтрой»", "ТОО «Төлеби Құрылыс»", "ТОО «Сарыағаш Строй Сервис»",
    "ТОО «Созақ Инжиниринг»", "ТОО «Бәйдібек Құрылыс»", "ТОО «Келес Агро Строй»",
    "ТОО «Ордабасы Строй»", "ТОО «Түлкібас Тау Құрылыс»", "ТОО «Сауран Строй Групп»",
    "ТОО «Строй & Сервис Юг»", "ТОО \"KazStroyInvest\"", "АО «ЮжСтройМонтаж»",
    "ТОО «Нұр Құрылыс 2010»", "ТОО «Алтын Сапа Строй»", "ТОО «Береке Құрылыс»",
    "ТОО «Асыл Құрылыс Компани»", "ТОО «Даму Инжиниринг»", "ТОО «Ақ Жол Строй»",
    "ТОО «Достық Құрылыс Холдинг»", "ТОО «Жібек Жолы Стройсервис»", "ТОО «Qurylys Group KZ»",
    "ТОО «СпецСтройМонтаж-Т»", "ТОО «Тұран Жөндеу»", "ПК «Еңбек»",
)
SUPPLIERS = (
    "ТОО «Медтехника Юг»", "ТОО «БілімТех Снаб»", "ТОО «Шымкент ОфисМебель»",
    "ТОО «ЭкоСу Технологии»", "ТОО «Самал Сервис Плюс»", "ТОО «Дала Жабдық»",
    "ТОО «Альфа Медикал Трейд»",
)
MAX_LINES_PER_DISTRICT_YEAR = 2  # per contractor, outside the planted concentration


def generate(seed: int = SEED, geography: Geography | None = None) -> pd.DataFrame:
    """The demo table, one row per budget line, columns as in ``COLUMNS``; same seed, same table."""
    geography = geography or load_geography()
    districts = geography.districts
    facilities = _facilities(random.Random(f"{seed}/facilities"), _settlements(districts),
                             _district_counts(geography))
    _place(random.Random(f"{seed}/jitter"), facilities, districts)
    anomaly_of = {fid: kind for kind, ids in ANOMALIES.items() for fid in ids}
    lines = []
    for facility in facilities:
        rng = random.Random(f"{seed}/{facility['facility_id']}")
        lines += _facility_lines(rng, facility, anomaly_of.get(facility["facility_id"]))
    by_id = {f["facility_id"]: f for f in facilities}
    _assign_contractors(random.Random(f"{seed}/contractors"), lines,
                        _contractors(random.Random(f"{seed}/bins")),
                        {fid: f["district_kato"] for fid, f in by_id.items()})
    rows = [{**by_id[line["facility_id"]], **line, "start_date": line["start_date"].isoformat(),
             "end_date": line["end_date"].isoformat()} for line in lines]
    frame = pd.DataFrame(rows, columns=[c.name for c in COLUMNS])
    frame = frame.sort_values(["facility_id", "fiscal_year", "work_type"], ignore_index=True)
    return frame.astype({"capacity": "Int64"})


def write_csv(path: Path | str = CSV_PATH, frame: pd.DataFrame | None = None) -> Path:
    """Write ``frame`` (default: a fresh ``generate()``) as the committed CSV format."""
    frame = generate() if frame is None else frame
    text = pd.DataFrame({c.name: frame[c.name].map(_FORMATTERS.get(c.name, _text)) for c in COLUMNS})
    path = Path(path)
    text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


# ------------------------------------------------------------------ facilities


def _settlements(districts: gpd.GeoDataFrame) -> pd.DataFrame:
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


def _district_counts(geography: Geography) -> dict[str, int]:
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


def _facilities(rng: random.Random, settlements: pd.DataFrame, counts: dict[str, int]) -> list[dict]:
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


def _place(rng: random.Random, facilities: list[dict], districts: gpd.GeoDataFrame) -> None:
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


# ------------------------------------------------------------------ budget lines


def _facility_lines(rng: random.Random, facility: dict, anomaly: str | None) -> list[dict]:
    """The facility's budget lines: its planted anomaly first, then ordinary lines."""
    if anomaly is None and rng.random() < CONSTRUCTION_SHARE.get(facility["facility_type"], 0):
        return [_line(rng, facility, year, work) for year, work in _construction_plan(rng)]
    lines = _anomaly_lines(rng, facility, anomaly) if anomaly else []
    plan = [(line["fiscal_year"], line["work_type"]) for line in lines]
    wanted = rng.choices(list(LINE_COUNT_WEIGHTS), weights=list(LINE_COUNT_WEIGHTS.values()))[0]
    for _ in range(50):
        if len(plan) >= wanted:
            break
        year = rng.choice(FISCAL_YEARS)
        work = rng.choices(list(WORK_TYPE_WEIGHTS), weights=list(WORK_TYPE_WEIGHTS.values()))[0]
        if (year, work) in plan or (work in REPAIRS and any(
                w in REPAIRS and abs(year - y) < REPAIR_GAP_YEARS for y, w in plan)):
            continue
        plan.append((year, work))
        lines.append(_line(rng, facility, year, work))
    return lines


def _anomaly_lines(rng: random.Random, facility: dict, anomaly: str) -> list[dict]:
    """The line(s) that carry ``anomaly``, see the module docstring."""
    kind = facility["facility_type"]
    if anomaly == "repeat_repair":
        year = rng.randint(2022, 2024)
        second = (year + rng.choice((1, 2)), rng.choice(REPAIRS))
        return [_line(rng, facility, year, "capital_repair"), _line(rng, facility, *second)]
    if anomaly == "overdue":
        big = kind in CONSTRUCTION_UNIT_COST and rng.random() < 0.3
        stopped = ANOMALIES["overdue"].index(facility["facility_id"]) % 3 == 2  # every third
        return [_overdue_line(rng, facility, "construction" if big else "capital_repair",
                              suspended=stopped)]
    if anomaly == "paid_ahead_of_progress":
        return [_paid_ahead_line(rng, facility)]
    if anomaly == "paid_above_allocated":
        line = _line(rng, facility, rng.randint(2022, 2024),
                     rng.choice(("current_repair", "equipment")), status="completed")
        line["amount_contracted"] = line["amount_paid"] = round(
            line["amount_allocated"] * rng.uniform(1.03, 1.15))
        return [line]
    if anomaly == "unit_cost_outlier":
        line = _line(rng, facility, rng.randint(2022, 2024), "capital_repair", status="completed")
        line["amount_allocated"] = _round_thousands(min(
            facility["floor_area_m2"] * OUTLIER_RATE_PER_M2, AMOUNT_RANGE["capital_repair"][1]))
        _set_amounts(rng, line)
        return [line]
    if anomaly == "contractor_concentration":
        line = _line(rng, facility, CONCENTRATION["fiscal_year"], "capital_repair",
                     status="completed")
        line["contractor_name"] = CONCENTRATION["contractor"]
        return [line]
    raise ValueError(f"unknown anomaly {anomaly!r}")


def _construction_plan(rng: random.Random) -> list[tuple[int, str]]:
    """One or two years of construction, sometimes followed by equipment."""
    year = rng.choice(FISCAL_YEARS)
    plan = [(year, "construction")]
    if year < FISCAL_YEARS[-1] and rng.random() < 0.5:
        year += 1
        plan.append((year, "construction"))
    if year < FISCAL_YEARS[-1] and rng.random() < 0.5:
        plan.append((year + 1, "equipment"))
    return plan


def _line(rng: random.Random, facility: dict, year: int, work: str,
          status: str | None = None) -> dict:
    """A budget line whose status follows its dates, unless ``status`` is imposed."""
    kind = facility["facility_type"]
    sector = SECTOR[kind]
    levels = PROGRAMME_CODES["construction" if work == "construction" else sector]
    weights = {s: w for s, w in FUNDING_WEIGHTS[work].items() if s in levels or s == "other"}
    source = rng.choices(list(weights), weights=list(weights.values()))[0]
    start, end = _schedule(rng, year, work)
    status = status or _status(rng, start, end)
    if status in ("in_progress", "suspended"):
        end = max(end, dt.date(2026, 12, rng.randint(1, 25)))
    if work == "construction" and kind in CONSTRUCTION_DESCRIPTIONS:
        description = [t.format(c=facility["capacity"]) for t in CONSTRUCTION_DESCRIPTIONS[kind]]
    else:
        description = rng.choice(SECTOR_DESCRIPTIONS.get((sector, work)) or DESCRIPTIONS[work])
    line = {
        "facility_id": facility["facility_id"], "fiscal_year": year, "work_type": work,
        "budget_program_code": levels.get(source, ""), "funding_source": source,
        "amount_allocated": _allocation(rng, facility, work),
        "start_date": start, "end_date": end, "status": status,
        "physical_progress_pct": _progress(rng, status, start, end),
        "description": description[rng.randint(0, 1)], "contractor_name": "",
        "contractor_bin": "",
    }
    _set_amounts(rng, line)
    _set_procurement(rng, line)
    return line


def _schedule(rng: random.Random, year: int, work: str) -> tuple[dt.date, dt.date]:
    """Start and end of the works: maintenance runs all year, the rest as SCHEDULES says."""
    if work == "maintenance":
        return dt.date(year, 1, rng.randint(10, 31)), dt.date(year, 12, rng.randint(20, 31))
    first, last, shortest, longest = SCHEDULES[work]
    start = dt.date(year, rng.randint(first, last), rng.randint(1, 28))
    if year == 2025 and rng.random() < CARRY_OVER_SHARE:
        return start, dt.date(2026, 12, rng.randint(1, 25))
    return start, start + dt.timedelta(days=rng.randint(shortest, longest))


def _status(rng: random.Random, start: dt.date, end: dt.date) -> str:
    """What the works' dates say on REFERENCE_DATE, with a few cancellations and stoppages."""
    if end < REFERENCE_DATE:
        return "cancelled" if rng.random() < 0.03 else "completed"
    if start <= REFERENCE_DATE:
        return "suspended" if rng.random() < 0.03 else "in_progress"
    soon = (start - REFERENCE_DATE).days < 90
    return "tendering" if soon and rng.random() < 0.7 else "planned"


def _progress(rng: random.Random, status: str, start: dt.date, end: dt.date) -> int:
    """Percent done on REFERENCE_DATE: about the elapsed share of the works' time."""
    if status == "completed":
        return 100
    if status not in ("in_progress", "suspended"):
        return 0
    elapsed = (REFERENCE_DATE - start).days / max((end - start).days, 1)
    if status == "suspended":
        elapsed /= 2
    return max(5, min(95, round(elapsed * 100 + rng.uniform(-10, 10))))


def _allocation(rng: random.Random, facility: dict, work: str) -> int:
    """KZT in whole thousands: by capacity for construction, by floor area for repairs.

    Soft limits keep AMOUNT_RANGE without repeating one round amount at its edges.
    """
    low, high = AMOUNT_RANGE[work]
    kind, area = facility["facility_type"], facility["floor_area_m2"]
    if work == "construction" and kind in CONSTRUCTION_UNIT_COST:
        amount = facility["capacity"] * rng.uniform(*CONSTRUCTION_UNIT_COST[kind])
    elif work in RATE_PER_M2 and area:
        amount = area * rng.uniform(*RATE_PER_M2[work])
    else:
        if work == "equipment":
            low, high = EQUIPMENT_RANGE.get(SECTOR[kind], EQUIPMENT_DEFAULT_RANGE)
        amount = low * (high / low) ** rng.random()
    if amount < low:
        amount = low * rng.uniform(1.0, 1.25)
    elif amount > high:
        amount = high * rng.uniform(0.8, 1.0)
    return _round_thousands(amount)


def _round_thousands(amount: float) -> int:
    return int(round(amount, -3))


def _set_amounts(rng: random.Random, line: dict) -> None:
    """Contracted 85-100 % of the allocation, paid in step with progress (never ahead of it)."""
    status, allocated = line["status"], line["amount_allocated"]
    line["amount_contracted"] = line["amount_paid"] = None
    if status == "tendering":
        line["amount_paid"] = 0
    if status not in CONTRACT_STATUSES:
        return
    contracted = allocated * rng.uniform(0.85, 1.0)
    # About one contract in five is priced to the tiyn.
    line["amount_contracted"] = round(contracted, 2) if rng.random() < 0.2 else round(contracted)
    if status == "completed":
        share = 1.0 if rng.random() < 0.5 else rng.uniform(0.95, 1.0)
    else:
        share = line["physical_progress_pct"] / 100 * rng.uniform(0.5, 1.0)
    line["amount_paid"] = line["amount_contracted"] if share == 1.0 else round(
        line["amount_contracted"] * share)


def _set_procurement(rng: random.Random, line: dict) -> None:
    """Tendered and contracted lines get a procurement number, most also the tender's link."""
    line["procurement_ref"] = line["source_url"] = ""
    if line["status"] == "planned":
        return
    year = line["start_date"].year % 100
    line["procurement_ref"] = (f"{year:02d}-{rng.randint(1, 9_999_999):07d}-"
                               f"{PROCUREMENT_METHOD[line['work_type']]}{rng.randint(1, 3)}")
    if rng.random() < 0.7:
        announcement = rng.randint(9_000_000, 15_999_999)
        line["source_url"] = f"https://goszakup.gov.kz/ru/announce/index/{announcement}"


def _overdue_line(rng: random.Random, facility: dict, work: str, suspended: bool) -> dict:
    """Works that should have ended in 2024 or 2025 and are still open."""
    year = rng.choice((2024, 2025))
    line = _line(rng, facility, year, work, status="suspended" if suspended else "in_progress")
    start_year = year - 1 if work == "construction" else year
    line["start_date"] = dt.date(start_year, rng.randint(3, 6), rng.randint(1, 28))
    line["end_date"] = dt.date(year, rng.randint(10, 12), rng.randint(1, 28))
    line["physical_progress_pct"] = rng.randint(25, 85)
    _set_amounts(rng, line)
    return line


def _paid_ahead_line(rng: random.Random, facility: dict) -> dict:
    """A 2026 capital repair paid far beyond the work done."""
    line = _line(rng, facility, 2026, "capital_repair", status="in_progress")
    line["start_date"] = dt.date(2026, rng.randint(3, 5), rng.randint(1, 28))
    line["physical_progress_pct"] = progress = rng.randint(10, 35)
    line["amount_contracted"] = round(line["amount_allocated"] * rng.uniform(0.95, 1.0))
    line["amount_paid"] = round(line["amount_allocated"] * (progress + rng.randint(35, 50)) / 100)
    return line


# ------------------------------------------------------------------ contractors


def _contractors(rng: random.Random) -> dict[str, str]:
    """A valid, unique BIN for each contractor: YYMM of registration, '40', serial, check digit."""
    bins: dict[str, str] = {}
    for name in BUILDERS + SUPPLIERS:
        while name not in bins:
            body = f"{rng.randint(0, 22):02d}{rng.randint(1, 12):02d}40{rng.randint(0, 99_999):05d}"
            check = bin_check_digit(body)
            if check is not None and body + str(check) not in bins.values():
                bins[name] = body + str(check)
    return bins


def _assign_contractors(rng: random.Random, lines: list[dict], bins: dict[str, str],
                        kato_of: dict[str, str]) -> None:
    """A contractor per contract, at most two per district and year (the planted case aside).

    Equipment goes to suppliers; a construction keeps its builder from year to year.
    """
    held: dict[tuple, int] = {}
    builder_of: dict[str, str] = {}
    for line in sorted(lines, key=lambda l: (l["fiscal_year"], l["facility_id"], l["work_type"])):
        if line["status"] not in CONTRACT_STATUSES:
            continue
        place = (kato_of[line["facility_id"]], line["fiscal_year"])
        name = line["contractor_name"]  # set only for the planted concentration
        if not name and line["work_type"] == "construction":
            builder = builder_of.get(line["facility_id"], "")
            if held.get((builder, *place), 0) < MAX_LINES_PER_DISTRICT_YEAR:
                name = builder
        if not name:
            pool = SUPPLIERS if line["work_type"] == "equipment" else BUILDERS
            name = rng.choice([c for c in pool if c != CONCENTRATION["contractor"]
                               and held.get((c, *place), 0) < MAX_LINES_PER_DISTRICT_YEAR])
        if line["work_type"] == "construction":
            builder_of[line["facility_id"]] = name
        held[(name, *place)] = held.get((name, *place), 0) + 1
        line["contractor_name"], line["contractor_bin"] = name, bins[name]


# ------------------------------------------------------------------ CSV text


def _text(value) -> str:
    missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    return "" if missing else str(value)


def _decimal(places: int):
    """Numbers with at most ``places`` decimals and no trailing '.00'."""
    def format_number(value) -> str:
        if _text(value) == "":
            return ""
        text = f"{float(value):.{places}f}"
        return text[:-(places + 1)] if text.endswith("." + "0" * places) else text
    return format_number


_FORMATTERS = {
    "lat": lambda v: f"{v:.6f}", "lon": lambda v: f"{v:.6f}",
    "amount_allocated": _decimal(2), "amount_contracted": _decimal(2), "amount_paid": _decimal(2),
    "floor_area_m2": _decimal(1),
}


if __name__ == "__main__":
    print(f"Wrote {write_csv()}")
