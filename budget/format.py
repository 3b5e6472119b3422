"""The budget table format: one row = one facility x fiscal year x budget line.

This module is the single source of truth for the columns. The reader, the validator, the
template download, the demo generator and ``docs/budget-format.md`` all follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import render
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES

# Kinds of cell: how a value is parsed and checked.
TEXT, MONEY, NUMBER, INTEGER, YEAR, LAT, LON, DATE, CHOICE, BIN, PERCENT, URL, KATO = (
    "text", "money", "number", "integer", "year", "lat", "lon", "date", "choice", "bin",
    "percent", "url", "kato",
)


@dataclass(frozen=True)
class Column:
    """One column of the budget table."""

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 300
    help_en: str = ""
    help_ru: str = ""
    help_kk: str = ""
    example: str = ""
    facility_attribute: bool = False  # describes the facility, must agree across its rows


# The template's example row is this facility, which matches no real one; a file that still
# has it gets the warning "example_row_left_in".
EXAMPLE_FACILITY_ID = "EXAMPLE-0001"


def _c(name, kind, help_en, help_ru, help_kk, example="", **kw) -> Column:
    return Column(name=name, kind=kind, help_en=help_en, help_ru=help_ru, help_kk=help_kk,
                  example=example, **kw)


COLUMNS: tuple[Column, ...] = (
    _c("facility_id", TEXT,
       "Stable identifier of the facility, the same in every file and year.",
       "Постоянный идентификатор объекта, одинаковый во всех файлах и годах.",
       "Нысанның барлық файлдар мен жылдарда бірдей тұрақты идентификаторы.",
       EXAMPLE_FACILITY_ID, required=True, max_length=64),
    _c("facility_name_kk", TEXT, "Facility name in Kazakh (this or the Russian name is required).",
       "Название объекта на казахском (обязательно оно или русское).",
       "Нысанның қазақша атауы (осы немесе орысша атауы міндетті).",
       "№12 жалпы білім беретін мектеп", facility_attribute=True),
    _c("facility_name_ru", TEXT, "Facility name in Russian (this or the Kazakh name is required).",
       "Название объекта на русском (обязательно оно или казахское).",
       "Нысанның орысша атауы (осы немесе қазақша атауы міндетті).",
       "Общеобразовательная школа №12", facility_attribute=True),
    _c("facility_name_en", TEXT, "Facility name in English.", "Название объекта на английском.",
       "Нысанның ағылшынша атауы.", "General school No. 12", facility_attribute=True),
    _c("facility_type", CHOICE, "Kind of facility.", "Тип объекта.", "Нысан түрі.", "school",
       required=True, choices=FACILITY_TYPES, facility_attribute=True),
    _c("lat", LAT, "Latitude, WGS84 decimal degrees.", "Широта, WGS84, десятичные градусы.",
       "Ендік, WGS84, ондық градус.", "43.297", required=True, facility_attribute=True),
    _c("lon", LON, "Longitude, WGS84 decimal degrees.", "Долгота, WGS84, десятичные градусы.",
       "Бойлық, WGS84, ондық градус.", "68.2518", required=True, facility_attribute=True),
    _c("district_kato", KATO,
       "9-digit KATO code of the district; checked against the location, which decides.",
       "9-значный код КАТО района; сверяется с координатами, решают координаты.",
       "Ауданның 9 таңбалы ҚАТО коды; координаттармен салыстырылады, координаттар шешеді.",
       "611000000", facility_attribute=True),
    _c("address", TEXT, "Street address.", "Адрес.", "Мекенжайы.", "Түркістан қ., Тәуке хан даңғылы, 5",
       facility_attribute=True),
    _c("fiscal_year", YEAR, "Budget (fiscal) year.", "Финансовый (бюджетный) год.",
       "Қаржы (бюджет) жылы.", "2025", required=True),
    _c("work_type", CHOICE, "What the money is for.", "На что выделены деньги.",
       "Қаражат не үшін бөлінген.", "capital_repair", required=True, choices=WORK_TYPES),
    _c("budget_program_code", TEXT, "Budget programme code.", "Код бюджетной программы.",
       "Бюджеттік бағдарлама коды.", "261-015", max_length=64),
    _c("funding_source", CHOICE, "Level of the budget that pays.", "Уровень бюджета.",
       "Бюджет деңгейі.", "oblast", choices=FUNDING_SOURCES),
    _c("amount_allocated", MONEY, "Money allocated, KZT.", "Выделено, тенге.",
       "Бөлінген қаражат, теңге.", "125 000 000", required=True),
    _c("amount_contracted", MONEY, "Money under contract, KZT.", "Законтрактовано, тенге.",
       "Шарт бойынша сомасы, теңге.", "118 400 000"),
    _c("amount_paid", MONEY, "Money paid, KZT.", "Оплачено, тенге.", "Төленген, теңге.",
       "60 000 000"),
    _c("contractor_name", TEXT, "Contractor's name.", "Подрядчик.", "Мердігер.",
       "ТОО «Құрылыс-Сервис»"),
    _c("contractor_bin", BIN, "Contractor's BIN, 12 digits.", "БИН подрядчика, 12 цифр.",
       "Мердігердің БСН-і, 12 цифр.", "180340021791"),
    _c("procurement_ref", TEXT, "Public procurement reference.", "Номер государственной закупки.",
       "Мемлекеттік сатып алу нөмірі.", "12345678-ОК1", max_length=100),
    _c("start_date", DATE, "Start of works (YYYY-MM-DD or DD.MM.YYYY).",
       "Начало работ (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ).", "Жұмыстың басталуы (ЖЖЖЖ-АА-КК немесе КК.АА.ЖЖЖЖ).",
       "2025-04-01"),
    _c("end_date", DATE, "Planned or actual end of works.", "Плановое или фактическое окончание.",
       "Жоспарлы немесе нақты аяқталуы.", "2025-11-30"),
    _c("status", CHOICE, "Stage of the works.", "Стадия работ.", "Жұмыс кезеңі.",
       "in_progress", choices=STATUSES),
    _c("physical_progress_pct", PERCENT, "Physical progress of the works, 0-100.",
       "Физическое выполнение работ, 0-100.", "Жұмыстың нақты орындалуы, 0-100.", "45"),
    _c("capacity", INTEGER, "Capacity (places, beds, visits per shift...).",
       "Мощность (мест, коек, посещений в смену...).", "Қуаты (орын, төсек, ауысымдағы келу...).",
       "600", facility_attribute=True),
    _c("capacity_unit", TEXT, "Unit of capacity.", "Единица мощности.", "Қуат бірлігі.",
       "places", facility_attribute=True, max_length=40),
    _c("floor_area_m2", NUMBER, "Floor area, m².", "Площадь, м².", "Ауданы, м².", "4200",
       facility_attribute=True),
    _c("source_url", URL, "Link to the source document.", "Ссылка на источник.",
       "Дереккөзге сілтеме.", "https://goszakup.gov.kz/ru/announce/index/12345678",
       max_length=500),
    _c("description", TEXT, "What is being done.", "Описание работ.", "Жұмыс сипаттамасы.",
       "Шатырды ауыстыру", max_length=5000),
)

COLUMNS_BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
NAME_COLUMNS = ("facility_name_kk", "facility_name_ru")
MONEY_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == MONEY)
FACILITY_ATTRIBUTES = tuple(c.name for c in COLUMNS if c.facility_attribute)
# File column -> stored column where the names differ: money (in tiyn) and facility details
# (``kato`` is the district validation placed the facility in).
STORED_MONEY = {"amount_allocated": "allocated_tiyn", "amount_contracted": "contracted_tiyn",
                "amount_paid": "paid_tiyn"}
STORED_FACILITY = {"facility_name_kk": "name_kk", "facility_name_ru": "name_ru",
                   "facility_name_en": "name_en", "kato": "district_kato"}
FIRST_FISCAL_YEAR = 2000
YEARS_AHEAD = 10  # fiscal years accepted beyond the current one


@dataclass(frozen=True)
class Problem:
    """One finding about the file: ``row`` is the row number as Excel shows it (header = 1)."""

    severity: str  # "error" or "warning"
    row: int | None
    column: str | None
    value: str
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def message(self, translate=lambda s: s, plural=None) -> str:
        """In the officials' words: ``translate`` is gettext, ``plural`` ngettext."""
        return render(self.code, {"value": self.value, **self.params}, translate, plural)
