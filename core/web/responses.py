"""Response helpers every data endpoint shares: ETags and 304s, JSON errors, pre-gzipped bodies.

One way to do each: the map's data endpoints (``explore.web.map_data``) and the API (``opendata.web.api``) both
answer through these.
"""

from __future__ import annotations

import gzip
import hashlib

from flask import Response, jsonify, request


def etag_of(*parts) -> str:
    """A strong ETag from what the answer depends on (data version, filter, format...)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def conditional(response: Response, *etag_parts, language_free: bool = False) -> Response:
    """ETag from the data version and the filter; 304 when the client already has it."""
    response.set_etag(etag_of(*etag_parts))
    response.headers["Cache-Control"] = "no-cache"  # always revalidate: a new version shows at once
    if not language_free:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response.make_conditional(request)


def bad_parameters(problems: list[str]) -> Response:
    """400 naming the URL parameters whose values were not understood."""
    response = jsonify(error="bad_parameter", parameters=problems)
    response.status_code = 400
    return response


def json_error(status: int, error: str, message: str | None = None) -> Response:
    """An error as JSON: ``{"error": "not_found", "message": "..."}``."""
    response = jsonify({"error": error, **({"message": str(message)} if message else {})})
    response.status_code = status
    return response


def gzipped(body: bytes, mimetype: str) -> Response:
    """A body stored gzip-compressed, sent compressed to clients that accept it, plain to others."""
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(gzip.decompress(body), mimetype=mimetype)
    response.headers["Vary"] = "Accept-Encoding"  # a new response has no Vary yet: no parsing
    return response
