"""Kazakhstan's business identification number (BIN/IIN): 12 digits with a check digit.

The check digit catches most typing mistakes, so a BIN that fails it is reported as an error
rather than published against the wrong contractor.
"""

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def bin_check_digit(first_eleven: str) -> int | None:
    """The 12th digit for 11 leading digits, or None when no digit can be valid."""
    digits = [int(ch) for ch in first_eleven]
    check = sum(d * w for d, w in zip(digits, FIRST_WEIGHTS)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, SECOND_WEIGHTS)) % 11
    return None if check == 10 else check


def is_valid_bin(value: str) -> bool:
    """True when ``value`` is 12 digits whose last digit matches the check digit."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    return bin_check_digit(value[:11]) == int(value[11])
