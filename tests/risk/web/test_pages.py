"""Risk flags on the web: the facility page explains them, the one filter selects by them.

Published as of a fixed day (``audit.utc_now`` replaced), so the overdue rule never reads the clock.
"""

import gzip
import json

import pytest
import sqlalchemy as sa

from accounts import audit
from app import create_app
from core.schema import risk_checks, risk_flags
from tests.helpers import PROJECT_DIR, budget_csv

EVIL = '<script>alert("x")</script>'
HEADER = ("facility_id;facility_name_ru;facility_name_en;facility_type;lat;lon;fiscal_year;work_type;"
          "amount_allocated;amount_contracted;amount_paid;contractor_name;end_date;status;physical_progress_pct;"
          "floor_area_m2")
PLACE = "43,297;68,2518"  # Turkestan city, district 611000000
ROWS = (
    f"A;Школа A;School A;school;{PLACE};2025;current_repair;1 000 000;;1 200 000;;;completed;100;",
    f"B;Школа B;School B;school;{PLACE};2025;capital_repair;10 000 000;9 000 000;8 000 000;;2025-03-31;in_progress;20;1000",
    f"C;Школа C;School C;school;{PLACE};2025;maintenance;500 000;;;;;;;",
    f"D1;Сад D1;Garden D1;kindergarten;{PLACE};2025;equipment;10 000 000;10 000 000;;ТОО {EVIL};;;;",
    f"D2;Сад D2;Garden D2;kindergarten;{PLACE};2025;equipment;10 000 000;10 000 000;;ТОО {EVIL};;;;",
)
EN = {"Accept-Language": "en"}


@pytest.fixture()
def on_day(monkeypatch):
    monkeypatch.setattr(audit, "utc_now", lambda: "2025-07-01T09:00:00+00:00")


@pytest.fixture()
def published(on_day, publish_csv):
    return publish_csv(budget_csv(*ROWS, header=HEADER))


def page(client, path):
    response = client.get(path, headers=EN)
    assert response.status_code == 200, path
    return response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")


def section(html):
    part = html[html.index('<section class="risk-flags"'):]
    return part[:part.index("</section>")]


def ids(client, query):
    response = client.get(f"/map/facilities.json{query}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200, response.data
    return set(json.loads(gzip.decompress(response.data))["id"])


def test_facility_page_explains_each_flag_with_figures_and_threshold(client, published):
    flags = section(page(client, "/facility/B"))
    assert flags.count('class="risk-flag"') == 2
    assert '<strong>Payment ahead of the works</strong> · 2025 · Capital repair' in flags
    assert ("Paid 8,000,000 ₸, 80% of the allocation of 10,000,000 ₸, while the works are 20% done: "
            "the payment is 60 points ahead of the works. The rule flags more than 30 points.") in flags
    assert ("The works were due to end on 2025-03-31. On 2025-07-01, the publication date of this data, they "
            "were 92 days late, not completed (status: In progress, progress 20%).") in flags
    assert "Checked on 2025-07-01, the publication date of version 1." in flags


def test_a_check_that_cannot_be_made_is_said_so(client, published):
    flags = section(page(client, "/facility/B"))
    assert "Checks that could not be made" in flags
    assert ("Not judged: only 1 comparable work (School, Capital repair) in the region, and the rule "
            "needs at least 20 to tell an unusual cost from an ordinary one. Allocated 10,000 ₸ per m².") in flags


def test_paid_above_allocation_and_no_flags(client, published):
    flags = section(page(client, "/facility/A"))
    assert ("Paid 1,200,000 ₸ against an allocation of 1,000,000 ₸ (120% of it). The rule flags payments "
            "above 100% of the allocation.") in flags
    assert "No rule raises a flag on this facility" in section(page(client, "/facility/C"))


def test_contractor_names_in_explanations_are_escaped(client, published):
    html = page(client, "/facility/D1")
    flags = section(html)
    assert "<strong>Contractor concentration</strong> · 2025" in flags
    assert "ТОО &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; holds 2 contracts worth 20,000,000 ₸ in Turkestan" in flags
    assert "63.5% of the 31,500,000 ₸ allocated" in flags and "The rule flags more than 40%." in flags
    assert EVIL not in html


@pytest.mark.parametrize("query, expected", [
    ("", {"A", "B", "C", "D1", "D2"}), ("?risk=any", {"A", "B", "D1", "D2"}), ("?risk=overdue", {"B"}),
    ("?risk=contractor_concentration", {"D1", "D2"}), ("?risk=stalled", set()),
    ("?risk=any&type=kindergarten", {"D1", "D2"}), ("?year=2025&risk=repeat_repair", set()),
])
def test_the_map_data_follows_the_risk_filter(client, published, query, expected):
    assert ids(client, query) == expected


def test_unknown_risk_is_a_400_and_the_summary_counts_the_selection(client, published):
    assert client.get("/map/facilities.json?risk=bribery").json == {"error": "bad_parameter", "parameters": ["risk"]}
    summary = client.get("/map/summary.json?risk=paid_ahead_of_progress", headers=EN).json
    assert summary["counts"] == {"facilities": 1, "funded": 1}
    assert summary["totals"]["allocated"] == "10,000,000\u00a0₸"


def test_the_table_view_and_its_form_keep_the_risk_filter(client, published):
    html = page(client, "/facilities?risk=overdue")
    assert "School B" in html and "School A" not in html and "Garden D1" not in html
    assert '<select id="f-risk" name="risk">' in html
    assert '<option value="overdue" selected>Overdue works</option>' in html
    assert '<option value="any" >Any risk flag</option>' in html
    assert "risk=overdue" in html  # sort and page links keep it
    assert '<option value="overdue" selected>' not in page(client, "/facilities")


def test_the_popup_counts_the_year_s_flags(client, published):
    details = client.get("/map/facility/B.json?year=2025&risk=overdue", headers=EN).json
    assert details["risk"] == {"count": 2, "text": "2 risk flags: Payment ahead of the works, Overdue works"}
    assert client.get("/map/facility/C.json?year=2025", headers=EN).json["risk"] == {"count": 0, "text": ""}


def test_the_popup_script_writes_the_note_as_text():
    script = (PROJECT_DIR / "static" / "js" / "map.js").read_text(encoding="utf-8")
    assert 'make("p", "popup-risk", details.risk.text)' in script
    assert "innerHTML" not in script


def test_configured_thresholds_reach_the_cli_import(app, runner, engine, tmp_path, on_day):
    app.config["RISK_PAID_AHEAD_POINTS"] = 70
    path = tmp_path / "budget.csv"
    path.write_bytes(budget_csv(*ROWS, header=HEADER))
    result = runner.invoke(args=["budget", "import", str(path), "--user", "test"])
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        rules = set(connection.execute(sa.select(risk_flags.c.rule)).scalars())
        thresholds = connection.execute(sa.select(risk_checks.c.thresholds)).scalar()
    assert "paid_ahead_of_progress" not in rules and "overdue" in rules
    assert thresholds["paid_ahead_points"] == 70


def test_db_upgrade_checks_a_version_published_before_the_flags(runner, engine, published):
    with engine.begin() as connection:
        connection.execute(risk_flags.delete())
        connection.execute(risk_checks.delete())
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"Risk flags computed for version {published}." in result.output
    assert "Risk flags computed" not in runner.invoke(args=["db", "upgrade"]).output


def test_a_wrong_threshold_stops_start_up(tmp_path):
    with pytest.raises(ValueError, match="unit_cost_min_group"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                    "RISK_UNIT_COST_MIN_GROUP": -1})


@pytest.mark.parametrize("flag, text", [
    ({"rule": "repeat_repair", "fiscal_year": 2024, "work_type": None, "threshold": 3, "figures": {
        "window_years": 3, "repairs": [{"year": 2022, "work_types": ["capital_repair"], "allocated_tiyn": 50_000},
                                       {"year": 2024, "work_types": ["capital_repair", "current_repair"],
                                        "allocated_tiyn": 7_000}]}},
     "Repairs of this facility in 2 different years within 3 consecutive years (2022: Capital repair, 500 ₸; "
     "2024: Capital repair, Current repair, 70 ₸). The rule flags repairs in two of any 3 consecutive years."),
    ({"rule": "unit_cost_outlier", "fiscal_year": 2023, "work_type": "construction", "threshold": 1.5,
      "outcome": "raised", "figures": {
          "allocated_tiyn": 90_000_000, "facility_type": "kindergarten", "basis": "capacity", "unit": "places",
          "basis_value": 100, "rate_tiyn": 900_000, "group_size": 12, "q1_tiyn": 500_000, "q3_tiyn": 600_000,
          "limit_tiyn": 750_000, "iqr_factor": 1.5}},
     "Allocated 900,000 ₸ for 100 places: 9,000 ₸ per unit of capacity (places). Across the "
     "region's 12 comparable works (Kindergarten, Construction), Q1 is 5,000 ₸ and Q3 6,000 ₸ per unit of "
     "capacity (places); the rule flags more than Q3 + 1.5 × IQR = 7,500 ₸ per unit of capacity (places)."),
    ({"rule": "stalled", "fiscal_year": 2025, "work_type": "capital_repair", "threshold": 0, "figures": {
        "paid_before_tiyn": 30_000, "paid_tiyn": 60_000, "progress_before_pct": 40, "progress_pct": 40}},
     "Paid rose from 300 ₸ to 600 ₸ compared with the data this version replaced, while progress went from "
     "40% to 40%. The rule flags more payment with progress up by 0 points or less."),
    ({"rule": "overdue", "fiscal_year": 2025, "work_type": "capital_repair", "threshold": 10, "figures": {
        "end_date": "2025-06-01", "as_of": "2025-07-01", "days_overdue": 30, "status": None, "progress_pct": 60}},
     "The works were due to end on 2025-06-01. On 2025-07-01, the publication date of this data, they were 30 "
     "days late, not completed (status: no status, progress 60%). The rule allows 10 days after the end date."),
    ({"rule": "paid_above_allocated", "fiscal_year": 2025, "work_type": "equipment", "threshold": 0, "figures": {
        "allocated_tiyn": 0, "paid_tiyn": 100, "contracted_tiyn": 100_000, "paid_pct": None, "contracted_pct": None,
        "paid_over": True, "contracted_over": True, "paid_limit_pct": 0, "contracted_limit_pct": 10}},
     "Paid 1 ₸ against an allocation of 0 ₸ (— of it). The rule flags payments above 100% of the allocation. "
     "Contracted 1,000 ₸ against an allocation of 0 ₸ (— of it). The rule flags contracts above 110% of the "
     "allocation."),
])
def test_every_rule_is_explained_in_words(app, flag, text):
    from risk.web.words import explain

    with app.test_request_context(headers=EN):
        assert explain(flag).replace("\u00a0", " ") == text
