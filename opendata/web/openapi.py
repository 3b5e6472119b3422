"""The OpenAPI 3.1 document of the API: what each registered operation says, and the whole document.

Each operation (``Operation``) is recorded when its endpoint is registered (``opendata.web.registry``)
with the schemas made here: a JSON page of a table, a GeoJSON FeatureCollection, an error. The
document (``openapi_document``) is built from those operations and the JSON Schemas of the tables
they refer to (``opendata.tables``); the conformance test checks every answer against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import request

from opendata import tables as open_data
from opendata.schema import Table
from opendata.web.answers import PROBLEM_JSON
from opendata.web.parameters import MAX_PER_PAGE, PATH_ID, Parameter

PREFIX = "/api"


@dataclass(frozen=True)
class Operation:
    """One documented GET path: what the OpenAPI document says about it."""

    rule: str  # the Flask rule, without the blueprint prefix
    endpoint: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]  # its query parameters (the path's come from the rule)
    content: dict  # media type -> {"schema": ...}
    errors: tuple[int, ...]


ERROR_SCHEMA = {
    "type": "object", "required": ["type", "title", "status", "error"], "additionalProperties": False,
    "description": "RFC 9457 problem details, with the API's error code and the parameters at fault.",
    "properties": {
        "type": {"const": "about:blank"},
        "title": {"type": "string", "description": "The HTTP status phrase (Bad Request, Not Found...)."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong, in the request's language."},
        "error": {"type": "string", "description": "bad_parameter, not_found, method_not_allowed..."},
        "parameters": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                       "description": "The parameters whose values were not understood (400) or name "
                                      "nothing there are data for (404: a year nothing is published for...)."},
    },
}
GEOMETRY_SCHEMA = {
    "type": ["object", "null"], "required": ["type", "coordinates"],
    "properties": {"type": {"enum": ["Point", "Polygon", "MultiPolygon"]}, "coordinates": {"type": "array"}},
    "description": "RFC 7946 geometry, EPSG:4326, [longitude, latitude] positions.",
}
ERROR_TEXT = {400: "Parameter values that were not understood.",
              404: "No such item or page, or no data for the year or district asked for."}
# What every path may answer besides its own errors (``errors``), all as problem details too.
ALLOWED = "GET, HEAD, OPTIONS"
ANY_PATH_ERRORS = {
    405: ("Any other method: the API is read-only. Allow lists the methods it answers.",
          {"Allow": {"required": True, "schema": {"const": ALLOWED}, "description": "The methods answered."}}),
    500: ("A server error (logged; never caused by the request's values).", {}),
    503: ("The database is not set up or not yet upgraded (answered until it is).", {}),
}


def _component(table: Table) -> str:
    return "".join(part.title() for part in table.name.split("_"))


def ref(table: Table) -> dict:
    return {"$ref": f"#/components/schemas/{_component(table)}"}


def page_schema(table: Table, meta: dict) -> dict:
    link = {"type": ["string", "null"], "format": "uri"}
    link_names = ["self", "first", "last", "prev", "next"]
    return {
        "type": "object", "additionalProperties": False,
        "required": [*meta, "data_version", "demo_data", "total", "page", "per_page", "pages", "links", "items"],
        "properties": {
            **meta,
            "data_version": {"type": ["integer", "null"], "description": "The published version answering."},
            "demo_data": {"type": "boolean", "description": "True while the generated demo data are published."},
            "total": {"type": "integer", "minimum": 0, "description": "Items in the whole list."},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "pages": {"type": "integer", "minimum": 1},
            "links": {"type": "object", "additionalProperties": {"type": ["string", "null"], "format": "uri"},
                      "required": link_names, "properties": {key: link for key in link_names},
                      "description": "This page, the others, and the whole list as CSV (and GeoJSON)."},
            "items": {"type": "array", "items": ref(table)},
        },
    }


def feature_collection_schema(table: Table, omit: tuple[str, ...]) -> dict:
    properties = table.json_schema()
    properties = {**properties, "required": [k for k in properties["required"] if k not in omit],
                  "properties": {k: v for k, v in properties["properties"].items() if k not in omit}}
    feature = {"type": "object", "required": ["type", "geometry", "properties"],
               "properties": {"type": {"const": "Feature"}, "id": {"type": ["string", "integer"]},
                              "geometry": GEOMETRY_SCHEMA, "properties": properties}}
    return {"type": "object", "required": ["type", "features"], "not": {"required": ["crs"]},
            "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": feature}}}


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    """A Flask rule as an OpenAPI path, and its path parameters."""
    parameters = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1) or "string", match.group(2)
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": dict(PATH_ID) if converter == "id" else {"type": "string"}})
        return "{" + name + "}"

    return PREFIX + re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule), parameters


PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "The ETag of an earlier answer: 304 when the data have not changed."}


def openapi_document(operations: list[Operation]) -> dict:
    """The OpenAPI 3.1 description of every registered endpoint (``operations``)."""
    paths: dict = {}
    tables: dict[str, dict] = {}
    for op in operations:
        path, path_parameters = _openapi_path(op.rule)
        responses = {
            "200": {"description": op.summary, "content": op.content,
                    "headers": {"ETag": {"schema": {"type": "string"},
                                         "description": "Changes when the published data change."}}},
            "304": {"description": "Not modified: the answer for the ETag sent in If-None-Match still holds."},
            **{str(status): {"description": ERROR_TEXT[status], "content": PROBLEM}
               for status in op.errors},
            **{str(status): {"description": text, "content": PROBLEM, **({"headers": headers} if headers else {})}
               for status, (text, headers) in ANY_PATH_ERRORS.items()},
        }
        paths[path] = {"get": {"operationId": op.endpoint, "summary": op.summary, "description": op.description,
                               "parameters": [*path_parameters, *(p.openapi() for p in op.parameters),
                                              IF_NONE_MATCH],
                               "responses": responses}}
    for table in _documented_tables(operations):
        tables[_component(table)] = table.json_schema()
    return {
        "openapi": "3.1.0",
        "info": {"title": "Open Budget Map API", "version": "1.0.0",
                 "description": "Read-only open data of the Open Budget Map of Turkestan region: public budget "
                                "money for social facilities. Money in integer tiyn (1 KZT = 100 tiyn). "
                                "See docs/api.md."},
        "servers": [{"url": request.script_root or "/"}],
        "paths": paths,
        "components": {"schemas": {**tables, "Error": ERROR_SCHEMA}},
    }


def _documented_tables(operations: list[Operation]) -> list[Table]:
    tables = {}
    for op in operations:
        for value in _refs(op.content):
            tables[value] = None
    known = {_component(t): t for t in _all_tables()}
    return [known[name] for name in tables if name in known]


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                found.append(value.rsplit("/", 1)[1])
            else:
                found.extend(_refs(value))
        return found
    if isinstance(node, list):
        return [name for value in node for name in _refs(value)]
    return []


def _all_tables() -> list[Table]:
    return [value for value in vars(open_data).values() if isinstance(value, Table)]
