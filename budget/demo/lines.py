"""Demo budget lines: works, dates, statuses, money and procurement of one line.

A line's status follows its dates on ``REFERENCE_DATE``; contracted amounts are 85-100 % of the
allocation and payments trail progress (the planted anomalies in ``anomalies`` break this).
"""

from __future__ import annotations

import datetime as dt
import random

from budget.demo.dataset import FISCAL_YEARS, REFERENCE_DATE
from budget.demo.facilities import SECTOR

REPAIRS = ("capital_repair", "current_repair")
# Construction cost per unit of capacity, KZT.
CONSTRUCTION_UNIT_COST = {"school": (5e6, 7.5e6), "kindergarten": (7e6, 10e6),
                          "hospital": (25e6, 40e6), "clinic": (10e6, 16e6), "sports": (12e6, 20e6)}
AMOUNT_RANGE = {"construction": (1.5e9, 9e9), "capital_repair": (40e6, 600e6),
                "current_repair": (3e6, 60e6), "maintenance": (1e6, 25e6), "equipment": (5e6, 150e6)}
RATE_PER_M2 = {"capital_repair": (30_000, 110_000), "current_repair": (2_000, 10_000),
               "maintenance": (400, 2_500)}
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


def construction_plan(rng: random.Random) -> list[tuple[int, str]]:
    """One or two years of construction, sometimes followed by equipment."""
    year = rng.choice(FISCAL_YEARS)
    plan = [(year, "construction")]
    if year < FISCAL_YEARS[-1] and rng.random() < 0.5:
        year += 1
        plan.append((year, "construction"))
    if year < FISCAL_YEARS[-1] and rng.random() < 0.5:
        plan.append((year + 1, "equipment"))
    return plan


def budget_line(rng: random.Random, facility: dict, year: int, work: str,
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
    set_amounts(rng, line)
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
    return round_thousands(amount)


def round_thousands(amount: float) -> int:
    return int(round(amount, -3))


def set_amounts(rng: random.Random, line: dict) -> None:
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
