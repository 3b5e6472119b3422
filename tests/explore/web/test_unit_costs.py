"""The facility page's unit-cost comparison: plain words, a strip chart, or why there is none."""

import re

import pytest

from accounts import audit
from tests.explore.test_unit_costs import HEADER, rows
from tests.helpers import budget_csv

EN = {"Accept-Language": "en"}


@pytest.fixture()
def published(monkeypatch, publish_csv):
    monkeypatch.setattr(audit, "utc_now", lambda: "2025-07-01T09:00:00+00:00")
    return publish_csv(budget_csv(*rows(), header=HEADER))


def section(client, facility_id, headers=EN):
    response = client.get(f"/facility/{facility_id}", headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")
    part = html[html.index('<section class="unit-costs"'):]
    return part[:part.index("</section>")]


def test_an_outlier_is_said_in_plain_words_with_a_strip_chart(client, published):
    part = section(client, "S19")
    assert re.search(r"900 ₸ per m²: \d+(\.\d)?× the median of 20 comparable capital repairs \(\d+ ₸\)\. "
                     r"Above the upper fence of \d+ ₸: unusually high\.", part), part
    assert 'data-basis="area" data-position="above"' in part
    assert part.count('<svg class="strip-chart"') == 2  # per m² and per place
    assert part.count('class="strip-own"') == 2
    assert part.count("<circle") == 2 * 21
    assert "The unit-cost risk flag judges this work on this figure." in part
    assert "per place" in part


def test_an_ordinary_work_is_within_the_usual_range(client, published):
    part = section(client, "S09")
    assert "Within the usual range (quartiles" in part
    assert "Equipment" not in part


def test_equipment_and_missing_sizes_say_why_not_compared(client, published):
    assert "Equipment is not compared" in section(client, "S00")
    assert "No floor area or capacity is published for this facility" in section(client, "N1")


def test_a_small_group_says_too_few_comparable_works(client, monkeypatch, publish_csv):
    monkeypatch.setattr(audit, "utc_now", lambda: "2025-07-01T09:00:00+00:00")
    publish_csv(budget_csv(*rows(count=19), header=HEADER))
    part = section(client, "S05")
    assert "Too few comparable works (19): a comparison needs at least 20." in part
    assert "<svg" not in part


def test_russian_page_has_the_comparison(client, published):
    part = section(client, "S19", headers={"Accept-Language": "ru"})
    assert 'data-position="above"' in part
