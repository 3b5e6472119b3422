"""The ``id`` URL converter: a path segment is a database id, or the URL matches no route (404).

Ids are SQLite and PostgreSQL 64-bit integers, 1 to 2**63 - 1. Werkzeug's ``int`` converter
takes any run of digits (Unicode digits too), so ``/admin/uploads/99999999999999999999`` reached
the query and SQLite raised ``OverflowError`` (a 500). ``<id:upload_id>`` matches only ASCII
digits without a leading zero, up to ``ID_MAX``, so anything else is a plain 404. The bound is in
the regular expression itself: a value checked only after matching would make a POST-only route
answer 405 when a GET route has the same path. The API's OpenAPI document declares the same
bounds (``ID_MIN``, ``ID_MAX``) for its path ids.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

ID_MIN, ID_MAX = 1, 2**63 - 1


def at_most(limit: int) -> str:
    """A regular expression of the decimal numbers 1..``limit`` without leading zeros."""
    digits = str(limit)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same_length = [digits]
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            same_length.append(f"{digits[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(digits) - i - 1}}}")
    return "(?:" + "|".join(shorter + same_length) + ")"


class IdConverter(IntegerConverter):
    """``<id:name>``: an integer from ``ID_MIN`` to ``ID_MAX`` written in canonical form."""

    regex = at_most(ID_MAX)

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=ID_MIN, max=ID_MAX)


def init_app(app: Flask) -> None:
    """Register ``id`` before any blueprint adds a rule that uses it."""
    app.url_map.converters["id"] = IdConverter
