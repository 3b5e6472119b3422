"""Demo contractors: invented builders and suppliers with valid BINs, assigned to contracts.

No contractor holds more than ``MAX_LINES_PER_DISTRICT_YEAR`` lines in one district and year,
except the planted ``CONCENTRATION``.
"""

from __future__ import annotations

import random

from budget.demo.anomalies import CONCENTRATION
from budget.demo.lines import CONTRACT_STATUSES
from core.identifiers import bin_check_digit

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


def contractor_bins(rng: random.Random) -> dict[str, str]:
    """A valid, unique BIN for each contractor: YYMM of registration, '40', serial, check digit."""
    bins: dict[str, str] = {}
    for name in BUILDERS + SUPPLIERS:
        while name not in bins:
            body = f"{rng.randint(0, 22):02d}{rng.randint(1, 12):02d}40{rng.randint(0, 99_999):05d}"
            check = bin_check_digit(body)
            if check is not None and body + str(check) not in bins.values():
                bins[name] = body + str(check)
    return bins


def assign_contractors(rng: random.Random, lines: list[dict], bins: dict[str, str],
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
