"""The ``id`` converter: a path id beyond what the database holds is a 404, never a 500."""

import re

import pytest
from flask import url_for
from werkzeug.routing import Map, Rule
from werkzeug.routing.converters import NumberConverter

from core.web.converters import ID_MAX, IdConverter, at_most
from tests.helpers import login

# Beyond 64 bits, beyond unsigned 64 bits, negative, zero, twenty nines: none is an id.
HOSTILE = (2**63, 2**64, -1, 0, 99999999999999999999, 10**40)


def matcher():
    url_map = Map([Rule("/things/<id:thing_id>", endpoint="thing")], converters={"id": IdConverter})
    return url_map.bind("localhost")


@pytest.mark.parametrize("segment, value", [("1", 1), ("42", 42), (str(ID_MAX), ID_MAX)])
def test_ids_in_the_database_range_match(segment, value):
    assert matcher().match(f"/things/{segment}") == ("thing", {"thing_id": value})


@pytest.mark.parametrize("segment", ["0", "007", "-1", "+1", "1.0", "١٢", "１２", str(ID_MAX + 1), str(10**40),
                                     "9" * 5000])
def test_anything_else_matches_no_route(segment):
    with pytest.raises(Exception) as failure:
        matcher().match(f"/things/{segment}")
    assert getattr(failure.value, "code", None) == 404


@pytest.mark.parametrize("limit", [1, 9, 10, 57, 100, 205, 999, 1000, 4096])
def test_the_expression_takes_exactly_one_to_the_limit(limit):
    expression = re.compile(at_most(limit))
    assert [n for n in range(0, 5000) if expression.fullmatch(str(n))] == list(range(1, limit + 1))


def test_no_route_of_the_app_takes_a_bare_int(app):
    """Every numeric path segment goes through ``id`` (a new ``<int:...>`` would overflow again)."""
    assert not [rule.rule for rule in app.url_map.iter_rules() if re.search(r"<int[:(]", rule.rule)]
    numeric = [(rule.rule, name) for rule in app.url_map.iter_rules()
               for name, converter in rule._converters.items()
               if isinstance(converter, NumberConverter) and not isinstance(converter, IdConverter)]
    assert numeric == []
    # every argument named like an id is one, but the facility's own identifier (text from the budget file)
    named = [(rule.rule, name) for rule in app.url_map.iter_rules() for name, converter in rule._converters.items()
             if name.endswith("_id") and name != "facility_id" and not isinstance(converter, IdConverter)]
    assert named == []


def id_routes(app) -> list[tuple[str, str, object]]:
    return sorted(((rule.endpoint, method, rule) for rule in app.url_map.iter_rules()
                   if "<id:" in rule.rule for method in rule.methods - {"HEAD", "OPTIONS"}),
                  key=lambda route: route[:2])


@pytest.mark.parametrize("too_big", HOSTILE)
def test_every_route_with_an_id_answers_404_to_an_id_out_of_range(app, make_user, too_big):
    make_user("boss", "admin", "editor", "moderator")
    anonymous, admin = app.test_client(), app.test_client()
    assert login(admin, "boss").status_code == 302
    routes = id_routes(app)
    assert {"api.data_package", "feedback.public_photo", "moderation.item", "moderation.moderate",
            "moderation.change_status", "moderation.redact", "moderation.photo", "workspace.upload_report",
            "workspace.publish_upload", "workspace.cancel_upload", "workspace.rollback", "upload_jobs.retry",
            "admin.change_roles", "admin.disable_user"} <= {endpoint for endpoint, _, _ in routes}
    for endpoint, method, rule in routes:
        with app.test_request_context():
            url = url_for(endpoint, **{name: (too_big if f"<id:{name}>" in rule.rule else "full")
                                       for name in rule.arguments})
        assert str(too_big) in url
        for client in (anonymous, admin):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
