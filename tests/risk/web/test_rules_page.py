"""The /risk-flags page and /api/v1/risk-coverage: what each rule could check; completeness on pages."""

from tests.risk.web.test_pages import EN, on_day, page, published  # noqa: F401 (fixtures)


def test_the_rules_page_says_what_each_rule_could_check(client, published):  # noqa: F811
    html = page(client, "/risk-flags")
    assert html.count("<tr data-rule=") == 7
    assert '<tr data-rule="repeat_repair"><th scope="row">Repeated repairs</th><td class="num">2</td>' in html
    answer = client.get("/api/v1/risk-coverage", headers=EN).get_json()
    rows = {row["rule"]: row for row in answer["items"]}
    assert rows["repeat_repair"] == {"rule": "repeat_repair", "lines": 5, "checked": 2, "missing_inputs": 0,
                                     "not_applicable": 3}


def test_completeness_is_beside_the_flags_and_on_the_district_page(client, published):  # noqa: F811
    facility = page(client, "/facility/B")
    flags = facility[facility.index('<section class="risk-flags"'):]
    assert "Data completeness: 40%" in flags[:flags.index("</section>")]
    assert "Data completeness:" in page(client, "/district/611000000")
