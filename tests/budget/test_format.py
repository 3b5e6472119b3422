"""The documented format is the implemented one."""


from budget.format import COLUMNS
from core.errors import MESSAGES
from core.vocabulary import FACILITY_TYPES, STATUSES, WORK_TYPES
from tests.helpers import PROJECT_DIR

DOC = PROJECT_DIR / "docs" / "budget-format.md"


def test_every_column_and_value_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| `{column.name}` |" in text
    for value in (*FACILITY_TYPES, *WORK_TYPES, *STATUSES):
        assert f"`{value}`" in text


def test_every_column_is_explained_in_three_languages():
    for column in COLUMNS:
        assert column.help_en and column.help_ru and column.help_kk and column.example, column.name


def test_required_columns_match_the_format():
    required = {c.name for c in COLUMNS if c.required}
    assert required == {"facility_id", "facility_type", "lat", "lon", "fiscal_year", "work_type",
                        "amount_allocated"}


def test_every_message_template_renders_with_its_placeholders():
    from budget.format import Problem

    params = {"value": "v", "column": "c", "detail": "d", "allowed": "a", "start": "s", "low": 1,
              "high": 2, "lat": 1, "lon": 2, "first_row": 3, "facility_id": "f", "first_value": "x",
              "limit": 9, "paid": 1, "allocated": 0, "located": "k", "length": 10, "current": "a",
              "target": "b", "size": "6", "pixels": "99", "id": 1, "count": 7, "rows": "2, 3 …",
              "found": "12", "cell": "B7", "ratio": "900", "row": "5", "columns": "3", "num": "7"}
    for code in MESSAGES:
        text = Problem("error", 2, "c", "v", code, params).message()
        assert "%(" not in text and text
