from map_builder.choropleth import NO_DATA_COLOUR, PALETTE, choropleth, colour_for, quantile_bins


def test_bins_cover_the_positive_values_in_order():
    values = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    bins = quantile_bins(values)
    assert len(bins) == 5
    assert bins[0].low == 10 and bins[-1].high == 100
    assert all(a.high == b.low for a, b in zip(bins, bins[1:]))
    assert [b.colour for b in bins] == list(PALETTE)


def test_equal_values_collapse_to_one_bin_and_zero_is_no_data():
    bins = quantile_bins([0, 5, 5, 5])
    assert len(bins) == 1 and bins[0].low == bins[0].high == 5
    assert colour_for(5, bins) == PALETTE[-1]
    assert colour_for(0, bins) == NO_DATA_COLOUR
    assert quantile_bins([0, 0]) == []


def test_colour_follows_the_bin_and_stays_exact_for_big_integers():
    big = [12_500_000_050, 1_200_000_000, 7_000_000_000_000]
    bins = quantile_bins(big, classes=3)
    assert all(isinstance(b.low, int) and isinstance(b.high, int) for b in bins)
    assert colour_for(7_000_000_000_000, bins) == bins[-1].colour
    assert colour_for(1_200_000_000, bins) == bins[0].colour


def test_choropleth_colours_every_key_and_greys_out_zero_and_unknown():
    bins, colours = choropleth({"a": 10, "b": 0, "c": None, "d": 1000})
    assert bins and colours["a"] == bins[0].colour and colours["d"] == bins[-1].colour
    assert colours["b"] == colours["c"] == NO_DATA_COLOUR
    assert choropleth({"a": 0}) == ([], {"a": NO_DATA_COLOUR})
