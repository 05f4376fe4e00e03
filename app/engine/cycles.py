"""Cycle timers (`timeCycle`, an ISO 8601 repeating interval `R[n]/start/period`) that count
calendar months.

SpiffWorkflow 3.2 turns the period into a fixed number of seconds once, counted from the start's
month: `R/2027-01-31T08:00+08:00/P3M` fires on 31 January, then 90 days later (1 May), then 90
days after that (30 July), drifting away from the quarter. Here a period holding months or years
gives each occurrence counted from the start in calendar months, the day clamped to the month's
end (31 January, 30 April, 31 July, 31 October), and a half month (`P0.5M`, a decimal fraction
of the lowest unit, valid ISO 8601) is 15 days after the whole months (1st, 16th, 1st, 16th...).
Periods of days, weeks or hours keep the library's arithmetic. The times follow the engine's
clock (clock.py), since they read `datetime.now` from the library's timer module."""
from calendar import monthrange
from datetime import datetime, timedelta, timezone

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition

HALF_MONTH_DAYS = 15
_library_cycle_complete = CycleTimerEventDefinition.cycle_complete


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` `months` calendar months later, the day clamped to the last of that month."""
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    return moment.replace(year=year, month=month + 1, day=min(moment.day, monthrange(year, month + 1)[1]))


def occurrence(start: datetime, period: str, count: int) -> datetime:
    """The `count`-th occurrence after `start` (0: the start itself) of a calendar `period`."""
    parsed = TimerEventDefinition.parse_iso_duration(period)
    months = count * (parsed.pop("years", 0) * 12 + parsed.pop("months", 0))
    whole = int(months)
    rest = timedelta(**{unit: count * value for unit, value in parsed.items()})
    return add_months(start, whole) + timedelta(days=round((months - whole) * 2 * HALF_MONTH_DAYS)) + rest


def calendar_cycle(expression: str) -> tuple[int, datetime, str] | None:
    """(cycles, start, period) of `R[n]/start/period` whose period counts months or years; None
    for any other interval (left to the library)."""
    parts = str(expression).strip().upper().split("/")
    if len(parts) != 3 or not parts[0].startswith("R") or not parts[2].startswith("P"):
        return None
    try:
        parsed = TimerEventDefinition.parse_iso_duration(parts[2])
        # kept in its own offset: months are counted on the calendar the start was written in
        start = datetime.fromisoformat(parts[1].replace("Z", "+00:00"))
        if start.tzinfo is None:
            start = TimerEventDefinition.get_datetime(parts[1])
        cycles = int(parts[0][1:]) if parts[0][1:] else -1
    except Exception:  # the library's parser raises bare Exceptions: let it report its own
        return None
    if not (parsed.get("months") or parsed.get("years")):
        return None
    return cycles, start, parts[2]


def cycle_complete(self, my_task):
    """True when the next occurrence has passed (the library then runs the cycle's outputs once)."""
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        found = calendar_cycle(expression)
        if found is None:
            return _library_cycle_complete(self, my_task)
        cycles, start, period = found
        event_value = {"cycles": cycles, "next": start.isoformat(), "duration": 0, "start": start.isoformat(),
                       "period": period, "count": 0}
    elif "period" not in event_value:
        return _library_cycle_complete(self, my_task)
    ready = False
    if event_value["cycles"] != 0:
        next_event = datetime.fromisoformat(event_value["next"])
        if next_event < _timer_module.datetime.now(timezone.utc):
            event_value["count"] += 1
            event_value["next"] = occurrence(datetime.fromisoformat(event_value["start"]), event_value["period"],
                                             event_value["count"]).isoformat()
            event_value["cycles"] -= 1
            ready = True
    else:
        my_task.internal_data["event_fired"] = True
    my_task._set_internal_data(event_value=event_value)
    return ready


def apply() -> None:
    CycleTimerEventDefinition.cycle_complete = cycle_complete
