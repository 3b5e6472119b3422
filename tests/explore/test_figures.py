"""Sums by year, money per resident and execution rate."""

from explore.figures import execution_rate, totals_by_year, with_ratios


def test_totals_by_year_sum_exactly_and_order_by_year():
    lines = [
        {"fiscal_year": 2025, "allocated_tiyn": 12_500_000_050, "contracted_tiyn": None, "paid_tiyn": 6_000_000_000},
        {"fiscal_year": 2024, "allocated_tiyn": 500_000_000, "contracted_tiyn": 1, "paid_tiyn": 500_000_000},
        {"fiscal_year": 2025, "allocated_tiyn": 1, "paid_tiyn": None},
    ]
    assert totals_by_year(lines) == [
        {"fiscal_year": 2024, "line_count": 1, "allocated_tiyn": 500_000_000, "contracted_tiyn": 1,
         "paid_tiyn": 500_000_000},
        {"fiscal_year": 2025, "line_count": 2, "allocated_tiyn": 12_500_000_051, "contracted_tiyn": None,
         "paid_tiyn": 6_000_000_000},  # no contracted amount given in 2025: unknown, not 0
    ]
    assert totals_by_year([]) == []


def test_execution_rate_is_paid_over_allocated_in_percent():
    assert execution_rate(60, 120) == 50.0
    assert execution_rate(1, 3) == 33.3
    assert execution_rate(None, 100) == 0.0
    assert execution_rate(115, 100) == 115.0
    assert execution_rate(5, 0) is None and execution_rate(5, None) is None


def test_with_ratios_adds_per_resident_and_rate():
    row = {"fiscal_year": 2025, "allocated_tiyn": 1_000_000, "paid_tiyn": 250_000}
    assert with_ratios(row, 1000) == {**row, "allocated_per_resident": 1000, "paid_per_resident": 250,
                                      "execution_pct": 25.0}
    empty = with_ratios({"allocated_tiyn": 0, "paid_tiyn": 0}, None)
    assert (empty["allocated_per_resident"], empty["execution_pct"]) == (None, None)
