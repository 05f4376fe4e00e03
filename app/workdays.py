"""Working days of mainland China: statutory holidays and adjusted working weekends (调休)
from the chinese-calendar package for the years it knows; for later years the days an
admin entered (calendar_days); for a year nobody entered, Monday to Friday, with a warning.
An admin's entry also overrides the library (a late-announced change)."""
import logging
import time
from datetime import date, datetime, timedelta

import chinese_calendar
from flask import current_app, has_app_context
from sqlalchemy import select

from .clock import local, now, service_zone

log = logging.getLogger(__name__)
_warned_years: set[int] = set()
_CACHE = "calendar_days"  # in app.extensions: year -> (good until, monotonic clock; entered days)


def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _year_days(year: int) -> dict[date, bool]:
    """The days an admin entered for `year`: read once per CALENDAR_CACHE_SECONDS per worker and
    database (each app keeps its own), forgotten at once when this worker changes a day
    (forget_entered_days). A deadline is computed on every task that opens: the calendar,
    which changes a few times a year, is not read each time. Another worker sees a change
    within CALENDAR_CACHE_SECONDS: a short life needs no shared counter read per request."""
    kept = current_app.extensions.setdefault(_CACHE, {})
    found = kept.get(year)
    if found is not None and found[0] > time.monotonic():
        return found[1]
    from .extensions import db
    from .models import CalendarDay
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_working)
                              .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))
    days = {day: working for day, working in rows}
    kept[year] = (time.monotonic() + current_app.config.get("CALENDAR_CACHE_SECONDS", 60), days)
    return days


def forget_entered_days() -> None:
    """An admin changed a day: this worker reads the calendar again (services/calendar.py)."""
    current_app.extensions[_CACHE] = {}


def _entered_days(first: date, last: date) -> dict[date, bool]:
    if not has_app_context():
        return {}
    entered = {}
    for year in range(first.year, last.year + 1):
        entered.update((day, working) for day, working in _year_days(year).items() if first <= day <= last)
    return entered


def year_source(year: int) -> str:
    """'admin' (days entered), 'library' (chinese-calendar) or 'weekdays' (Monday to Friday)."""
    if has_app_context() and _year_days(year):
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


def weekly_on(weekday: int, hour: int = 9) -> str:
    """A cycle timer's interval firing every week on `weekday` (Monday 0 ... Sunday 6) at `hour`
    local time, from the next such moment on: "每周三" is weekly_on(2)."""
    day, at = int(weekday), int(hour)
    if not (0 <= day <= 6 and 0 <= at <= 23):
        raise ValueError(f"weekly_on({weekday}, {hour}): a weekday is 0-6 and an hour 0-23")
    moment = now().astimezone(service_zone())
    first = (moment + timedelta(days=(day - moment.weekday()) % 7)).replace(hour=at, minute=0, second=0, microsecond=0)
    if first <= moment:
        first += timedelta(days=7)
    return f"R/{first.isoformat()}/P7D"


DIAGRAM_FUNCTIONS = {"working_days": working_days, "add_days": add_days, "in_hours": in_hours, "weekly_on": weekly_on}
