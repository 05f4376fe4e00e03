"""The complaint ledger (投诉跟踪台账): who may read it, and its filters."""
import re
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from ..clock import service_zone
from ..errors import Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import Complaint, User
from ..roles import DEPARTMENT_ROLES

LEDGER_ROLES = ("customer_dept", "service_manager", "general_manager", "admin")


def _visible(user: User, query):
    if user.has_role(*LEDGER_ROLES):
        return query
    departments = [r for r in user.roles if r in DEPARTMENT_ROLES or r == "technical_supervisor"]
    if not departments:
        raise Forbidden("the complaint ledger is kept by customer relations and the managers")
    roles = departments + (["workshop_supervisor"] if "technical_supervisor" in departments else [])
    return query.where(Complaint.responsible_role.in_(roles))


def month_range(month: str) -> tuple[datetime, datetime]:
    if not re.fullmatch(r"(19|2\d)\d\d-(0[1-9]|1[0-2])", month or ""):
        raise ValidationFailed("bad month", {"month": ["must be YYYY-MM, a year from 1900 to 2999"]})
    year, mon = map(int, month.split("-"))
    start = datetime(year, mon, 1, tzinfo=service_zone())
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def ledger(user: User, status=None, category=None, severity=None, channel=None, month=None,
           responsible=None, q=None, page=1, per_page=50):
    query = _visible(user, select(Complaint))
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
    complaint = db.session.scalar(_visible(user, select(Complaint)).where(Complaint.number == number))
    if complaint is None:
        raise NotFound(f"no complaint {number}")
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
