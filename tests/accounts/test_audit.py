"""The audit log's search: filters by action, actor and day, newest first, in pages."""

import datetime as dt

import pytest

from accounts import audit
from core.db import make_engine, upgrade


@pytest.fixture()
def connection(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    upgrade(engine)
    with engine.begin() as connection:
        for day, actor, action in [(1, "aigul", "login"), (1, "Aigul", "publish"), (2, "cli:root", "user_create"),
                                   (3, "bolat", "login"), (3, "bolat_2", "login"), (4, "aigul", "logout")]:
            audit.record(connection, actor, action, at=f"2026-03-0{day}T12:00:00+00:00")
        yield connection
    engine.dispose()


def actors(page):
    return [(e["at"][8:10], e["actor"], e["action"]) for e in page.entries]


def test_everything_newest_first(connection):
    page = audit.search(connection)
    assert page.total == 6 and page.pages == 1
    assert actors(page)[0] == ("04", "aigul", "logout")
    assert audit.actions(connection) == ["login", "logout", "publish", "user_create"]


def test_filters_combine(connection):
    assert actors(audit.search(connection, action="login")) == [
        ("03", "bolat_2", "login"), ("03", "bolat", "login"), ("01", "aigul", "login")]
    assert [a for _, a, _ in actors(audit.search(connection, actor="AIG"))] == ["aigul", "Aigul", "aigul"]
    assert actors(audit.search(connection, actor="aigul", action="login")) == [("01", "aigul", "login")]


def test_actor_filter_is_literal_not_a_pattern(connection):
    assert [a for _, a, _ in actors(audit.search(connection, actor="t_"))] == ["bolat_2"]
    assert audit.search(connection, actor="%").total == 0


def test_days_are_inclusive(connection):
    page = audit.search(connection, since=dt.date(2026, 3, 2), until=dt.date(2026, 3, 3))
    assert [d for d, _, _ in actors(page)] == ["03", "03", "02"]
    assert audit.search(connection, until=dt.date(2026, 3, 1)).total == 2


def test_pages(connection):
    first = audit.search(connection, per_page=4)
    second = audit.search(connection, per_page=4, page=2)
    assert (first.pages, first.has_previous, first.has_next) == (2, False, True)
    assert (len(second.entries), second.has_previous, second.has_next) == (2, True, False)
    assert {e["id"] for e in first.entries}.isdisjoint(e["id"] for e in second.entries)
    assert audit.search(connection, per_page=4, page=99).page == 2
    assert audit.search(connection, per_page=4, page=-3).page == 1
