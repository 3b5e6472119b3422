"""The contractor page, the links to it and the API's contractor."""

from tests.explore.test_contractors import BIN, published  # noqa: F401 (fixture)

EN = {"Accept-Language": "en"}


def test_the_contractor_page_and_the_links_to_it(client, published):  # noqa: F811
    html = client.get(f"/contractor/{BIN}", headers=EN).get_data(as_text=True).replace("\u00a0", " ")
    assert "<h1>ТОО «Құрылыс»</h1>" in html
    assert "Share of each district's contracts" in html and "50%" in html
    assert html.count('<tr class="line">') == 3
    facility = client.get("/facility/A", headers=EN).get_data(as_text=True)
    assert f'href="/contractor/{BIN}">ТОО Құрылыс</a>' in facility
    assert client.get("/contractor/000000000000").status_code == 404
    assert client.get("/contractor/not-a-bin").status_code == 404


def test_the_api_s_contractor(client, published):  # noqa: F811
    answer = client.get(f"/api/v1/contractors/{BIN}").get_json()
    assert (answer["bin"], answer["contracted_tiyn"], answer["paid_tiyn"], answer["facility_count"]) == (
        BIN, 150_000, 140_000, 2)
    assert len(answer["lines"]) == 3 and {line["contractor_bin"] for line in answer["lines"]} == {BIN}
    assert client.get("/api/v1/contractors/000000000000").status_code == 404
