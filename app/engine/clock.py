"""SpiffWorkflow reads the time for its timers with datetime.now(); the engine's timers
must follow the service's clock instead (so that a moved clock in tests, or a clock set
for a demo, moves the timers too). This is the one place that redirects it."""
from datetime import datetime, timezone
from typing import Callable

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

_now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # noqa: E731


class _EngineDateTime(datetime):
    @classmethod
    def now(cls, tz=None):
        moment = _now()
        return moment.astimezone(tz) if tz else moment.astimezone().replace(tzinfo=None)


def use_clock(now: Callable[[], datetime]) -> None:
    """Make the engine's timers read `now()` (an aware datetime)."""
    global _now
    _now = now
    _timer_module.datetime = _EngineDateTime
