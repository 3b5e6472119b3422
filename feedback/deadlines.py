"""Response deadlines: working days in the region's calendar.

A working day is Monday to Friday, except the country's public holidays (the ``holidays``
package: Kazakhstan's days off, holidays on a weekend moved to the next working day, and the
government's yearly transfers, which also make some Saturdays or Sundays working days) and the
local ``FEEDBACK_HOLIDAYS``. Pure: no database, no Flask; each country's year is built once.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from feedback.rules import add_working_days


@dataclass(frozen=True)
class YearCalendar:
    days_off: frozenset[dt.date]  # on weekdays or not: holidays, moved holidays, transferred days off
    weekend_workdays: frozenset[dt.date]  # a Saturday or Sunday worked in exchange for a day off


NO_CALENDAR = YearCalendar(frozenset(), frozenset())


@functools.lru_cache(maxsize=128)
def national_calendar(country: str, year: int) -> YearCalendar:
    """One year of a country's calendar (``country`` as in the ``holidays`` package, "KZ").

    Built from the year and the next, because a transfer decreed for January can move a working
    day into the previous December. Empty ``country``: no national holidays. An unknown one
    raises ValueError.
    """
    if not country:
        return NO_CALENDAR
    import holidays  # about 0.2 s to import: only once a deadline is counted

    try:
        calendar = holidays.country_holidays(country, years=(year, year + 1))
    except NotImplementedError as exc:
        raise ValueError(f"{country!r} is not a country the holidays package knows") from exc
    return YearCalendar(days_off=frozenset(day for day in calendar if day.year == year),
                        weekend_workdays=frozenset(day for day in calendar.weekend_workdays if day.year == year))


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long officials have to respond, counted in working days in the region's time zone."""

    working_days: int = 15
    holidays: frozenset[dt.date] = frozenset()  # local days off on top of the country's
    time_zone: str = "Asia/Almaty"
    country: str = "KZ"

    def local_date(self, moment: dt.datetime | str) -> dt.date:
        if isinstance(moment, str):
            moment = dt.datetime.fromisoformat(moment)
        return moment.astimezone(ZoneInfo(self.time_zone)).date()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        calendar = national_calendar(self.country, day.year)
        if day in calendar.weekend_workdays:
            return True
        return day.weekday() < 5 and day not in calendar.days_off

    def deadline_for(self, submitted: dt.datetime) -> dt.date:
        return add_working_days(self.local_date(submitted), self.working_days, working_day=self.is_working_day)
