"""Reading the overdue records: managers see everyone's, staff their own."""
from sqlalchemy import select

from .. import permissions
from ..models import OverdueRecord, User
from . import paging, units
from .complaints import month_range

NEWEST_FIRST = paging.Sort("-recorded", ((OverdueRecord.recorded_at, True), (OverdueRecord.id, True)))


def records(user: User, month=None, person=None, unit=None, after=None, page=1, per_page=50) -> paging.Page:
    query = permissions.scope(user, "overdue.read", select(OverdueRecord))  # managers: everyone's
    if month:
        month_range(month)  # validates YYYY-MM
        query = query.where(OverdueRecord.month == month)
    if person:
        query = query.where(OverdueRecord.person_id == select(User.id).where(User.username == person).scalar_subquery())
    parts, narrow = units.narrowed(user, "overdue.read", OverdueRecord.unit_id, unit) if unit else (None, [])
    return paging.paginate(query.where(*narrow), NEWEST_FIRST, after=after, page=page, per_page=per_page, parts=parts)


def as_dict(record: OverdueRecord) -> dict:
    return {"id": record.id, "month": record.month, "person": record.person.username if record.person else None,
            "role": record.role, "process_key": record.process_key, "instance_id": record.instance_id,
            "business_key": record.business_key, "task": record.task_name, "deadline_at": record.deadline_at,
            "recorded_at": record.recorded_at, "miss_in_month": record.miss_in_month}
