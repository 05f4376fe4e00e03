"""Working days of mainland China: statutory holidays and adjusted working weekends (调休)
from the chinese-calendar package for the years it knows; for later years the days an
admin entered (calendar_days); for a year nobody entered, Monday to Friday, with a warning.
An admin's entry also overrides the library (a late-announced change)."""
import logging
from datetime import date, datetime, timedelta

import chinese_calendar
from flask import has_app_context
from sqlalchemy import extract, func, select

from .clock import local, now, service_zone

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _entered_days(first: date, last: date) -> dict[date, bool]:
    if not has_app_context():
        return {}
    from .extensions import db
    from .models import CalendarDay
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_working)
                              .where(CalendarDay.day >= first, CalendarDay.day <= last))
    return {day: working for day, working in rows}


def year_source(year: int) -> str:
    """'admin' (days entered), 'library' (chinese-calendar) or 'weekdays' (Monday to Friday)."""
    if has_app_context():
        from .extensions import db
        from .models import CalendarDay
        if db.session.scalar(select(func.count()).select_from(CalendarDay)
                             .where(extract("year", CalendarDay.day) == year)):
            return "admin"
    return "library" if library_knows(year) else "weekdays"


def _is_working(day: date, entered: dict[date, bool], sources: dict[int, str]) -> bool:
    if day in entered:
        return entered[day]
    if day.year not in sources:
        sources[day.year] = year_source(day.year)
    if sources[day.year] == "library":
        return chinese_calendar.is_workday(day)
    if sources[day.year] == "weekdays" and day.year not in _warned_years:
        _warned_years.add(day.year)
        log.warning("no holiday calendar for %s: counting Monday to Friday as working days "
                    "(an admin can enter the year's holidays)", day.year)
    return day.weekday() < 5


def is_working_day(day: date) -> bool:
    return _is_working(day, _entered_days(day, day), {})


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local clock time on the `days`-th working day after `start`'s day."""
    moment = local(start)
    first = moment.date()
    entered = _entered_days(first, first + timedelta(days=days * 3 + 40))
    sources: dict[int, str] = {}
    day, counted = first, 0
    while counted < days:
        day += timedelta(days=1)
        if _is_working(day, entered, sources):
            counted += 1
    return datetime.combine(day, moment.timetz())


def _parse(value) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=service_zone())


# The functions diagram expressions may call (documented in the README). They run in the
# app's process, also when a script in a worker calls them: each bounds its own arguments.
MAX_WORKING_DAYS = 3660
MAX_DAYS = 36600
MAX_HOURS = MAX_DAYS * 24


def _bounded_days(days, limit: int) -> int:
    count = int(days)
    if abs(count) > limit:
        raise ValueError(f"{count} days is more than the {limit} a diagram may count")
    return count


def working_days(days: int, start=None) -> str:
    count = _bounded_days(days, MAX_WORKING_DAYS)
    return add_working_days(_parse(start) if start else now(), count).isoformat()


def add_days(start, days: int) -> str:
    return (_parse(start) + timedelta(days=_bounded_days(days, MAX_DAYS))).isoformat()


def in_hours(hours: int, start=None) -> str:
    """The moment `hours` clock hours after `start` (now by default): "24 小时内"."""
    count = int(hours)
    if abs(count) > MAX_HOURS:
        raise ValueError(f"{count} hours is more than the {MAX_HOURS} a diagram may count")
    return ((_parse(start) if start else now()) + timedelta(hours=count)).isoformat()


DIAGRAM_FUNCTIONS = {"working_days": working_days, "add_days": add_days, "in_hours": in_hours}
