"""The complaint ledger (投诉跟踪台账): who may read it, and its filters."""
import re
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from ..clock import service_zone
from .. import permissions
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import Complaint, User

READ = "complaints.read_ledger"  # the whole ledger, or a department's own complaints


def month_range(month: str) -> tuple[datetime, datetime]:
    if not re.fullmatch(r"(19|2\d)\d\d-(0[1-9]|1[0-2])", month or ""):
        raise ValidationFailed(N_("bad month"), {"month": [N_("must be YYYY-MM, a year from 1900 to 2999")]})
    year, mon = map(int, month.split("-"))
    start = datetime(year, mon, 1, tzinfo=service_zone())
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def ledger(user: User, status=None, category=None, severity=None, channel=None, month=None,
           responsible=None, q=None, page=1, per_page=50):
    query = permissions.scope(user, READ, select(Complaint))
    for column, value in ((Complaint.status, status), (Complaint.category, category),
                          (Complaint.severity, severity), (Complaint.channel, channel)):
        if value:
            query = query.where(column == value)
    if month:
        start, end = month_range(month)
        query = query.where(Complaint.received_at >= start, Complaint.received_at < end)
    if responsible:
        person = select(User.id).where(User.username == responsible).scalar_subquery()
        query = query.where(or_(Complaint.responsible_role == responsible, Complaint.responsible_user_id == person))
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(or_(*(column.ilike(pattern) for column in (
            Complaint.number, Complaint.customer_name, Complaint.contact_phone, Complaint.vehicle,
            Complaint.description, Complaint.result))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(Complaint.received_at.desc(), Complaint.id.desc())
                              .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def get(user: User, number: str) -> Complaint:
    permissions.require(user, READ)
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    if complaint is None or not permissions.can(user, READ, complaint):
        raise NotFound(N_("no complaint %(number)s", number=number))  # another department's is not shown to exist
    return complaint


COLUMNS = ("number", "instance_id", "received_at", "channel", "customer_name", "contact_phone", "vehicle",
           "description", "customer_request", "category", "severity", "responsible_role", "deadline_at", "status",
           "result", "root_cause", "improvement", "repair_plan", "return_repair", "handling_rounds", "handled_at",
           "send_back_reason", "major_report", "gm_decision", "callback_result", "callback_satisfied",
           "return_callback_result", "closed_at", "source_callback_id")


def as_dict(complaint: Complaint) -> dict:
    row = {name: getattr(complaint, name) for name in COLUMNS}
    row["responsible_person"] = complaint.responsible_user.username if complaint.responsible_user else None
    return row
