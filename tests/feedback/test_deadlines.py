"""Deadlines in Kazakhstan's working calendar: public holidays, holidays moved off a weekend,
the government's transfers (a Saturday worked instead), and local days off on top."""

import datetime as dt

import pytest

from feedback.deadlines import DeadlinePolicy, national_calendar
from feedback.settings import deadline_policy

ALMATY_NOON = dt.time(12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))
KZ = DeadlinePolicy()  # the default: Kazakhstan's calendar, 15 working days


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, ALMATY_NOON)


def test_december_feedback_skips_independence_day_new_year_and_christmas():
    # Monday 14 December 2026: 15 working days from Tuesday 15th. Skipped: 16 December
    # (Independence Day; the 17th is a working day since 2022), 1 January, 2 January (a
    # Saturday, moved to Monday 4th), 7 January (Orthodox Christmas).
    assert KZ.deadline_for(at(dt.date(2026, 12, 14))) == dt.date(2027, 1, 8)
    # With weekends alone it would be Monday 4 January.
    assert DeadlinePolicy(country="").deadline_for(at(dt.date(2026, 12, 14))) == dt.date(2027, 1, 4)
    one_day = DeadlinePolicy(working_days=1)
    assert one_day.deadline_for(at(dt.date(2026, 12, 15))) == dt.date(2026, 12, 17)
    assert one_day.deadline_for(at(dt.date(2026, 12, 31))) == dt.date(2027, 1, 5)


def test_independence_day_of_2021_lasted_two_days():
    assert DeadlinePolicy(working_days=1).deadline_for(at(dt.date(2021, 12, 15))) == dt.date(2021, 12, 20)


@pytest.mark.parametrize("submitted, expected", [
    (dt.date(2026, 3, 20), dt.date(2026, 3, 26)),  # Nauryz 21–23 March, the weekend days moved to 24–25
    (dt.date(2026, 3, 6), dt.date(2026, 3, 10)),  # 8 March is a Sunday: Monday 9th is off
    (dt.date(2026, 4, 30), dt.date(2026, 5, 4)),  # 1 May
    (dt.date(2026, 5, 6), dt.date(2026, 5, 8)),  # 7 May, Defender of the Fatherland
    (dt.date(2026, 5, 8), dt.date(2026, 5, 12)),  # 9 May on a Saturday: Monday 11th is off
    (dt.date(2026, 7, 3), dt.date(2026, 7, 7)),  # 6 July, Capital Day
    (dt.date(2026, 10, 23), dt.date(2026, 10, 27)),  # 25 October on a Sunday: Monday 26th is off
])
def test_kazakhstan_holidays_are_not_working_days(submitted, expected):
    assert DeadlinePolicy(working_days=1).deadline_for(at(submitted)) == expected


def test_a_transferred_day_off_and_the_saturday_worked_instead():
    # 2022: Monday 7 March was a day off in exchange for Saturday 5 March.
    policy = DeadlinePolicy(working_days=1)
    assert not policy.is_working_day(dt.date(2022, 3, 7))
    assert policy.is_working_day(dt.date(2022, 3, 5))
    assert policy.deadline_for(at(dt.date(2022, 3, 4))) == dt.date(2022, 3, 5)
    # 2025: Friday 3 January off, Sunday 5 January worked.
    assert policy.deadline_for(at(dt.date(2025, 1, 2))) == dt.date(2025, 1, 5)
    assert national_calendar("KZ", 2025).weekend_workdays == {dt.date(2025, 1, 5)}


def test_local_holidays_add_to_the_country_and_override_a_worked_saturday():
    local = DeadlinePolicy(working_days=1, holidays=frozenset({dt.date(2026, 12, 17), dt.date(2022, 3, 5)}))
    assert local.deadline_for(at(dt.date(2026, 12, 15))) == dt.date(2026, 12, 18)
    assert local.deadline_for(at(dt.date(2022, 3, 4))) == dt.date(2022, 3, 9)


def test_each_year_is_built_once():
    national_calendar.cache_clear()
    for day in range(1, 29):
        KZ.is_working_day(dt.date(2026, 2, day))
    KZ.is_working_day(dt.date(2027, 2, 1))
    info = national_calendar.cache_info()
    assert (info.misses, info.hits) == (2, 27)


def test_settings_build_the_policy_and_refuse_an_unknown_country():
    config = {"TIME_ZONE": "Asia/Almaty", "FEEDBACK_DEADLINE_WORKING_DAYS": 15,
              "FEEDBACK_HOLIDAYS": ("2026-06-05",), "FEEDBACK_HOLIDAYS_COUNTRY": "kz"}
    policy = deadline_policy(config)
    assert (policy.country, policy.holidays) == ("KZ", frozenset({dt.date(2026, 6, 5)}))
    assert deadline_policy({**config, "FEEDBACK_HOLIDAYS_COUNTRY": ""}).is_working_day(dt.date(2026, 12, 16))
    with pytest.raises(ValueError, match="XX"):
        deadline_policy({**config, "FEEDBACK_HOLIDAYS_COUNTRY": "XX"})
