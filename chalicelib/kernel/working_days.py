"""Deadlines in working days, as Portuguese administrative law counts them (CPA, art. 87.º): the day
of the event is not counted, weekends and the national and municipal holidays of the deployment's
place are skipped."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from chalicelib.kernel.clock import local_date, today, zone
from chalicelib.kernel.settings import get_settings


@lru_cache(maxsize=8)
def _holiday_calendar(country: str, subdivision: str | None, municipal: date | None) -> Any:
    import holidays

    class Calendar:
        def __init__(self) -> None:
            self._national = holidays.country_holidays(country, subdiv=subdivision)

        def __contains__(self, day: date) -> bool:
            if municipal is not None and (day.month, day.day) == (municipal.month, municipal.day):
                return True
            return day in self._national

    return Calendar()


def is_working_day(day: date) -> bool:
    s = get_settings()
    return day.weekday() < 5 and day not in _holiday_calendar(s.country, s.holidays_subdivision, s.municipal_holiday)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def next_working_day(start: date) -> date:
    return add_working_days(start, 1)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is past."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_left(deadline: date) -> int:
    """Working days from today (in the deployment's place) to ``deadline``; negative once past."""
    return working_days_between(today(), deadline)


# -- moments: the workflow's waits need instants, the law counts days --------------------------------
OFFICE_OPENS = time(9, 0)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the deployment's place: a deadline runs to the end of its day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone()).astimezone(UTC)


def next_working_day_opening(moment: datetime) -> datetime:
    """Opening time of the working day after ``moment``'s (local) day."""
    day = next_working_day(local_date(moment))
    return datetime.combine(day, OFFICE_OPENS, tzinfo=zone()).astimezone(UTC)
