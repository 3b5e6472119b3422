"""The workspace's two publication modes, what removal it states and the confirmation it needs."""

import re

import pytest

from tests.budget.web.test_workspace import post, public_totals, text, upload, upload_id_of
from tests.helpers import GOOD_ROWS, budget_csv

ONLY_S1 = GOOD_ROWS[2]  # a partial file: one 2025 line of the two published


pytestmark = pytest.mark.usefixtures("english")


def test_the_upload_form_offers_both_modes_with_update_chosen(editor):
    page = text(editor.get("/admin/upload"))
    assert re.search(r'<input[^>]*checked[^>]*value="update"|<input[^>]*value="update"[^>]*checked', page)
    assert 'value="replace"' in page and "Replace fiscal years" in page
    assert "a cell holding only “-” clears it" in page


def test_a_partial_file_updates_by_default_and_keeps_the_rest_of_the_year(editor, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    before = re.findall(r'<td class="num[^"]*">[^<]*</td>', public_totals(editor))
    assert len(before) >= 2
    upload_id = upload_id_of(upload(editor, budget_csv(ONLY_S1)))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "This publication removes published data" not in page and "confirm_removal" not in page
    assert "Removed budget lines: 0" in page and "1 published lines of these years" in page
    assert post(editor, f"/admin/uploads/{upload_id}/publish").headers["Location"] == "/admin/versions"
    assert re.findall(r'<td class="num[^"]*">[^<]*</td>', public_totals(editor)) == before  # nothing went
    assert "125,000,001" in public_totals(editor)


def test_replacing_a_year_states_the_removal_first_and_publishes_only_once_confirmed(editor, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS))
    upload_id = upload_id_of(upload(editor, budget_csv(ONLY_S1), mode="replace"))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    sentence = "2025: remove 1 of 2 budget lines and 1 of 2 facilities, 125\u00a0mn\u00a0₸ of 137\u00a0mn\u00a0₸ allocated"
    assert page.index("This publication removes published data") < page.index("What publishing changes")
    assert page.count(sentence) == 3  # the summary, and the confirmation beside each Publish button
    assert page.count('name="confirm_removal"') == 2 and "Replace fiscal years" in page

    assert post(editor, f"/admin/uploads/{upload_id}/publish").headers["Location"] == f"/admin/uploads/{upload_id}"
    assert "Tick the box that confirms the removal" in text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "125,000,001" in public_totals(editor)  # still published
    confirmed = post(editor, f"/admin/uploads/{upload_id}/publish", {"confirm_removal": "yes"})
    assert confirmed.headers["Location"] == "/admin/versions"
    assert "125,000,001" not in public_totals(editor)


def test_the_preview_shows_facility_details_that_change(editor, publish_csv):
    header = "facility_id;facility_name_kk;facility_name_ru;facility_type;lat;lon;address;fiscal_year;work_type;amount_allocated"
    publish_csv(budget_csv("T1;№1 мектеп;Школа №1;school;43,297;68,2518;Тәуке хан 5;2025;equipment;100", header=header))
    upload_id = upload_id_of(upload(editor, budget_csv(
        "T1;;Школа №1 имени Абая;school;43,297;68,2518;;2025;equipment;100", header=header)))
    page = text(editor.get(f"/admin/uploads/{upload_id}"))
    assert "Changed facility details: 1" in page
    assert re.search(r"Name in Russian</td>\s*<td>Школа №1</td><td>Школа №1 имени Абая</td>", page)
    assert "Тәуке хан 5" not in page  # the blank address keeps it: no change to show


def test_the_versions_page_says_how_each_version_was_published(editor, publish_csv):
    publish_csv(budget_csv(*GOOD_ROWS), mode="replace")
    publish_csv(budget_csv(ONLY_S1))
    page = text(editor.get("/admin/versions"))
    second, first = page.index('id="version-2"'), page.index('id="version-1"')
    assert "import · Update" in page[second:first] and "import · Replace fiscal years" in page[first:]
