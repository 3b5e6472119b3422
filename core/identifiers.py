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


def bin_from_number(digits: str) -> str | None:
    """The BIN that a spreadsheet turned into the number ``digits`` (dropping its leading
    zeros), when nothing else is likely: ``digits`` zero-padded to 12 passes the check digit and
    has a month (digits 3-4, in a BIN and an IIN alike: YYMM...) of 01-12. None otherwise.

    A BIN loses zeros only when it starts with one (registered in 2000-2009), so at most three
    (year 00, month 01-09); a mistyped short value passes both checks by chance about once in
    a hundred, and the validator says which values it padded.
    """
    if not 9 <= len(digits) <= 11 or not digits.isascii() or not digits.isdigit():
        return None
    padded = digits.zfill(12)
    return padded if is_valid_bin(padded) and 1 <= int(padded[2:4]) <= 12 else None
