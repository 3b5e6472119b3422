"""Fixtures and helpers of the API tests: a published budget file, the OpenAPI document, checks.

``conforms`` checks an answer against the document with openapi-core; ``read_csv`` reads a CSV
answer as Excel would (UTF-8 with a byte-order mark).
"""

import csv
import io
import json

import pytest
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse

from tests.helpers import HEADER, budget_csv

FULL_HEADER = HEADER + ";status;funding_source;physical_progress_pct;amount_contracted;contractor_name;contractor_bin"
ROWS = (
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2025;capital_repair;125 000 000,50;60 000 000;in_progress;oblast;"
    "40;118 400 000;ТОО «Құрылыс»;180340021791",
    "T1;№1 мектеп;Школа №1;school;43,297;68,2518;2024;current_repair;5 000 000;5 000 000;completed;district;100;;;",
    "S1;Балабақша;Детский сад;kindergarten;41,655447;69,15946;2025;equipment;12 000 000;;planned;republican;;;;",
    "F1;=1+2;-Школа;school;43,297;68,2518;2025;equipment;1 000;;suspended;oblast;;;@SUM(A1);",
)
TURKESTAN, SARYAGASH = "611000000", "615400000"


@pytest.fixture()
def published(publish_csv):
    return publish_csv(budget_csv(*ROWS, header=FULL_HEADER), actor="akimat:aigul.editor")


@pytest.fixture()
def document(client):
    return client.get("/api/openapi.json").json


@pytest.fixture()
def openapi(document):
    """The document, checked as valid OpenAPI 3.1 by openapi-core, ready to validate answers."""
    decoders = {"text/csv": lambda body, **_: body.decode("utf-8-sig"),
                "application/geo+json": lambda body, **_: json.loads(body),
                "application/problem+json": lambda body, **_: json.loads(body)}
    return OpenAPI.from_dict(document, config=Config(extra_media_type_deserializers=decoders))


def conforms(openapi, response, check_request: bool = True) -> None:
    """The request and the response are what the OpenAPI document says (raises otherwise)."""
    request = WerkzeugOpenAPIRequest(response.request)
    if check_request:
        openapi.validate_request(request)
    openapi.validate_response(request, WerkzeugOpenAPIResponse(response))


def read_csv(response) -> list[dict]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
