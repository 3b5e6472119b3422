"""The bundled boundaries load and pass their checks; broken files stop with a clear message."""

import json
import shutil

import pytest

from geo.boundaries import BOUNDARIES_DIR, DISTRICTS_DISPLAY_FILE, DISTRICTS_FILE, BoundaryError, load_geography


def test_bundled_geography_has_17_units_with_population(geography):
    assert len(geography.districts) == 17
    assert geography.districts.crs.to_epsg() == 4326
    assert geography.districts.index.is_unique
    assert set(geography.population) >= set(geography.districts.index)
    assert sum(geography.population[k] for k in geography.districts.index) == 2_145_680
    assert set(geography.districts["unit_type"]) == {"district", "city_regional"}
    assert geography.districts.loc["615500000", "name_en"] == "Sauran"


def test_district_records_carry_names_and_population(geography):
    records = {r["kato"]: r for r in geography.district_records()}
    assert records["611000000"]["name_kk"] == "Түркістан"
    assert records["611000000"]["population"] == 248_160


@pytest.fixture()
def boundary_copy(tmp_path):
    target = tmp_path / "boundaries"
    shutil.copytree(BOUNDARIES_DIR, target)
    return target


def rewrite(path, change):
    collection = json.loads(path.read_text(encoding="utf-8"))
    change(collection)
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")


def test_invalid_geometry_is_refused(boundary_copy):
    def bow_tie(collection):
        collection["features"][0]["geometry"] = {
            "type": "Polygon", "coordinates": [[[68, 43], [69, 44], [69, 43], [68, 44], [68, 43]]]}
    rewrite(boundary_copy / DISTRICTS_FILE, bow_tie)
    with pytest.raises(BoundaryError, match="invalid geometry.*611000000"):
        load_geography(boundary_copy)


def test_repeated_kato_is_refused(boundary_copy):
    def repeat(collection):
        collection["features"][1]["properties"]["kato"] = collection["features"][0]["properties"]["kato"]
    rewrite(boundary_copy / DISTRICTS_FILE, repeat)
    with pytest.raises(BoundaryError, match="repeats the codes"):
        load_geography(boundary_copy)


def test_wrong_crs_is_refused(boundary_copy):
    rewrite(boundary_copy / DISTRICTS_DISPLAY_FILE,
            lambda c: c.update(crs={"type": "name", "properties": {"name": "EPSG:3857"}}))
    with pytest.raises(BoundaryError, match="EPSG:4326"):
        load_geography(boundary_copy)


def test_point_features_are_refused(boundary_copy):
    def to_point(collection):
        collection["features"][2]["geometry"] = {"type": "Point", "coordinates": [68.5, 43.0]}
    rewrite(boundary_copy / DISTRICTS_FILE, to_point)
    with pytest.raises(BoundaryError, match="non-polygon"):
        load_geography(boundary_copy)


def test_missing_or_damaged_file_is_refused(boundary_copy):
    (boundary_copy / DISTRICTS_FILE).write_text("{ not json", encoding="utf-8")
    with pytest.raises(BoundaryError, match="cannot be read"):
        load_geography(boundary_copy)
    (boundary_copy / DISTRICTS_FILE).unlink()
    with pytest.raises(BoundaryError, match="is missing"):
        load_geography(boundary_copy)


def test_district_without_population_is_refused(boundary_copy):
    path = boundary_copy / "turkestan_district_population_bns_2026-07-01.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith("615500000")), encoding="utf-8")
    with pytest.raises(BoundaryError, match="615500000"):
        load_geography(boundary_copy)
