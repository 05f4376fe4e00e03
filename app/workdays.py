"""Working days of the mainland-China calendar (statutory holidays and adjusted working
weekends), from the chinese-calendar package for the years it knows, Monday to Friday
with a logged warning for the years it does not know yet."""
import logging
from datetime import date, datetime, timedelta

import chinese_calendar

from .clock import local, now, service_zone

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no holiday calendar for %s: counting Monday to Friday as working days", day.year)
        return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local clock time on the `days`-th working day after `start`'s day."""
    moment = local(start)
    day, counted = moment.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, moment.timetz())


def _parse(value) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=service_zone())


# The functions diagram expressions may call (documented in the README).
def working_days(days: int, start=None) -> str:
    return add_working_days(_parse(start) if start else now(), int(days)).isoformat()


def add_days(start, days: int) -> str:
    return (_parse(start) + timedelta(days=int(days))).isoformat()


DIAGRAM_FUNCTIONS = {"working_days": working_days, "add_days": add_days}
