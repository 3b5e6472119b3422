"""The benchmarks' national data (bench/national.py, bench/generate.py): deterministic, the
right shape, and valid for the app's own importer. Tiny sizes: the benchmarks themselves are
not part of the test suite (``make bench``)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import generate, national
from budget.format import COLUMNS
from budget.reader import read_budget_file
from budget.validation import validate_table
from core.vocabulary import LINE_KEY
from geo.boundaries import load_geography


@pytest.fixture(scope="module")
def geography_dir(tmp_path_factory):
    return national.write_geography(tmp_path_factory.mktemp("geography"))


@pytest.fixture(scope="module")
def small(geography_dir):
    return generate.table(generate.Sizes(facilities=300, lines=1_200), geography_dir=geography_dir)


def test_national_geography_loads_in_the_app_with_all_224_districts(geography_dir):
    geography = load_geography(geography_dir)
    assert len(geography.districts) == 224
    assert sum(geography.population.values()) == national.NATIONAL_POPULATION
    assert set(geography.population) == set(geography.districts.index)


def test_synthetic_population_is_deterministic():
    katos = ["101000000", "711510000", "614600000"]
    assert national.synthetic_population(katos) == national.synthetic_population(katos)
    assert national.unit_type("711510000") == "city_district"
    assert national.unit_type("611000000") == "city_regional"
    assert national.unit_type("614600000") == "district"


def test_same_seed_same_table(geography_dir, small):
    again = generate.table(generate.Sizes(facilities=300, lines=1_200), geography_dir=geography_dir)
    assert small.equals(again)


def test_table_has_the_format_columns_and_the_asked_sizes(small):
    assert list(small.columns) == [c.name for c in COLUMNS]
    assert len(small) == 1_200
    assert small["facility_id"].nunique() == 300
    assert set(small["fiscal_year"]) <= set(generate.FISCAL_YEARS)
    assert not small[list(LINE_KEY)].duplicated().any()
    # Each facility's lines are together, so the first N rows hold whole facilities but the last.
    assert (small["facility_id"] != small["facility_id"].shift()).sum() == 300


def test_every_facility_has_lines_and_one_description(small):
    attributes = ["facility_name_ru", "facility_type", "lat", "lon", "district_kato", "address"]
    assert (small.groupby("facility_id")[attributes].nunique() == 1).all().all()


def test_slots_give_each_facility_a_line_and_no_slot_twice():
    slots = generate._slots(np.random.default_rng(1), 50, 400)
    per_facility = len(generate.FISCAL_YEARS) * len(generate.WORK_TYPES)
    assert len(slots) == len(set(slots)) == 400
    assert set(slots // per_facility) == set(range(50))
    with pytest.raises(ValueError):
        generate._slots(np.random.default_rng(1), 50, 49)


def test_the_apps_validator_accepts_the_table(geography_dir, small, tmp_path):
    path = generate.write_csv(small, tmp_path / "small.csv")
    validated = validate_table(read_budget_file(path.read_bytes(), path.name),
                               load_geography(geography_dir).districts)
    assert validated.errors == []
    assert len(validated.lines) == 1_200
    assert len(validated.facilities) == 300
