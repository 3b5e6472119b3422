"""The two publication modes and "a blank never erases" (budget.apply), through publication."""

import pytest
import sqlalchemy as sa

from budget import preview
from budget.apply import UnknownMode
from budget.publish import import_budget_file
from budget.reader import read_budget_file
from budget.validation import validate_table
from core import versions
from core.schema import facilities
from tests.helpers import GOOD_ROWS, budget_csv

DETAILED = ("facility_id;facility_name_kk;facility_name_ru;facility_name_en;facility_type;lat;lon;address;"
            "capacity;capacity_unit;floor_area_m2;fiscal_year;work_type;amount_allocated;amount_paid;"
            "contractor_name;status")
TURKESTAN_KATO = "611000000"  # where T1 stands
T1_FULL = ("T1;№1 мектеп;Школа №1;School No. 1;school;43,297;68,2518;Тәуке хан 5;600;places;4200;2025;"
           "capital_repair;125 000 000;60 000 000;ТОО «Құрылыс»;in_progress")


def published(engine, year: int) -> dict[tuple, int]:
    """(facility, work type) -> allocated tiyn of ``year`` as now published."""
    with engine.connect() as connection:
        version = versions.latest_version_id(connection)
        return {(line["facility_id"], line["work_type"]): line["allocated_tiyn"]
                for line in preview.published_lines(connection, version, [year])}


def published_line(engine, facility_id: str, year: int) -> dict:
    with engine.connect() as connection:
        version = versions.latest_version_id(connection)
        (line,) = [line for line in preview.published_lines(connection, version, [year])
                   if line["facility_id"] == facility_id]
    return line


def details(engine, facility_id: str) -> dict:
    with engine.connect() as connection:
        row = connection.execute(sa.select(facilities).where(facilities.c.facility_id == facility_id)).one()
    return dict(row._mapping)


def preview_of(engine, geography, content: bytes, mode: str):
    validated = validate_table(read_budget_file(content, "file.csv"), geography.districts)
    assert validated.ok, [p.message() for p in validated.errors]
    with engine.connect() as connection:
        return preview.preview_upload(connection, validated, versions.latest_version_id(connection), mode)


def test_an_update_keeps_every_published_line_the_file_lacks(engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    publish_csv(budget_csv("T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;99;"))
    assert published(engine, 2025) == {("T1", "capital_repair"): 9900, ("S1", "equipment"): 1_200_000_000}
    assert published(engine, 2024) == {("T1", "current_repair"): 500_000_000}
    with engine.connect() as connection:
        (latest,) = [v for v in connection.execute(sa.text("SELECT id, mode FROM versions ORDER BY id DESC LIMIT 1"))]
    assert latest.mode == "update"


def test_replacing_years_removes_the_published_lines_the_file_lacks(engine, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    publish_csv(budget_csv("T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;99;"), mode="replace")
    assert published(engine, 2025) == {("T1", "capital_repair"): 9900}
    assert published(engine, 2024) == {("T1", "current_repair"): 500_000_000}  # not in the file: untouched


def test_a_blank_line_cell_keeps_the_published_value_in_update_mode(engine, publish_csv):
    publish_csv(budget_csv(T1_FULL, header=DETAILED))
    publish_csv(budget_csv("T1;;Школа №1;;school;43,297;68,2518;;;;;2025;capital_repair;130 000 000;;;",
                           header=DETAILED))
    line = published_line(engine, "T1", 2025)
    assert line["allocated_tiyn"] == 13_000_000_000  # given: changed
    assert (line["paid_tiyn"], line["contractor_name"], line["status"]) == (
        6_000_000_000, "ТОО «Құрылыс»", "in_progress")  # blank: kept


def test_in_replace_mode_a_line_is_exactly_the_file(engine, publish_csv):
    publish_csv(budget_csv(T1_FULL, header=DETAILED))
    publish_csv(budget_csv("T1;;Школа №1;;school;43,297;68,2518;;;;;2025;capital_repair;130 000 000;;;",
                           header=DETAILED), mode="replace")
    line = published_line(engine, "T1", 2025)
    assert (line["paid_tiyn"], line["contractor_name"], line["status"]) == (None, None, None)


@pytest.mark.parametrize("mode", ["update", "replace"])
def test_blank_facility_details_keep_the_published_ones_in_both_modes(engine, publish_csv, mode):
    publish_csv(budget_csv(T1_FULL, header=DETAILED))
    publish_csv(budget_csv("T1;;Школа №1;;school;43,297;68,2518;;;;;2025;capital_repair;125 000 000;;;",
                           header=DETAILED), mode=mode)
    facility = details(engine, "T1")
    assert (facility["name_kk"], facility["name_en"], facility["address"]) == ("№1 мектеп", "School No. 1", "Тәуке хан 5")
    assert (facility["capacity"], facility["capacity_unit"], facility["floor_area_m2"]) == (600, "places", 4200.0)


def test_the_marker_clears_a_value_on_purpose(engine, publish_csv):
    publish_csv(budget_csv(T1_FULL, header=DETAILED))
    publish_csv(budget_csv("T1;;Школа №1;-;school;43,297;68,2518;—;-;-;;2025;capital_repair;125 000 000;-;-;",
                           header=DETAILED))
    facility = details(engine, "T1")
    assert (facility["name_kk"], facility["name_en"], facility["address"]) == ("№1 мектеп", None, None)
    assert (facility["capacity"], facility["capacity_unit"], facility["floor_area_m2"]) == (None, None, 4200.0)
    line = published_line(engine, "T1", 2025)
    assert (line["paid_tiyn"], line["contractor_name"], line["status"]) == (None, None, "in_progress")


def test_the_preview_lists_each_changed_detail_and_no_blank_shows_as_a_change(engine, geography, publish_csv):
    publish_csv(budget_csv(T1_FULL, header=DETAILED))
    blank = preview_of(engine, geography, budget_csv(
        "T1;;Школа №1;;school;43,297;68,2518;;;;;2025;capital_repair;125 000 000;;;", header=DETAILED), "update")
    assert blank.attribute_changes == [] and blank.changes_nothing
    changed = preview_of(engine, geography, budget_csv(
        "T1;;Школа №1;-;school;43,297;68,2518;Тәуке хан 7;;;;2025;capital_repair;125 000 000;;;",
        header=DETAILED), "update")
    assert [(c.facility_id, c.field, c.before, c.after) for c in changed.attribute_changes] == [
        ("T1", "name_en", "School No. 1", None), ("T1", "address", "Тәуке хан 5", "Тәуке хан 7")]
    assert changed.summary()["counts"]["attribute_changes"] == 2


def test_a_partial_update_removes_nothing_and_asks_no_confirmation(engine, geography, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    result = preview_of(engine, geography, budget_csv(GOOD_ROWS[2]), "update")
    assert result.removals == [] and not result.needs_confirmation
    assert result.carried == 1 and result.diff.unchanged == 2


def test_replacing_a_year_with_a_partial_file_states_what_goes_and_needs_confirmation(engine, geography, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    result = preview_of(engine, geography, budget_csv(GOOD_ROWS[2]), "replace")  # 2025: only S1 left
    (removal,) = result.removals
    assert removal["fiscal_year"] == 2025 and result.needs_confirmation
    assert (removal["lines_removed"], removal["lines_before"]) == (1, 2)
    assert (removal["facilities_removed"], removal["facilities_before"]) == (1, 2)
    assert (removal["allocated_tiyn_removed"], removal["allocated_tiyn_before"]) == (12_500_000_050, 13_700_000_050)
    assert [(d["kato"], d["allocated_tiyn_removed"]) for d in removal["districts"]] == [
        (TURKESTAN_KATO, 12_500_000_050)]  # T1's district


def test_a_small_removal_is_shown_but_needs_no_confirmation(engine, geography, publish_csv):
    many = [f"S{i};Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;" for i in range(20)]
    publish_csv(budget_csv(*many))
    result = preview_of(engine, geography, budget_csv(*many[1:]), "replace")  # 1 of 20 lines, 5%
    (removal,) = result.removals
    assert removal["lines_removed"] == 1 and not removal["large"] and not result.needs_confirmation


def test_an_unknown_mode_is_refused(engine, geography):
    with pytest.raises(UnknownMode):
        import_budget_file(engine, budget_csv(*GOOD_ROWS), "a.csv", geography.districts, actor="t", mode="merge")
