"""The description of a public table: ``Field`` and ``Table``, and what is generated from it.

One list of fields per table (``opendata.tables``) gives everything the open data say about it:
the public values of a read-model row (``Table.public``, the privacy whitelist), its JSON Schema
(for the API's OpenAPI document), its CSV for Excel and its Frictionless Table Schema (for the data
package). Here is how a field becomes each of those; which fields are public is in ``opendata.tables``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson

from core.csv_export import excel_csv

STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME, YEAR, ARRAY, OBJECT = (
    "string", "integer", "number", "boolean", "date", "datetime", "year", "array", "object")

# Table Schema type -> JSON Schema (OpenAPI 3.1) of a non-empty value.
JSON_TYPES = {
    STRING: {"type": "string"}, INTEGER: {"type": "integer"}, NUMBER: {"type": "number"},
    BOOLEAN: {"type": "boolean"}, DATE: {"type": "string", "format": "date"},
    DATETIME: {"type": "string", "format": "date-time"}, YEAR: {"type": "integer"}, OBJECT: {"type": "object"},
}
KATO_PATTERN = "^[0-9]{9}$"


@dataclass(frozen=True)
class Field:
    """One public column: its name, Table Schema type, meaning and constraints."""

    name: str
    type: str
    description: str
    required: bool = False  # never empty
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    items: str | None = None  # an array's item type
    source: str | None = None  # the read model's key, when it differs from ``name``

    def value(self, row: Mapping):
        """The field's value in a read-model row, as JSON has it (None when empty)."""
        raw = row.get(self.source or self.name)
        if raw is None or raw == "":
            return None
        if self.type in (INTEGER, YEAR):
            return int(raw)
        if self.type == NUMBER:
            return float(raw)
        if self.type == BOOLEAN:
            return bool(raw)
        if self.type == OBJECT:  # a JSON object in JSON; its JSON text in CSV (``cell``)
            return dict(raw) if isinstance(raw, Mapping) else orjson.loads(raw)
        if self.type == ARRAY:  # stored as "2022,2023" (versions.fiscal_years)
            parts = raw.split(",") if isinstance(raw, str) else raw
            return [int(p) if self.items in (INTEGER, YEAR) else p for p in parts if p != ""]
        return str(raw)

    def cell(self, row: Mapping):
        """The field's CSV cell (an array as comma-separated values)."""
        value = self.value(row)
        if isinstance(value, dict):
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
        return ",".join(map(str, value)) if isinstance(value, list) else value

    def json_schema(self) -> dict:
        if self.type == ARRAY:
            schema = {"type": "array", "items": dict(JSON_TYPES[self.items or STRING])}
        else:
            schema = dict(JSON_TYPES[self.type])
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.pattern:
            schema["pattern"] = self.pattern
        if not self.required:
            schema["type"] = [schema["type"], "null"]
            if self.enum:
                schema["enum"].append(None)
        return {**schema, "description": self.description}

    def table_schema(self) -> dict:
        """The field in a Frictionless Table Schema (an array is written as text in CSV)."""
        spec: dict = {"name": self.name, "type": STRING if self.type == ARRAY else self.type,
                      "description": self.description}
        constraints = {key: value for key, value in (("required", self.required), ("enum", list(self.enum)),
                                                     ("pattern", self.pattern)) if value}
        if constraints:
            spec["constraints"] = constraints
        return spec


@dataclass(frozen=True)
class Table:
    """A public table: its fields, keys, and optionally a list of child rows (``nested``)."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (field, other table, its field)
    nested: tuple[str, Table] | None = None

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def public(self, row: Mapping) -> dict:
        """The row's public fields only (and its children's), as JSON has them."""
        values = {f.name: f.value(row) for f in self.fields}
        if self.nested:
            key, child = self.nested
            values[key] = [child.public(c) for c in row.get(key) or ()]
        return values

    def json_schema(self) -> dict:
        """JSON Schema of one public row: every field present (maybe null), nothing else."""
        properties = {f.name: f.json_schema() for f in self.fields}
        if self.nested:
            key, child = self.nested
            properties[key] = {"type": "array", "items": child.json_schema(), "description": child.title}
        return {"type": "object", "title": self.title, "description": self.description,
                "required": list(properties), "properties": properties, "additionalProperties": False}

    def flat(self, name: str | None = None, title: str | None = None, description: str | None = None,
             primary_key: tuple[str, ...] = (), foreign_keys: tuple[tuple[str, str, str], ...] = ()) -> Table:
        """The table with its children's fields as columns: one row per child (for CSV)."""
        if not self.nested:
            return self
        child = self.nested[1]
        own = set(self.field_names)
        return Table(name or self.name, title or self.title, description or self.description,
                     self.fields + tuple(f for f in child.fields if f.name not in own),
                     primary_key, foreign_keys)

    def flat_rows(self, rows: Iterable[Mapping]) -> list[dict]:
        """Read-model rows with children as one row per child (a row without children drops)."""
        if not self.nested:
            return list(rows)
        key = self.nested[0]
        return [{**row, **child} for row in rows for child in row.get(key) or ()]

    def csv(self, rows: Iterable[Mapping]) -> bytes:
        """Read-model rows as CSV for Excel, with the field names as header (children flattened)."""
        flat = self.flat()
        return excel_csv(flat.field_names, ([f.cell(row) for f in flat.fields] for row in self.flat_rows(rows)))

    def table_schema(self) -> dict:
        """The Frictionless Table Schema of the table's CSV."""
        flat = self.flat()
        schema: dict = {"fields": [f.table_schema() for f in flat.fields], "missingValues": [""]}
        if flat.primary_key:
            schema["primaryKey"] = list(flat.primary_key)
        if flat.foreign_keys:
            schema["foreignKeys"] = [{"fields": [mine], "reference": {"resource": other, "fields": [theirs]}}
                                     for mine, other, theirs in flat.foreign_keys]
        return schema
