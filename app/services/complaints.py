"""The complaint ledger (投诉跟踪台账): who may read it, and its filters."""
import re
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from ..clock import service_zone
from .. import permissions
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_, status_pair
from ..forms import choice_label
from ..models import Complaint, QualityComplaint, User
from ..roles import role_label
from . import deployments, exports, paging, search

READ = "complaints.read_ledger"  # the whole ledger, or a department's own complaints


def month_range(month: str) -> tuple[datetime, datetime]:
    if not re.fullmatch(r"2\d\d\d-(0[1-9]|1[0-2])", month or ""):
        raise ValidationFailed(N_("bad month"), {"month": [N_("must be YYYY-MM, a year from 2000 to 2999")]})
    year, mon = map(int, month.split("-"))
    start = datetime(year, mon, 1, tzinfo=service_zone())
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


SORTS = {name: paging.Sort(name, keys) for name, keys in {
    "number": ((Complaint.number, False), (Complaint.id, False)),
    "-number": ((Complaint.number, True), (Complaint.id, True)),
    "received": ((Complaint.received_at, False), (Complaint.id, False)),
    "-received": ((Complaint.received_at, True), (Complaint.id, True)),
    "deadline": ((Complaint.deadline_at, False), (Complaint.id, False)),
    "-deadline": ((Complaint.deadline_at, True), (Complaint.id, True)),
}.items()}
STATUSES = ("registered", "assigned", "escalated", "awaiting_confirmation", "sent_back", "awaiting_callback",
            "rehandling", "awaiting_close", "closed")  # a complaint's, in the order of the procedure
FILTERS = ("status", "category", "severity", "channel", "month", "responsible", "q")
EXPORT_LIMIT = 50_000
EXPORT_CUT = "Only the first {limit} rows are exported: narrow the filters."  # the note heading a cut file


def _filtered(user: User, status=None, category=None, severity=None, channel=None, month=None,
              responsible=None, q=None):
    """The ledger's rows as filtered, and the parts one of which a row must meet (or None): a
    responsible party is a department or a person, each read through its own index."""
    query = permissions.scope(user, READ, select(Complaint))
    for column, value in ((Complaint.status, status), (Complaint.category, category),
                          (Complaint.severity, severity), (Complaint.channel, channel)):
        if value:
            query = query.where(column == value)
    if month:
        start, end = month_range(month)
        query = query.where(Complaint.received_at >= start, Complaint.received_at < end)
    if q and q.strip():
        query = query.where(search.matching(Complaint, q))
    parts = None
    if responsible:
        person = select(User.id).where(User.username == responsible).scalar_subquery()
        parts = [Complaint.responsible_role == responsible, Complaint.responsible_user_id == person]
    units = permissions.unit_parts(user, READ, Complaint.unit_id)  # a branch with dealers: each unit's range
    if units:
        parts = [and_(unit, part) for unit in units for part in parts] if parts else units
    return query, parts


def _sort(sort: str) -> paging.Sort:
    if sort not in SORTS:
        raise ValidationFailed(N_("bad sort"), {"sort": [N_("must be one of %(choices)s", choices=", ".join(SORTS))]})
    return SORTS[sort]


def ledger(user: User, sort="-received", after=None, page=1, per_page=50, **filters) -> paging.Page:
    query, parts = _filtered(user, **filters)
    return paging.paginate(query, _sort(sort), after=after, page=page, per_page=per_page, parts=parts)


EXPORT_COLUMNS = {  # column -> (English, Chinese) header
    "number": ("Number", "编号"), "received_at": ("Received", "受理时间"), "channel": ("Channel", "投诉渠道"),
    "customer_name": ("Customer", "客户姓名"), "contact_phone": ("Phone", "联系电话"),
    "vehicle": ("Vehicle or product", "车辆/产品"), "description": ("Description", "投诉内容"),
    "category": ("Category", "投诉类别"), "severity": ("Severity", "严重程度"),
    "responsible_role": ("Responsible department", "责任部门"), "responsible_person": ("Responsible person", "责任人"),
    "deadline_at": ("Deadline", "处理期限"), "status": ("Status", "状态"), "result": ("Result", "处理结果"),
    "handling_rounds": ("Handling rounds", "处理轮次"), "callback_result": ("Callback", "回访结果"),
    "closed_at": ("Closed", "结案时间"), "unit_name": ("Organisation unit", "组织机构")}


def _cell(key: str, value, lang: str, forms: dict):
    """A value as the page shows it: choices (as `forms` label them), roles and statuses by their labels."""
    if key in ("channel", "category", "severity"):
        return choice_label(key, value, lang, forms)
    if key == "responsible_role" and value:
        return role_label(value, lang)
    if key == "status":
        en, zh = status_pair(value)
        return en if lang == "en" else zh
    return value


def export_file(user: User, fmt: str, lang: str, cut_note: str, sort="-received", limit=EXPORT_LIMIT,
                **filters) -> tuple[bytes, bool]:
    """The filtered ledger as a CSV or XLSX file of at most `limit` rows (cut_note, EXPORT_CUT in
    the reader's language, heads a cut one), and whether it was cut."""
    if fmt not in exports.FORMATS:
        raise ValidationFailed(N_("bad format"), {"format": [N_("must be one of %(choices)s", choices=", ".join(exports.FORMATS))]})
    query, parts = _filtered(user, **filters)
    rows, cut = paging.bounded(query.where(or_(*parts)) if parts else query, _sort(sort), limit)
    forms = deployments.current_forms()
    table = [[_cell(key, row[key], lang, forms) for key in EXPORT_COLUMNS] for row in map(as_dict, rows)]
    headers = [en if lang == "en" else zh for en, zh in EXPORT_COLUMNS.values()]
    return exports.render(fmt, "complaints", headers, table, cut_note.format(limit=limit) if cut else None), cut


def get(user: User, number: str) -> Complaint:
    permissions.require(user, READ)
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == number))
    if complaint is None or not permissions.can(user, READ, complaint):
        raise NotFound(N_("no complaint %(number)s", number=number))  # another department's is not shown to exist
    return complaint


def quality_complaint_number(complaint: Complaint) -> str | None:
    """The number of the quality complaint (8D) linked to the complaint: the one its procedure started
    for a product-quality complaint (or the first registered naming it), None when there is none."""
    return db.session.scalar(select(QualityComplaint.number).where(QualityComplaint.complaint_number == complaint.number)
                             .order_by(QualityComplaint.id).limit(1))


COLUMNS = ("number", "instance_id", "received_at", "channel", "customer_name", "contact_phone", "vehicle",
           "description", "customer_request", "category", "severity", "responsible_role", "deadline_at", "status",
           "result", "root_cause", "improvement", "repair_plan", "return_repair", "handling_rounds", "handled_at",
           "send_back_reason", "major_report", "gm_decision", "callback_result", "callback_satisfied",
           "return_callback_result", "closed_at", "source_callback_id", "first_deadline_at", "first_handled_at",
           "closure_type")


def as_dict(complaint: Complaint) -> dict:
    row = {name: getattr(complaint, name) for name in COLUMNS}
    row["responsible_person"] = complaint.responsible_user.username if complaint.responsible_user else None
    row["unit"] = complaint.unit.code if complaint.unit else None
    row["unit_name"] = complaint.unit.name if complaint.unit else None
    return row
