"""Officials' own words for the coded columns: each code with its Kazakh, Russian and English
label and the synonyms an akimat official really types ("мектеп", "капремонт", "Облыстық").

The stored value stays the English code (``core.vocabulary``); ``code_of`` and ``codes_of`` map
what was typed to it. Matching ignores case, spaces, hyphens, underscores, slashes, dots and
quotes, reads ё as е, and accepts Kazakh letters typed as such or as their Russian (or Latin)
look-alikes ("курделі жондеу"), since not every office has a Kazakh keyboard. The kk and ru
labels are the catalogue's translations of the English ones (a test holds them equal), so the
pages and the table speak the same words; no typed word may mean two codes (checked on import).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from core.errors import LABEL_SEPARATOR, N_
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES

LANGUAGES = ("kk", "ru", "en")


@dataclass(frozen=True)
class Choice:
    """One code of a coded column and the words that mean it."""

    code: str
    en: str
    kk: str
    ru: str
    synonyms: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        return getattr(self, language) if language in LANGUAGES else self.en


def _w(code: str, en: str, kk: str, ru: str, *synonyms: str) -> Choice:
    return Choice(code, en, kk, ru, synonyms)


FACILITY_TYPE_WORDS = (
    _w("school", N_("School"), "Мектеп", "Школа",
       "жалпы білім беретін мектеп", "жалпы орта білім беретін мектеп", "орта мектеп",
       "негізгі орта мектеп", "негізгі мектеп", "бастауыш мектеп", "шағын жинақты мектеп",
       "мектеп-гимназия", "мектеп-лицей", "мектеп-интернат", "ЖББМ", "ЖОББМ",
       "общеобразовательная школа", "средняя общеобразовательная школа", "средняя школа",
       "основная общеобразовательная школа", "основная школа", "начальная школа",
       "малокомплектная школа", "школа-гимназия", "школа-лицей", "школа-интернат", "гимназия",
       "лицей", "СОШ", "ООШ", "general school"),
    _w("kindergarten", N_("Kindergarten"), "Балабақша", "Детский сад",
       "бала бақша", "бөбекжай", "бөбекжай-балабақша", "мектепке дейінгі ұйым",
       "мектепке дейінгі білім беру ұйымы", "МДҰ", "шағын орталық", "ясли-сад", "ясли", "детсад",
       "д/с", "дошкольная организация", "дошкольное учреждение", "ДДО", "мини-центр", "nursery"),
    _w("college", N_("College"), "Колледж", "Колледж",
       "жоғары колледж", "кәсіптік лицей", "высший колледж", "техникум", "училище",
       "профессиональный лицей"),
    _w("clinic", N_("Clinic"), "Емхана", "Поликлиника",
       "амбулатория", "дәрігерлік амбулатория", "ауылдық дәрігерлік амбулатория",
       "отбасылық денсаулық орталығы", "фельдшерлік-акушерлік пункт", "медициналық пункт",
       "МСАК", "врачебная амбулатория", "сельская врачебная амбулатория",
       "семейная врачебная амбулатория", "СВА", "центр семейного здоровья",
       "фельдшерско-акушерский пункт", "ФАП", "фельдшерский пункт", "ФП", "медицинский пункт",
       "медпункт", "ПМСП", "центр ПМСП", "polyclinic", "health centre"),
    _w("hospital", N_("Hospital"), "Аурухана", "Больница",
       "орталық аудандық аурухана", "ОАА", "аудандық аурухана", "ауылдық аурухана",
       "көпбейінді аурухана", "облыстық аурухана", "перзентхана",
       "центральная районная больница", "ЦРБ", "районная больница", "сельская больница",
       "многопрофильная больница", "областная больница", "родильный дом", "роддом",
       "перинатальный центр", "стационар", "госпиталь"),
    _w("sports", N_("Sports facility"), "Спорт нысаны", "Спортивный объект",
       "спорт кешені", "спорт залы", "дене шынықтыру-сауықтыру кешені", "жүзу бассейні",
       "спорт мектебі", "БЖСМ", "спорт алаңы", "спортивный комплекс", "спорткомплекс",
       "спортивный зал", "спортзал", "физкультурно-оздоровительный комплекс", "ФОК", "стадион",
       "бассейн", "спортивная школа", "ДЮСШ", "спортивная площадка", "sport", "sports",
       "sports complex"),
    _w("culture", N_("Culture centre"), "Мәдениет орталығы", "Центр культуры",
       "мәдениет үйі", "мәдениет сарайы", "ауылдық клуб", "кітапхана", "концерт залы",
       "дом культуры", "ДК", "дворец культуры", "клуб", "сельский клуб", "библиотека", "музей",
       "театр", "филармония", "концертный зал", "кинотеатр", "culture", "culture center",
       "house of culture", "library"),
    _w("social_care", N_("Social care"), "Әлеуметтік қызмет көрсету", "Социальное обслуживание",
       "әлеуметтік қызмет көрсету орталығы", "арнаулы әлеуметтік қызметтер көрсету орталығы",
       "қарттар үйі", "медициналық-әлеуметтік мекеме", "оңалту орталығы", "балалар үйі",
       "центр социального обслуживания", "центр оказания специальных социальных услуг",
       "дом престарелых", "дом-интернат", "медико-социальное учреждение",
       "реабилитационный центр", "детский дом", "social services"),
    _w("water_supply", N_("Water supply"), "Сумен жабдықтау", "Водоснабжение",
       "су құбыры", "су құбыры желілері", "сумен жабдықтау жүйесі", "ауыз су",
       "сумен жабдықтау және су бұру", "водопровод", "водопроводные сети",
       "система водоснабжения", "водовод", "водозабор", "питьевая вода",
       "водоснабжение и водоотведение", "water", "water pipeline"),
    _w("other", N_("Other"), "Басқа", "Другое",
       "басқалары", "өзге", "прочее", "прочие", "иное"),
)

WORK_TYPE_WORDS = (
    _w("construction", N_("Construction"), "Құрылыс", "Строительство",
       "жаңа құрылыс", "құрылыс салу", "салу", "реконструкциялау", "құрылыс және реконструкциялау",
       "новое строительство", "реконструкция", "строительство и реконструкция",
       "new construction", "reconstruction"),
    _w("capital_repair", N_("Capital repair"), "Күрделі жөндеу", "Капитальный ремонт",
       "күрделі жөндеу жұмыстары", "капремонт", "кап ремонт", "capital repairs", "major repair"),
    _w("current_repair", N_("Current repair"), "Ағымдағы жөндеу", "Текущий ремонт",
       "ағымды жөндеу", "ағымдық жөндеу", "текремонт", "тек ремонт", "косметический ремонт",
       "current repairs", "routine repair"),
    _w("maintenance", N_("Maintenance"), "Күтіп-ұстау", "Содержание",
       "ұстау", "пайдалану", "техникалық қызмет көрсету", "эксплуатация", "обслуживание",
       "техническое обслуживание", "содержание объекта", "upkeep"),
    _w("equipment", N_("Equipment"), "Жарақтандыру", "Оснащение",
       "жабдық", "жабдықтар", "жабдықтау", "жабдық сатып алу",
       "материалдық-техникалық жарақтандыру", "жиһаз", "оборудование",
       "приобретение оборудования", "материально-техническое оснащение", "мебель", "equipping"),
)

FUNDING_SOURCE_WORDS = (
    _w("republican", N_("Republican budget"), "Республикалық бюджет", "Республиканский бюджет",
       "республикалық", "республиканский", "РБ", "republican", "national budget"),
    _w("oblast", N_("Oblast budget"), "Облыстық бюджет", "Областной бюджет",
       "облыстық", "облыс", "областной", "область", "ОБ", "regional budget", "regional"),
    _w("district", N_("District budget"), "Аудандық бюджет", "Районный бюджет",
       "аудандық", "аудан", "қалалық", "қалалық бюджет", "облыстық маңызы бар қала бюджеті",
       "аудан (облыстық маңызы бар қала) бюджеті", "районный", "район", "городской",
       "городской бюджет", "бюджет города областного значения",
       "бюджет района (города областного значения)", "city budget"),
    _w("other", N_("Other source"), "Өзге қаржы көзі", "Иной источник",
       "басқа", "өзге", "басқа көз", "басқа қаржы көзі", "бюджеттен тыс қаражат",
       "демеушілік қаражат", "МЖӘ", "мемлекеттік-жекешелік әріптестік", "другое", "иное",
       "прочее", "другой источник", "внебюджетные средства", "спонсорские средства", "ГЧП",
       "государственно-частное партнерство", "other"),
)

STATUS_WORDS = (
    _w("planned", N_("Planned"), "Жоспарланған", "Запланировано",
       "жоспарланды", "жоспарлануда", "жоспарда", "жоспар", "планируется", "запланирован",
       "запланирована", "планируемый", "план", "в плане", "plan"),
    _w("tendering", N_("Tendering"), "Сатып алу жүргізілуде", "Идёт закупка",
       "сатып алу", "мемлекеттік сатып алу", "тендер", "тендер жүргізілуде", "конкурс",
       "конкурс жарияланды", "закупка", "госзакуп", "госзакупка", "на закупе", "торги",
       "аукцион", "объявлен конкурс", "проводится конкурс", "tender", "procurement"),
    _w("in_progress", N_("In progress"), "Орындалуда", "Выполняется",
       "жүріп жатыр", "жүргізілуде", "жұмыс жүргізілуде", "жұмыстар жүргізілуде", "салынуда",
       "жөнделуде", "в процессе", "в работе", "ведутся работы", "идут работы",
       "в стадии выполнения", "строится", "ремонтируется", "ongoing", "under way"),
    _w("completed", N_("Completed"), "Аяқталған", "Завершено",
       "аяқталды", "орындалды", "пайдалануға берілді", "завершен", "завершена", "выполнено",
       "выполнен", "выполнена", "закончено", "окончено", "введен в эксплуатацию",
       "введено в эксплуатацию", "сдан в эксплуатацию", "done", "finished"),
    _w("suspended", N_("Suspended"), "Тоқтатыла тұрған", "Приостановлено",
       "тоқтатылды", "тоқтатылған", "уақытша тоқтатылды", "тоқтатыла тұрды", "приостановлен",
       "приостановлена", "заморожено", "заморожен", "on hold", "paused"),
    _w("cancelled", N_("Cancelled"), "Күші жойылған", "Отменено",
       "жойылды", "жойылған", "күші жойылды", "бас тартылды", "отменен", "отменена",
       "аннулировано", "отказ", "canceled"),
)

WORDS: dict[str, tuple[Choice, ...]] = {
    "facility_type": FACILITY_TYPE_WORDS, "work_type": WORK_TYPE_WORDS,
    "funding_source": FUNDING_SOURCE_WORDS, "status": STATUS_WORDS,
}
CODES = {"facility_type": FACILITY_TYPES, "work_type": WORK_TYPES,
         "funding_source": FUNDING_SOURCES, "status": STATUSES}

# ---------------------------------------------------------------- matching

# Kazakh letters as their Russian look-alikes, ё as е; quotes dropped.
_FOLD = str.maketrans({"ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у",
                       "ү": "у", "һ": "х", "і": "и", **{q: None for q in "\"'«»„“”‘’`"}})
# Latin letters that look Cyrillic, read as Cyrillic in a word that has Cyrillic letters.
_LATIN = str.maketrans("aceopxyikmtbh", "асеорхуикмтвн")
_SEPARATORS = r"[\s.,()_/\\\-\u2010-\u2015]+"
_CYRILLIC = r"[а-я]"


def normal_form(value: str) -> str:
    """What matching compares: 'Күрделі-жөндеу.' and ' курделі жондеу ' are both 'курдели жондеу'."""
    key = re.sub(_SEPARATORS, " ", str(value).lower().translate(_FOLD)).strip()
    return key.translate(_LATIN) if re.search(_CYRILLIC, key) else key


def normal_forms(values: pd.Series) -> pd.Series:
    """``normal_form`` over a column at pandas' speed."""
    keys = values.astype(str).str.lower().str.translate(_FOLD)
    keys = keys.str.replace(_SEPARATORS, " ", regex=True).str.strip()
    cyrillic = keys.str.contains(_CYRILLIC, regex=True).to_numpy(dtype=bool)
    return keys.where(~cyrillic, keys.str.translate(_LATIN)) if cyrillic.any() else keys


def words_of(choice: Choice) -> tuple[str, ...]:
    """Every word accepted for the code: the code itself, its labels and its synonyms."""
    return (choice.code, choice.en, choice.kk, choice.ru, *choice.synonyms)


def build_lookup(words: tuple[Choice, ...]) -> dict[str, str]:
    """Normal form -> code; a word that would mean two codes is a mistake in the table."""
    lookup: dict[str, str] = {}
    for choice in words:
        for word in words_of(choice):
            key = normal_form(word)
            if lookup.setdefault(key, choice.code) != choice.code:
                raise ValueError(f"{word!r} would mean both {lookup[key]} and {choice.code}")
    return lookup


LOOKUP: dict[str, dict[str, str]] = {column: build_lookup(words) for column, words in WORDS.items()}


def code_of(column: str, value: str) -> str | None:
    """The code a typed value means in a coded column, or None."""
    return LOOKUP[column].get(normal_form(value))


def codes_of(column: str, values: pd.Series) -> pd.Series:
    """``code_of`` over a column: the codes, None where a value means no code (or is blank)."""
    codes = normal_forms(values).map(LOOKUP[column])
    return codes.astype(object).where(codes.notna(), None)


# ---------------------------------------------------------------- labels


def labels(column: str, language: str) -> list[tuple[str, str]]:
    """(code, label in ``language``) of each code of a coded column, in the format's order."""
    return [(choice.code, choice.label(language)) for choice in WORDS[column]]


def label_of(column: str, code: str, language: str) -> str:
    return dict(labels(column, language)).get(code, code)


def english_labels(column: str) -> str:
    """The English labels joined for a message's params: translated where it is rendered."""
    return LABEL_SEPARATOR.join(choice.en for choice in WORDS[column])
