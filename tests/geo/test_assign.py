"""Point-in-polygon placement, including the Arys/Baidibek overlap rule."""

from geo.assign import assign_districts
from geo.coords import leaflet_bounds, points_from_latlon
from tests.helpers import ARYS_BAIDIBEK_OVERLAP, SARYAGASH, TURKESTAN_CITY


def test_points_land_in_their_districts(geography):
    lat, lon = zip(TURKESTAN_CITY, SARYAGASH)
    placed = assign_districts(lat, lon, geography.districts)
    assert list(placed["kato"]) == ["611000000", "615400000"]
    assert not placed["in_overlap"].any()


def test_overlap_goes_to_lowest_kato_and_is_flagged(geography):
    placed = assign_districts([ARYS_BAIDIBEK_OVERLAP[0]], [ARYS_BAIDIBEK_OVERLAP[1]], geography.districts)
    assert placed.loc[0, "kato"] == "611600000"  # Arys, not Baidibek 613600000
    assert bool(placed.loc[0, "in_overlap"])
    # Both polygons really contain the point: the rule, not luck, decides.
    point = points_from_latlon([ARYS_BAIDIBEK_OVERLAP[0]], [ARYS_BAIDIBEK_OVERLAP[1]]).iloc[0]
    containing = geography.districts.index[geography.districts.geometry.intersects(point)]
    assert set(containing) == {"611600000", "613600000"}


def test_point_outside_region_gets_no_district(geography):
    almaty = (43.2389, 76.8897)
    shymkent = (42.3417, 69.5901)  # a city of republican significance: a hole in the region
    placed = assign_districts([almaty[0], shymkent[0]], [almaty[1], shymkent[1]], geography.districts)
    assert placed["kato"].isna().all()


def test_results_keep_input_order_and_handle_no_points(geography):
    lat, lon = zip(SARYAGASH, TURKESTAN_CITY, SARYAGASH)
    assert list(assign_districts(lat, lon, geography.districts)["kato"]) == [
        "615400000", "611000000", "615400000"]
    assert assign_districts([], [], geography.districts).empty


def test_coordinate_order_is_lat_lon_at_the_edges():
    point = points_from_latlon([43.3], [68.2]).iloc[0]
    assert (point.x, point.y) == (68.2, 43.3)
    assert leaflet_bounds(point.buffer(1)) == [[42.3, 67.2], [44.3, 69.2]]
