"""Officials' own words for the coded columns (budget/choices.py): what they type, the code stored.

The words table is checked as data (every code, no word meaning two codes, the labels the
catalogue's translations), the matching as officials type (case, spaces, hyphens, ё, Kazakh
letters on a Russian keyboard, quotes, dots), and the whole path through the validator.
"""

from __future__ import annotations

import pandas as pd
import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel

from budget import cell_checks, choices
from budget.choices import Choice, build_lookup, code_of, codes_of, normal_form
from budget.format import COLUMNS, Problem
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, STATUSES, WORK_TYPES
from core.web import i18n
from tests.budget.validation_helpers import found, only_error, row, validator
from tests.helpers import PROJECT_DIR

PAGE_LABELS = {"facility_type": i18n.FACILITY_TYPE_LABELS, "work_type": i18n.WORK_TYPE_LABELS,
               "funding_source": i18n.FUNDING_LABELS, "status": i18n.STATUS_LABELS}


@pytest.fixture()
def validate(geography):
    return validator(geography.districts)


def catalogue(language: str) -> dict[str, str]:
    with open(PROJECT_DIR / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and not m.context}


# ---------------------------------------------------------------- the table of words


def test_every_coded_column_of_the_format_has_its_words_in_the_vocabulary_order():
    coded = {c.name: c.choices for c in COLUMNS if c.choices}
    assert coded == {"facility_type": FACILITY_TYPES, "work_type": WORK_TYPES,
                     "funding_source": FUNDING_SOURCES, "status": STATUSES}
    for column, codes in coded.items():
        assert tuple(choice.code for choice in choices.WORDS[column]) == codes
        assert all(choice.en and choice.kk and choice.ru for choice in choices.WORDS[column])


@pytest.mark.parametrize("column", list(choices.WORDS))
def test_no_word_means_two_codes(column):
    meaning: dict[str, set[str]] = {}
    for choice in choices.WORDS[column]:
        for word in choices.words_of(choice):
            meaning.setdefault(normal_form(word), set()).add(choice.code)
    assert {key: codes for key, codes in meaning.items() if len(codes) > 1} == {}
    assert all(code_of(column, word) == choice.code
               for choice in choices.WORDS[column] for word in choices.words_of(choice))


def test_a_table_where_a_word_means_two_codes_is_refused():
    twice = (Choice("planned", "Planned", "Жоспарланған", "Запланировано", ("план",)),
             Choice("tendering", "Tendering", "Тендер", "Конкурс", ("План",)))
    with pytest.raises(ValueError, match="'План' would mean both planned and tendering"):
        build_lookup(twice)


@pytest.mark.parametrize("column", list(choices.WORDS))
def test_english_labels_are_the_msgids_the_pages_translate(column):
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        pages = {code: str(label) for code, label in PAGE_LABELS[column].items()}
    assert pages == {choice.code: choice.en for choice in choices.WORDS[column]}


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("column", list(choices.WORDS))
def test_kazakh_and_russian_labels_are_the_catalogues_translations(column, language):
    translated = catalogue(language)
    for choice in choices.WORDS[column]:
        assert choice.label(language) == translated[choice.en], (column, choice.code)


def test_labels_in_a_language_follow_the_format_order_with_their_codes():
    assert choices.labels("work_type", "kk")[:2] == [("construction", "Құрылыс"),
                                                     ("capital_repair", "Күрделі жөндеу")]
    assert choices.labels("status", "ru")[-1] == ("cancelled", "Отменено")
    assert choices.labels("funding_source", "en")[1] == ("oblast", "Oblast budget")
    assert choices.label_of("facility_type", "kindergarten", "kk") == "Балабақша"
    assert choices.label_of("facility_type", "kindergarten", "de") == "Kindergarten"


def test_the_format_doc_lists_every_code_with_its_names():
    text = (PROJECT_DIR / "docs" / "budget-format.md").read_text(encoding="utf-8")
    for column, words in choices.WORDS.items():
        for choice in words:
            assert f"| `{choice.code}` | {choice.en} | {choice.kk} | {choice.ru} |" in text, column


# ---------------------------------------------------------------- matching as officials type


@pytest.mark.parametrize("column, typed, code", [
    ("facility_type", "мектеп", "school"),
    ("facility_type", " Школа ", "school"),
    ("facility_type", "Жалпы білім беретін мектеп", "school"),
    ("facility_type", "общеобразовательная школа", "school"),
    ("facility_type", "СОШ", "school"),
    ("facility_type", "Балабақша", "kindergarten"),
    ("facility_type", "детский сад", "kindergarten"),
    ("facility_type", "бөбекжай", "kindergarten"),
    ("facility_type", "Ясли-сад", "kindergarten"),
    ("facility_type", "колледж", "college"),
    ("facility_type", "емхана", "clinic"),
    ("facility_type", "Поликлиника", "clinic"),
    ("facility_type", "ФАП", "clinic"),
    ("facility_type", "медпункт", "clinic"),
    ("facility_type", "аурухана", "hospital"),
    ("facility_type", "больница", "hospital"),
    ("facility_type", "ЦРБ", "hospital"),
    ("facility_type", "спорт кешені", "sports"),
    ("facility_type", "Спортивный комплекс", "sports"),
    ("facility_type", "мәдениет үйі", "culture"),
    ("facility_type", "Дом культуры", "culture"),
    ("facility_type", "су құбыры", "water_supply"),
    ("facility_type", "водопровод", "water_supply"),
    ("facility_type", "дом престарелых", "social_care"),
    ("work_type", "құрылыс", "construction"),
    ("work_type", "Строительство", "construction"),
    ("work_type", "күрделі жөндеу", "capital_repair"),
    ("work_type", "капитальный ремонт", "capital_repair"),
    ("work_type", "Капремонт", "capital_repair"),
    ("work_type", "ағымдағы жөндеу", "current_repair"),
    ("work_type", "текущий ремонт", "current_repair"),
    ("work_type", "күтіп ұстау", "maintenance"),
    ("work_type", "содержание", "maintenance"),
    ("work_type", "жабдық", "equipment"),
    ("work_type", "оборудование", "equipment"),
    ("work_type", "оснащение", "equipment"),
    ("funding_source", "республикалық", "republican"),
    ("funding_source", "Республиканский", "republican"),
    ("funding_source", "Облыстық", "oblast"),
    ("funding_source", "областной бюджет", "oblast"),
    ("funding_source", "аудандық", "district"),
    ("funding_source", "районный", "district"),
    ("funding_source", "городской бюджет", "district"),
    ("funding_source", "басқа", "other"),
    ("funding_source", "другое", "other"),
    ("status", "жоспарланған", "planned"),
    ("status", "планируется", "planned"),
    ("status", "тендер", "tendering"),
    ("status", "конкурс", "tendering"),
    ("status", "жүріп жатыр", "in_progress"),
    ("status", "в процессе", "in_progress"),
    ("status", "ведутся работы", "in_progress"),
    ("status", "аяқталды", "completed"),
    ("status", "завершено", "completed"),
    ("status", "выполнено", "completed"),
    ("status", "тоқтатылды", "suspended"),
    ("status", "приостановлено", "suspended"),
    ("status", "жойылды", "cancelled"),
    ("status", "отменено", "cancelled"),
])
def test_the_words_officials_type_mean_their_code(column, typed, code):
    assert code_of(column, typed) == code


@pytest.mark.parametrize("column, typed, code", [
    ("work_type", "CAPITAL_REPAIR", "capital_repair"),  # the code, in any case
    ("work_type", "capital-repair", "capital_repair"),
    ("status", "In  progress", "in_progress"),
    ("work_type", "КАПИТАЛЬНЫЙ   РЕМОНТ", "capital_repair"),
    ("work_type", "Капитальный_ремонт", "capital_repair"),
    ("work_type", "Кап. ремонт", "capital_repair"),  # a dot and a space
    ("work_type", "Күрделі-жөндеу.", "capital_repair"),  # a hyphen, a trailing dot
    ("work_type", "курделі жондеу", "capital_repair"),  # Kazakh on a Russian keyboard
    ("work_type", "кyрделi жондеу", "capital_repair"),  # Latin y and i for ү and і
    ("status", "Идёт закупка", "tendering"),
    ("status", "Идет закупка", "tendering"),  # ё = е
    ("status", "«Завершено».", "completed"),  # quotes
    ("status", '"аяқталды"', "completed"),
    ("funding_source", "облыстык бюджет", "oblast"),
    ("facility_type", "Сош", "school"),
    ("facility_type", "cош", "school"),  # a Latin c among Cyrillic letters
    ("facility_type", "д/с", "kindergarten"),
    ("facility_type", "Д. С.", "kindergarten"),
    ("facility_type", "мектеп\u00a0интернат", "school"),  # a non-breaking space from Word
    ("facility_type", "Мектеп – интернат", "school"),  # an en dash
])
def test_matching_ignores_how_the_word_was_typed(column, typed, code):
    assert code_of(column, typed) == code


@pytest.mark.parametrize("column, typed", [
    ("work_type", "ремонт"),  # capital or current: the official must say which
    ("work_type", "paint"),
    ("facility_type", "shop"),
    ("facility_type", "мектепп"),
    ("status", "капитальный ремонт"),  # another column's word
    ("status", ""),
])
def test_other_words_mean_no_code(column, typed):
    assert code_of(column, typed) is None


def test_codes_of_a_column_are_code_of_each_cell_and_none_for_the_rest():
    typed = pd.Series(["мектеп", "x", "", " Школа ", "Емхана", None], dtype=object).fillna("")
    assert codes_of("facility_type", typed.astype("str")).tolist() == [
        "school", None, None, "school", "clinic", None]
    assert codes_of("facility_type", typed).tolist() == [code_of("facility_type", v) for v in typed]


# ---------------------------------------------------------------- through the validator


def test_a_file_in_officials_words_passes_and_stores_the_codes(validate):
    result = validate(
        row(facility_id="T1", facility_type="мектеп", work_type="капитальный ремонт",
            funding_source="Облыстық", status="Жүріп жатыр"),
        row(facility_id="T1", facility_type=" Школа ", work_type="Ағымдағы жөндеу",
            funding_source="районный", status="завершено"),
        row(facility_id="T2", facility_type="балабақша", work_type="Оснащение", status="тендер"),
    )
    assert result.ok, found(result)
    assert result.problems == []
    lines = result.lines.set_index(["facility_id", "work_type"])
    assert list(lines.index) == [("T1", "capital_repair"), ("T1", "current_repair"), ("T2", "equipment")]
    assert lines["funding_source"].tolist() == ["oblast", "district", None]
    assert lines["status"].tolist() == ["in_progress", "completed", "tendering"]
    facility_types = result.facilities.set_index("facility_id")["facility_type"]
    assert facility_types.to_dict() == {"T1": "school", "T2": "kindergarten"}


def test_the_same_facility_type_in_two_languages_is_no_conflict(validate):
    """'мектеп' on one row and 'Школа' on the next are the same type: the codes are compared."""
    result = validate(row(facility_type="мектеп", fiscal_year="2025"),
                      row(facility_type="Школа", fiscal_year="2024"))
    assert result.ok, found(result)


def test_an_unknown_word_is_an_error_listing_codes_and_names_in_the_readers_language(validate):
    error = only_error(validate(row(work_type="ремонт")))
    assert (error.row, error.column, error.value, error.code) == (2, "work_type", "ремонт", "unknown_choice")
    assert error.params["allowed"] == ", ".join(WORK_TYPES)
    english = error.message()
    assert english.startswith("ремонт is not one of: construction, capital_repair, ")
    assert "Kazakh, Russian or English: Construction, Capital repair, Current repair," in english
    russian = catalogue("ru")
    in_russian = error.message(lambda text: russian.get(text) or text)
    assert "Строительство, Капитальный ремонт, Текущий ремонт, Содержание, Оснащение" in in_russian


def test_a_stored_problem_from_before_the_names_still_renders():
    problem = Problem("error", 2, "work_type", "paint", "unknown_choice", {"allowed": "construction"})
    assert problem.message().startswith("paint is not one of: construction.")


def test_choices_are_matched_once_per_distinct_value(validate, monkeypatch):
    """A 500,000-row file repeats a few words: each is looked up once, not on every row."""
    sizes = []

    def counting(column, values):
        sizes.append(len(values))
        return choices.codes_of(column, values)

    monkeypatch.setattr(cell_checks, "codes_of", counting)
    rows = [row(fiscal_year=str(2000 + i % 30), budget_program_code=str(i), work_type=("Капремонт", "құрылыс")[i % 2]) for i in range(40)]
    assert validate(*rows).ok
    assert sorted(sizes) == [1, 1, 1, 2]  # facility_type, funding_source, status (blank), work_type
