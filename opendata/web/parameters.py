"""The API's query parameters, each declared once: the declaration is both what the OpenAPI
document says of it and how the server reads it, so the two cannot disagree.

A value is read strictly, as its schema says: an integer is ASCII digits within its bounds, a
code one of the listed values, a KATO code nine digits; anything else (an empty value too) is a
400 naming the parameter (``BadParameters``). Free text is any string up to its length without
control characters (``core.text.CONTROL_PATTERN``: a NUL byte or an escape is a 400). A
parameter left out takes its default. Parameters the API does not know are ignored, so a map
link's query string (with ``metric``, say) works as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from budget.format import COLUMNS, FIRST_FISCAL_YEAR
from core.text import CONTROL_PATTERN
from core.web.converters import ID_MAX, ID_MIN

# Fiscal years the API takes: from the first year a budget file may carry to a fixed end far
# beyond the last one it may (the current year plus budget.format.YEARS_AHEAD).
YEAR_MIN, YEAR_MAX = FIRST_FISCAL_YEAR, 2100
PER_PAGE, MAX_PER_PAGE = 100, 1000
LONGEST_NUMBER = len(str(ID_MAX))  # more digits than this is no number we take (and never parsed)
FACILITY_ID_LENGTH = next(column.max_length for column in COLUMNS if column.name == "facility_id")


class BadParameters(ValueError):
    """URL parameters whose values were not understood (answered 400, naming them)."""

    def __init__(self, problems: list[str]):
        super().__init__(", ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Parameter:
    """One query parameter: its JSON Schema (``type`` integer or string, with ``minimum``,
    ``maximum``, ``enum``, ``pattern``, ``maxLength`` as needed) and what it means."""

    name: str
    schema: dict
    description: str
    default: object = None
    _pattern: re.Pattern | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        if "pattern" in self.schema:  # as JSON Schema means it: a final $ is the very end, not before a newline
            object.__setattr__(self, "_pattern", re.compile(re.sub(r"\$$", r"\\Z", self.schema["pattern"])))

    def openapi(self) -> dict:
        schema = self.schema if self.default is None else {**self.schema, "default": self.default}
        return {"name": self.name, "in": "query", "required": False, "schema": schema,
                "description": self.description}

    def read(self, raw: str | None):
        """The value of ``raw`` (None: the parameter was left out); ValueError when not understood."""
        if raw is None:
            return self.default
        schema = self.schema
        if schema["type"] == "integer":
            if not (raw.isascii() and raw.isdigit() and len(raw) <= LONGEST_NUMBER):
                raise ValueError(raw)
            value = int(raw)
            if not schema.get("minimum", value) <= value <= schema.get("maximum", value):
                raise ValueError(raw)
            return value
        if "enum" in schema and raw not in schema["enum"]:
            raise ValueError(raw)
        if self._pattern is not None and not self._pattern.search(raw):
            raise ValueError(raw)
        if len(raw) > schema.get("maxLength", len(raw)):
            raise ValueError(raw)
        return raw


def integer(name: str, description: str, minimum: int, maximum: int, default: int | None = None) -> Parameter:
    return Parameter(name, {"type": "integer", "minimum": minimum, "maximum": maximum}, description, default)


def year(description: str) -> Parameter:
    return integer("year", f"{description} From {YEAR_MIN} to {YEAR_MAX}.", YEAR_MIN, YEAR_MAX)


def choice(name: str, values: Iterable[str], description: str, default: str | None = None) -> Parameter:
    return Parameter(name, {"type": "string", "enum": list(values)}, description, default)


def text(name: str, description: str, *, max_length: int, pattern: str = CONTROL_PATTERN) -> Parameter:
    """A string parameter: at most ``max_length`` characters matching ``pattern`` (by default:
    any text without control characters)."""
    return Parameter(name, {"type": "string", "maxLength": max_length, "pattern": pattern}, description)


def facility_parameter(description: str) -> Parameter:
    return text("facility", f"{description} At most {FACILITY_ID_LENGTH} characters.", max_length=FACILITY_ID_LENGTH)


PAGING = (
    integer("page", "Page number; a page past the last answers 404.", 1, ID_MAX, default=1),
    integer("per_page", f"Items per page, at most {MAX_PER_PAGE}.", 1, MAX_PER_PAGE, default=PER_PAGE),
)
PATH_ID = {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX}


def read_all(parameters: Iterable[Parameter], args: Mapping[str, str]) -> dict[str, object]:
    """Every parameter's value (its default when left out); ``BadParameters`` names all those
    not understood, in the order they are declared."""
    values, problems = {}, []
    for parameter in parameters:
        try:
            values[parameter.name] = parameter.read(args.get(parameter.name))
        except ValueError:
            problems.append(parameter.name)
    if problems:
        raise BadParameters(problems)
    return values
