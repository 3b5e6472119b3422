"""`flask demo load` fills an empty database once, and every page then says it is a demo."""

import re

import sqlalchemy as sa

from core.schema import facilities, versions


def test_demo_load_publishes_once_and_pages_say_demo(runner, engine, client):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "600 facilit(ies), fiscal years 2022, 2023, 2024, 2025, 2026." in first.output
    second = runner.invoke(args=["demo", "load"])
    assert "Data already published; the demo data was not loaded." in second.output
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(versions)).scalar() == 1
        assert connection.execute(sa.select(sa.func.count()).select_from(facilities)).scalar() == 600
        katos = connection.execute(sa.select(facilities.c.district_kato).distinct()).scalars().all()
    assert len(katos) == 17
    for path in ("/", "/facility/TRK-SCH-0001", "/budget-format"):
        html = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Demo data." in html, path
    html = client.get("/?year=2025", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert len(set(re.findall(r'"kato": "(\d{9})"', html))) == 17


def test_real_data_for_every_year_ends_the_demo_notice(runner, client, publish_csv):
    runner.invoke(args=["demo", "load"])
    from tests.helpers import budget_csv

    rows = [f"R{y};А;Б;school;43,297;68,2518;{y};equipment;1;" for y in range(2022, 2027)]
    publish_csv(budget_csv(*rows))
    assert "Demo data." not in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_three_rows_of_2026_update_the_demo_year_and_replacing_it_asks_first(runner, engine, tmp_path):
    """The case that wiped a year before the modes: a 3-row table for 2026 on the demo data."""
    import csv

    from budget.demo.dataset import CSV_PATH
    from budget.preview import published_lines
    from core.versions import latest_version_id

    def lines_2026() -> int:
        with engine.connect() as connection:
            return len(published_lines(connection, latest_version_id(connection), [2026]))

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with open(CSV_PATH, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    year = rows[0].index("fiscal_year")
    three = tmp_path / "three.csv"
    with open(three, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *[row for row in rows[1:] if row[year] == "2026"][:3]])
    before = lines_2026()
    assert before > 100

    updated = runner.invoke(args=["budget", "import", str(three)])
    assert updated.exit_code == 0, updated.output
    assert "REMOVES" not in updated.output and lines_2026() == before
    declined = runner.invoke(args=["budget", "import", str(three), "--replace-years"], input="n\n")
    assert declined.exit_code != 0 and f"REMOVES in 2026: {before - 3} of {before} budget line(s)" in declined.output
    assert lines_2026() == before
    replaced = runner.invoke(args=["budget", "import", str(three), "--replace-years", "--yes"])
    assert replaced.exit_code == 0, replaced.output
    assert lines_2026() == 3
