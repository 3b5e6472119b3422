"""Money is exact: integer tiyn (1 tenge = 100 tiyn), never floats. The one rounding rule.

Every division of money that is shown (per resident, tiyn to whole tenge) rounds half up
through ``divide_half_up``, so the map, the district page, the dashboard and the downloads
show the same district with the same figure.
"""

from __future__ import annotations


def divide_half_up(amount: int, divisor: int) -> int:
    """``amount / divisor`` rounded to the nearest integer, halves up (both non-negative)."""
    quotient, remainder = divmod(int(amount), int(divisor))
    return quotient + (1 if 2 * remainder >= divisor else 0)


def per_resident(tiyn: int | None, population: int | None) -> int | None:
    """``tiyn`` divided by the population, in tiyn rounded half up; None without a population."""
    if tiyn is None or not population or population < 0:
        return None
    return divide_half_up(tiyn, population)


def whole_tenge(tiyn: int | None) -> int:
    """Tiyn as whole tenge, rounded half up (charts and tables in KZT); nothing counts as 0."""
    return divide_half_up(int(tiyn or 0), 100)


def plain_whole_number(text: str, max_digits: int = 18) -> int | None:
    """``text`` as a whole number when it is only ASCII digits (at most ``max_digits``), else None.

    ``str.isdigit`` alone accepts '²' and '١', which ``int`` then refuses or reads unexpectedly,
    and an unbounded length overflows the database's 64-bit integers.
    """
    if text and len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None
