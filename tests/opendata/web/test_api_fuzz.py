"""Schemathesis against /api/openapi.json: generated requests, valid and invalid, on the demo data.

Every operation of the document gets its examples, the coverage phase (boundary values, missing
and malformed parameters, undeclared methods) and fuzzing, in both generation modes, with a fixed
seed; every answer must pass every check: no server error, a status and content type the document
declares, a body its schema allows, valid values accepted (a 404 for a year without data is an
answer), invalid ones refused, a 405 with ``Allow``.
"""

import tempfile
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from app import create_app

SEED, EXAMPLES = 15, 30
load_all_checks()  # every built-in check registered, so the fixture can see that each is enabled
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "open-budget-map-hypothesis")  # its caches, not in the checkout


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "DATABASE_URL": f"sqlite:///{path}",
                      "SECRET_KEY": "test", "TILES_URL": ""})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    # identity: schemathesis's WSGI client would not undo the gzip the API sends to who accepts it
    config = SchemathesisConfig.from_dict({"seed": SEED, "headers": {"Accept-Encoding": "identity"},
                                           "checks": {"enabled": True},
                                           "generation": {"max-examples": EXAMPLES, "deterministic": True,
                                                          "database": "none"}})
    checks = config.projects.get_default().checks
    assert CHECKS.get_all_names() and all(checks.get_by_name(name=name).enabled for name in CHECKS.get_all_names())
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
    app.extensions["engine"].dispose()


@pytest.fixture(scope="module")
def answers(api_schema):
    """(operation, method, status) of every generated request; checked once all have run."""
    seen = Counter()
    yield seen
    operations = {result.ok().label for result in api_schema.get_all_operations()}
    assert {label for label, _, _ in seen} == operations, "an operation got no generated request"
    assert {status for _, _, status in seen} >= {200, 400, 404, 405}
    print(f"\nschemathesis: {len(operations)} operations, {sum(seen.values())} requests: "
          + ", ".join(f"{status}: {sum(n for (_, _, s), n in seen.items() if s == status)}"
                      for status in sorted({s for _, _, s in seen})))


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def node_id_for_schemathesis(request):
    """schemathesis 4.32 reads ``_nodeid``, which pytest 9.2 no longer has."""
    request.node._nodeid = request.node.nodeid


@schema.parametrize()
def test_every_generated_request_is_answered_as_documented(case, answers):
    response = case.call_and_validate()
    answers[(case.operation.label, case.method, response.status_code)] += 1
