"""One rounding rule for money: half up, in integer tiyn."""

import pytest

from core.money import divide_half_up, per_resident, plain_whole_number, whole_tenge


def test_per_resident_rounds_half_up_in_tiyn():
    assert per_resident(1000, 3) == 333
    assert per_resident(1001, 2) == 501  # 500.5 -> 501
    assert per_resident(999, 2) == 500  # 499.5 -> 500
    assert per_resident(12_500_000_050, 250_000) == 50_000
    assert per_resident(0, 10) == 0
    assert per_resident(100, None) is None and per_resident(100, 0) is None and per_resident(None, 5) is None


def test_whole_tenge_rounds_half_up():
    assert whole_tenge(149) == 1 and whole_tenge(150) == 2 and whole_tenge(None) == 0


def test_divide_half_up_matches_exact_rounding():
    from decimal import ROUND_HALF_UP, Decimal
    for amount in range(0, 2000, 7):
        for divisor in (1, 2, 3, 7, 100, 999):
            exact = (Decimal(amount) / Decimal(divisor)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert divide_half_up(amount, divisor) == int(exact), (amount, divisor)


@pytest.mark.parametrize("text, number", [("2025", 2025), ("007", 7), ("", None), ("²", None), ("١٢", None),
                                          ("-5", None), ("1.0", None), ("9" * 19, None), ("9" * 18, 10**18 - 1)])
def test_plain_whole_numbers_are_ascii_digits_that_fit_the_database(text, number):
    assert plain_whole_number(text) == number
