"""The one source of 'now', so that deadlines and timers can be tested on a moved clock."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

_offset = None  # set by tests and the demo through set_now(); None means the real time
# A further shift seen only by the code running in this context (a dry run moving its own time).
_shift: ContextVar[timedelta] = ContextVar("clock_shift", default=timedelta(0))


def now() -> datetime:
    real = datetime.now(timezone.utc)
    return (real + _offset if _offset is not None else real) + _shift.get()


@contextmanager
def own_time():
    """Inside: `move(delta)` moves now() forward for this context alone (not for other requests)."""
    token = _shift.set(_shift.get())

    def move(delta: timedelta) -> None:
        _shift.set(_shift.get() + delta)
    try:
        yield move
    finally:
        _shift.reset(token)


def set_now(moment: datetime | None) -> None:
    global _offset
    _offset = None if moment is None else moment - datetime.now(timezone.utc)


def service_zone() -> ZoneInfo:
    from flask import current_app, has_app_context
    name = current_app.config["SERVICE_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(service_zone()) if moment else None
