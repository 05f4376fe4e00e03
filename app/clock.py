"""The one source of 'now', so that deadlines and timers can be tested on a moved clock."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

_offset = None  # set by tests and the demo through set_now(); None means the real time


def now() -> datetime:
    real = datetime.now(timezone.utc)
    return real + _offset if _offset is not None else real


def set_now(moment: datetime | None) -> None:
    global _offset
    _offset = None if moment is None else moment - datetime.now(timezone.utc)


def service_zone() -> ZoneInfo:
    from flask import current_app, has_app_context
    name = current_app.config["SERVICE_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(service_zone()) if moment else None
