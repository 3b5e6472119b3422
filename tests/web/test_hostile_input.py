"""No 5xx from input anywhere: every GET route of the URL map, as a visitor and as an admin, with
numbers out of any range and control characters in every query parameter the app reads; and a
405 keeps its Allow header on pages as in the API."""

import re

import pytest
from flask import url_for

from tests.helpers import GOOD_ROWS, budget_csv, login

# Every query parameter a page, the map data, the dashboard, the admin lists or the API reads.
PARAMETERS = ("year", "page", "per_page", "q", "district", "type", "work", "status", "funding", "risk", "metric",
              "sort", "order", "format", "facility", "rule", "outcome", "queue", "action", "actor", "since",
              "until", "code", "sent", "next")
HOSTILE = (str(2**63), str(2**64), "-1", "0", "99999999999999999999", "9" * 5000, "a\x00b", "\x1b[31m",
           "２０２５", "%")
SAMPLES = {"kato": "611000000", "facility_id": "T1", "code": "kk", "size": "full", "filename": "app.css",
           "slug": "years", "upload_id": 1, "feedback_id": 1, "user_id": 1, "version_id": 1,
           "bin_": "180340021791"}


def get_routes(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            assert rule.arguments <= SAMPLES.keys(), f"{rule.rule}: give the test a sample value"
            with app.test_request_context():
                urls.append(url_for(rule.endpoint, **{name: SAMPLES[name] for name in rule.arguments}))
    return sorted(set(urls))


@pytest.fixture()
def visitors(app, publish_csv, make_user):
    publish_csv(budget_csv(*GOOD_ROWS))
    make_user("boss", "admin", "editor", "moderator")
    anonymous, admin = app.test_client(), app.test_client()
    assert login(admin, "boss").status_code == 302
    return {"anonymous": anonymous, "admin": admin}


@pytest.mark.parametrize("value", HOSTILE)
def test_no_route_answers_a_server_error_to_hostile_query_values(app, visitors, value):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug is then a 500 to count, not a test error
    urls = get_routes(app)
    assert {"/", "/dashboard", "/map/facilities.json", "/admin/audit", "/api/v1/risk-flags"} <= set(urls)
    for who, client in visitors.items():
        for url in urls:
            if who == "admin" and not url.startswith("/admin"):
                continue  # the public routes answer an admin as they answer anyone
            response = client.get(url, query_string={name: value for name in PARAMETERS})
            assert response.status_code < 500, (who, url, response.status_code)
            if url.startswith("/api/") and response.status_code >= 400:
                assert response.mimetype == "application/problem+json", url


@pytest.mark.parametrize("name, value", [("year", str(2**63)), ("page", "99999999999999999999"),
                                         ("page", "-1"), ("q", "a\x00b"), ("actor", "\x00"), ("since", "\x00")])
def test_each_integer_or_text_parameter_alone_on_the_pages_that_read_it(app, visitors, name, value):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for url in ("/", "/facilities", "/facilities.csv", "/map/facilities.json", "/map/summary.json", "/dashboard",
                "/district/611000000", "/facility/T1", "/admin/audit", "/admin/feedback", "/admin/uploads"):
        response = visitors["admin"].get(url, query_string={name: value})
        assert response.status_code in (200, 400, 404), (url, name, response.status_code)


def test_a_405_is_the_sites_own_page_and_says_what_is_allowed(client):
    page = client.post("/facilities", headers={"Accept-Language": "en"})
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert re.search(r"<h1[^>]*>\s*This address does not work that way", page.get_data(as_text=True))
    post_only = client.get("/logout")
    assert post_only.status_code == 405 and set(post_only.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    api = client.delete("/api/v1/facilities")
    assert api.status_code == 405 and api.mimetype == "application/problem+json"
    assert api.headers["Allow"] == "GET, HEAD, OPTIONS"
