"""The committed demo table: reproducible, valid, and carrying exactly the planted anomalies.

The risk flags will be tested against this table, so each anomaly is checked both ways: the
facilities in ``ANOMALIES`` carry it and no other facility does.
"""

from __future__ import annotations

import pandas as pd
import pytest

from budget.demo.anomalies import ANOMALIES, CONCENTRATION
from budget.demo.csv_file import write_csv
from budget.demo.dataset import CSV_PATH
from budget.demo.facilities import ESCAPE_TEST_FACILITY
from budget.demo.table import generate
from budget.format import COLUMNS
from budget.reader import read_budget_file
from budget.validation import validate_table
from core.identifiers import is_valid_bin
from core.vocabulary import FACILITY_TYPES, FUNDING_SOURCES, LINE_KEY, STATUSES, WORK_TYPES
from geo.assign import assign_districts
from geo.boundaries import load_geography

NUMERIC = ("lat", "lon", "fiscal_year", "amount_allocated", "amount_contracted", "amount_paid",
           "physical_progress_pct", "capacity", "floor_area_m2")
REPAIRS = ("capital_repair", "current_repair")


@pytest.fixture(scope="module")
def geography():
    return load_geography()


@pytest.fixture(scope="module")
def fresh(geography):
    return generate(geography=geography)


@pytest.fixture(scope="module")
def text():
    """The committed CSV, every cell as typed."""
    return pd.read_csv(CSV_PATH, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def table(text):
    """The committed CSV with numbers as numbers (NaN where empty)."""
    return text.assign(**{c: pd.to_numeric(text[c].mask(text[c] == "")) for c in NUMERIC})


def flagged(table, mask) -> set[str]:
    return set(table.loc[mask, "facility_id"])


# ------------------------------------------------------------------ reproducible


def test_generation_is_deterministic(geography, fresh):
    pd.testing.assert_frame_equal(generate(geography=geography), fresh)


def test_committed_csv_is_a_fresh_generation(fresh, text, tmp_path):
    written = write_csv(tmp_path / "demo.csv", fresh)
    assert written.read_bytes() == CSV_PATH.read_bytes()
    pd.testing.assert_frame_equal(pd.read_csv(written, dtype=str, keep_default_na=False), text)


def test_csv_format(text):
    raw = CSV_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    assert list(text.columns) == [c.name for c in COLUMNS]
    for column in ("amount_allocated", "amount_contracted", "amount_paid"):
        assert text[column].str.fullmatch(r"(\d+(\.\d\d)?)?").all(), column
    for column in ("start_date", "end_date"):
        assert text[column].str.fullmatch(r"\d{4}-\d\d-\d\d").all(), column


# ------------------------------------------------------------------ coverage and validity


def test_facilities_districts_types_and_years(table, geography):
    facilities = table.drop_duplicates("facility_id")
    assert len(facilities) == 600
    per_district = facilities["district_kato"].value_counts()
    assert set(per_district.index) == set(geography.districts.index) and len(per_district) == 17
    assert per_district.min() >= 8
    assert set(facilities["facility_type"]) == set(FACILITY_TYPES)
    assert facilities["facility_type"].value_counts().idxmax() == "school"
    assert sorted(table["fiscal_year"].unique()) == [2022, 2023, 2024, 2025, 2026]
    assert table.groupby("facility_id").size().between(1, 4).all()
    assert not table.duplicated(list(LINE_KEY)).any()
    assert table["facility_id"].str.fullmatch(r"TRK-[A-Z]{3}-\d{4}").all()


def test_values_are_consistent(table):
    assert table["work_type"].isin(WORK_TYPES).all()
    assert table["funding_source"].isin(FUNDING_SOURCES).all()
    assert table["status"].isin(STATUSES).all()
    assert table["physical_progress_pct"].between(0, 100).all()
    amounts = table[["amount_allocated", "amount_contracted", "amount_paid"]]
    assert (amounts.fillna(0) >= 0).all().all()
    assert (table["end_date"] >= table["start_date"]).all()
    contracted = table["status"].isin(["completed", "in_progress", "suspended"])
    assert table.loc[contracted, "contractor_bin"].map(is_valid_bin).all()
    assert (table.loc[~contracted, "contractor_bin"] == "").all()
    assert table.loc[contracted, "amount_contracted"].notna().all()
    assert (table.loc[table["status"] == "completed", "physical_progress_pct"] == 100).all()
    assert table.loc[table["status"] == "planned", "amount_contracted"].isna().all()
    assert table.drop_duplicates("contractor_name")["contractor_bin"].is_unique


def test_the_validator_accepts_the_table(geography):
    result = validate_table(read_budget_file(CSV_PATH.read_bytes(), CSV_PATH.name),
                            geography.districts)
    assert result.ok, result.errors[:5]
    assert {p.code for p in result.warnings} == {"paid_above_allocated"}
    assert len(result.warnings) == len(ANOMALIES["paid_above_allocated"])


def test_every_facility_is_inside_its_district_and_outside_the_overlap(table, geography):
    facilities = table.drop_duplicates("facility_id")
    placed = assign_districts(facilities["lat"], facilities["lon"], geography.districts)
    assert list(placed["kato"]) == list(facilities["district_kato"])
    assert not placed["in_overlap"].any()


def test_some_names_need_html_escaping(table):
    names = table.drop_duplicates("facility_id")[["facility_name_kk", "facility_name_ru",
                                                  "facility_name_en"]]
    assert names.apply(lambda c: c.str.contains("&")).any(axis=1).sum() == 1
    special = table.loc[table["facility_id"] == ESCAPE_TEST_FACILITY, "facility_name_ru"].iloc[0]
    assert "«" in special and "&" in special
    assert names["facility_name_en"].str.contains('"').any()
    assert names["facility_name_en"].str.contains("'").any()


# ------------------------------------------------------------------ planted anomalies


def test_anomalies_are_on_distinct_existing_facilities(table):
    planted = [fid for ids in ANOMALIES.values() for fid in ids]
    assert len(planted) == len(set(planted))
    assert set(planted) <= set(table["facility_id"])


def test_paid_above_allocated(table):
    assert flagged(table, table["amount_paid"] > table["amount_allocated"]) \
        == set(ANOMALIES["paid_above_allocated"])


def test_repeat_repairs(table):
    repairs = table[table["work_type"].isin(REPAIRS)]
    repeated = {fid for fid, years in repairs.groupby("facility_id")["fiscal_year"]
                if any(0 < abs(a - b) < 3 for a in years for b in years)}
    assert repeated == set(ANOMALIES["repeat_repair"])
    assert not repairs.duplicated(["facility_id", "fiscal_year"]).any()


def test_overdue_works(table):
    open_ = table["status"].isin(["in_progress", "suspended"]) \
        & (table["physical_progress_pct"] < 100)
    overdue = open_ & (table["end_date"] < "2026-01-01")
    assert flagged(table, overdue) == set(ANOMALIES["overdue"])
    # The other open works end in December 2026 or later: not overdue for months after the data.
    assert (table.loc[open_ & ~overdue, "end_date"] >= "2026-12-01").all()


def test_paid_ahead_of_progress(table):
    gap = table["amount_paid"] / table["amount_allocated"] * 100 - table["physical_progress_pct"]
    assert flagged(table, gap > 30) == set(ANOMALIES["paid_ahead_of_progress"])


def test_unit_cost_outliers(table):
    sized = table[table["floor_area_m2"].notna() & (table["work_type"] != "equipment")]
    per_m2 = sized["amount_allocated"] / sized["floor_area_m2"]
    peers = per_m2.groupby([sized["facility_type"], sized["work_type"]]).transform("median")
    ratio = per_m2 / peers
    assert flagged(sized, ratio > 4) == set(ANOMALIES["unit_cost_outlier"])
    assert flagged(sized, ratio > 3) == set(ANOMALIES["unit_cost_outlier"])


def test_contractor_concentration(table):
    money = table.groupby(["district_kato", "fiscal_year"])["amount_allocated"].sum()
    contracts = table[table["contractor_name"] != ""]
    held = contracts.groupby(["district_kato", "fiscal_year", "contractor_name"])[
        "amount_allocated"].agg(["sum", "size"])
    held["share"] = held["sum"] / money.reindex(held.index.droplevel(2)).to_numpy()
    dominant = held[(held["share"] > 0.4) & (held["size"] >= 3)]
    case = tuple(CONCENTRATION[k] for k in ("district_kato", "fiscal_year", "contractor"))
    assert list(dominant.index) == [case]
    mine = table[table["contractor_name"] == CONCENTRATION["contractor"]]
    assert set(mine["facility_id"]) == set(ANOMALIES["contractor_concentration"])
    assert (mine["district_kato"] == CONCENTRATION["district_kato"]).all()
    contracted_share = mine["amount_contracted"].sum() / table.loc[
        (table["district_kato"] == case[0]) & (table["fiscal_year"] == case[1]),
        "amount_contracted"].sum()
    assert contracted_share > 0.4
