"""BIN/IIN check digit (data/identifiers.py).

The expected check digits below were worked out by hand from the published algorithm:
weights 1..11 modulo 11; when that gives 10, weights 3..11,1,2; when that also gives 10 the
eleven digits cannot start a valid BIN.
"""

from __future__ import annotations

import pytest

from core.identifiers import bin_check_digit, is_valid_bin

VALID_BIN = "180340021791"  # the example in the format and the template


def test_check_digit_with_the_first_weights():
    # 1*1 + 8*2 + 3*4 + 4*5 + 2*8 + 1*9 + 7*10 + 9*11 = 243 = 22*11 + 1
    assert bin_check_digit("18034002179") == 1


def test_check_digit_falls_back_to_the_second_weights_when_the_first_give_10():
    # first weights: 1*1 + 2*10 = 21 -> 10; second weights: 1*3 + 2*1 = 5
    assert bin_check_digit("10000000020") == 5


def test_no_check_digit_when_both_weightings_give_10():
    # first: 1*1 + 2*10 + 8*11 = 109 -> 10; second: 1*3 + 2*1 + 8*2 = 21 -> 10
    assert bin_check_digit("10000000028") is None


def test_valid_bin_is_accepted():
    assert is_valid_bin(VALID_BIN)


def test_bin_built_with_the_second_weights_is_accepted():
    assert is_valid_bin("100000000205")


@pytest.mark.parametrize("last_digit", [d for d in "0123456789" if d != VALID_BIN[-1]])
def test_every_other_last_digit_fails_the_check(last_digit):
    assert not is_valid_bin(VALID_BIN[:-1] + last_digit)


def test_no_twelfth_digit_makes_an_impossible_prefix_valid():
    assert not any(is_valid_bin("10000000028" + d) for d in "0123456789")


def test_swapping_two_neighbouring_digits_is_caught():
    assert not is_valid_bin("810340021791")


@pytest.mark.parametrize("value", [
    "18034002179",          # 11 digits
    "1803400217910",        # 13 digits
    "",
    "18034002179A",         # a letter
    "180340 021791",        # spaces are removed by the validator, not here
    "-18034002179",
    "１８０３４００２１７９１",  # full-width digits: isdigit() but not ASCII
    "١٨٠٣٤٠٠٢١٧٩١",          # Arabic-Indic digits
])
def test_anything_but_twelve_ascii_digits_is_not_a_bin(value):
    assert not is_valid_bin(value)
