"""The open data API: read-only JSON, CSV and GeoJSON under /api/v1/, described at /api/openapi.json.

This module is the blueprint as the app registers it (``app.py``: ``api.bp``): importing it
imports every endpoint module, so that all of them are registered, and serves the OpenAPI
document of them, registered last. The parts:

- ``opendata.web.registry``: the blueprint, the registration decorators, the operations registry, CORS;
- ``opendata.web.parameters``: each query parameter declared once, for the document and for reading it;
- ``opendata.web.answers``: the formats (JSON pages, CSV, GeoJSON, items, files), ETags, problem details;
- ``opendata.web.openapi``: the schemas of the operations and the OpenAPI document;
- ``opendata.web.endpoints``: facilities, districts, feedback and risk flags;
- ``opendata.web.datapackage``: the published versions and their data packages.

URL scheme (as Datasette's): a list is JSON at its path, the whole list as CSV at the same path
plus ``.csv``, and as GeoJSON (RFC 7946) at the path plus ``.geojson`` where its rows are places.
The facilities take the map's filter parameters (``explore.filters``, the same selection
code as the map and the table), so a map link's query string works on the API as it is. JSON
lists are paginated (``page``, ``per_page`` up to ``MAX_PER_PAGE``, links to the other pages);
CSV and GeoJSON hold every row of the selection. Every answer carries an ETag made of the data
version and the URL (unchanged data: 304), ``Access-Control-Allow-Origin: *``, and errors as
problem details (RFC 9457, ``application/problem+json``). Fields are those of the tables in
``opendata.tables``, nothing else.

Adding an endpoint is one table and one function (the feedback and risk flag lists, say):

    # opendata/tables.py
    FEEDBACK = Table("feedback", "Published feedback", "...", (Field("id", INTEGER, "..."), ...))

    # opendata/web/endpoints.py
    @listing("/v1/feedback", open_data.FEEDBACK, summary="Published feedback",
             parameters=(facility_parameter("Only the feedback on this facility."),))
    def feedback(values: dict) -> Rows:
        return Rows(feedback_queries.published(database.connection(), values["facility"]), etag=(last_change,))

``listing`` (or ``item``, ``feature_collection``, ``download``) registers the URLs, the JSON
pages, the CSV, ETag and CORS, and the operation in the OpenAPI document; the conformance test
in ``tests/opendata/web/test_api_contract.py`` calls every path of that document and checks the
answers against it, and ``test_api_fuzz.py`` runs Schemathesis on it, so a new endpoint is tested
against its schema without a new test. A new endpoint module is imported below.
"""

from __future__ import annotations

import re

import orjson
from flask import Response, request

from core.web.cache import app_cache
from core.web.responses import etag_of
from opendata.web import datapackage, endpoints  # noqa: F401 (importing them registers their endpoints)
from opendata.web.answers import answer
from opendata.web.openapi import PREFIX, Operation, openapi_document
from opendata.web.registry import OPERATIONS, bp


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document (built once per script root; its ETag follows its content)."""
    def build() -> tuple[bytes, str]:
        body = orjson.dumps(openapi_document(OPERATIONS))
        return body, etag_of(body)

    body, etag = app_cache("openapi", 2).get_or_build(request.script_root, build)
    return answer(Response(body, mimetype="application/json"), (etag,))


INDEX_SCHEMA = {
    "type": "object", "required": ["openapi", "resources"], "additionalProperties": False,
    "properties": {
        "openapi": {"type": "string", "description": "Address of the OpenAPI document."},
        "resources": {"type": "array", "description": "Every resource of the API, as in the OpenAPI document.",
                      "items": {"type": "object", "required": ["path", "summary", "description", "url"],
                                "additionalProperties": False,
                                "properties": {"path": {"type": "string"}, "summary": {"type": "string"},
                                               "description": {"type": "string"},
                                               "url": {"type": ["string", "null"],
                                                       "description": "Its address (null when the path "
                                                       "takes values, e.g. {facility_id})."}}}},
    },
}


@bp.get("/v1/")
def index():
    """Every resource of the API (the operations of the OpenAPI document), with its address."""
    def build() -> tuple[bytes, str]:
        root = request.host_url.rstrip("/") + request.script_root + PREFIX
        resources = []
        for op in OPERATIONS:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
            resources.append({"path": PREFIX + path, "summary": op.summary, "description": op.description,
                              "url": None if "{" in path else root + path})
        body = orjson.dumps({"openapi": root + "/openapi.json", "resources": resources})
        return body, etag_of(body)

    body, etag = app_cache("api_index", 4).get_or_build((request.host_url, request.script_root), build)
    return answer(Response(body, mimetype="application/json"), (etag,))


OPERATIONS.append(Operation("/v1/", "index", "Index of the API's resources",
                            "Every resource of the API with its summary and address.", (),
                            {"application/json": {"schema": INDEX_SCHEMA}}, ()))
OPERATIONS.append(Operation("/openapi.json", "openapi", "This OpenAPI document", "", (),
                            {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}},
                            ()))
