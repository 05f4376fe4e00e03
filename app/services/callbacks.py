"""The callback log (回访记录): starting a callback from any procedure, who may read the
log, and the list of callbacks due on a day (the clerk's list for the next working day)."""
import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..clock import local, now, service_zone
from .. import permissions
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import Callback, User
from ..workdays import is_working_day
from . import paging, units

STATUSES = ("due", "retry", "scheduled", "completed", "ineffective")
OPEN = ("due", "retry", "scheduled")


def parse_day(value: str) -> date | None:
    """A YYYY-MM-DD calendar date, or None."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def next_working_day(after: date | None = None) -> date:
    day = (after or local(now()).date()) + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


DUE_FIRST = paging.Sort("due", ((Callback.due_at, False), (Callback.id, False)))
NEWEST_FIRST = paging.Sort("-created", ((Callback.created_at, True), (Callback.id, True)))


def log(user: User, status=None, due=None, unit=None, after=None, page=1, per_page=50) -> paging.Page:
    """Callbacks, newest first; with `due` (YYYY-MM-DD) the open ones due that day, earliest first."""
    permissions.require(user, "callbacks.read_log")
    day = parse_day(due) if due else None
    problems = {}
    if status and status not in STATUSES:
        problems["status"] = [N_("one of %(choices)s", choices=", ".join(STATUSES))]
    if due and day is None:
        problems["due"] = [N_("a calendar date YYYY-MM-DD")]
    if problems:
        raise ValidationFailed(N_("bad filters"), problems)
    query = permissions.scope(user, "callbacks.read_log", select(Callback))  # the units the reader sees
    if status:
        query = query.where(Callback.status == status)
    if day:
        start = datetime.combine(day, time(), service_zone())
        query = query.where(Callback.due_at >= start, Callback.due_at < start + timedelta(days=1))
        if not status:
            query = query.where(Callback.status.in_(OPEN))
    parts, narrow = units.narrowed(user, "callbacks.read_log", Callback.unit_id, unit)
    query = query.where(*narrow)
    return paging.paginate(query, DUE_FIRST if day else NEWEST_FIRST, after=after, page=page, per_page=per_page,
                           parts=parts)


def get(user: User, callback_id: int) -> Callback:
    permissions.require(user, "callbacks.read_log")
    callback = db.session.get(Callback, callback_id)
    if callback is None or not permissions.can(user, "callbacks.read_log", callback):  # another unit's: not there
        raise NotFound(N_("no callback %(id)s", id=callback_id))
    return callback


COLUMNS = ("id", "instance_id", "kind", "parent_id", "source", "source_ref", "customer_name", "contact_phone",
           "subject", "repair_summary", "picked_up_at", "deadline_at", "due_at", "status", "attempts", "reached",
           "repair_quality", "service_quality", "satisfied", "remarks", "apology", "complaint_number",
           "completed_at", "preferred_channel", "preferred_call_at", "service_advisor")


def as_dict(callback: Callback, attempts: bool = False) -> dict:
    row = {name: getattr(callback, name) for name in COLUMNS}
    row["effective"] = callback.status == "completed"
    row["completed_by"] = callback.completed_by.username if callback.completed_by else None
    row["unit"] = callback.unit.code if callback.unit else None
    # the text messages to the customer (the apology) and what became of each
    row["texts"] = [{"id": t.id, "purpose": t.purpose, "status": t.status, "channel": t.channel,
                     "attempts": t.attempts, "error": t.last_error, "created_at": t.created_at, "sent_at": t.sent_at}
                    for t in callback.texts]
    if attempts:
        row["attempt_log"] = [{"number": a.number, "attempted_at": a.attempted_at, "reached": a.reached,
                               "remarks": a.remarks, "caller": a.caller.username if a.caller else None}
                              for a in callback.attempt_rows]
    return row
