"""The register of quality complaints (质量投诉, 8D): taking one in directly (the customer
department or quality assurance), the register with its filters, one complaint with its 8D report
and the case's attachments."""
from sqlalchemy import or_, select

from .. import permissions
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import ProcessInstance, QualityComplaint, User
from ..models.quality_complaints import EIGHT_D
from . import casefiles, instances, paging, units

PROCEDURE = "quality_complaint"
READ = "quality_complaints.read"
STATUSES = ("response", "onsite", "temporary", "permanent", "report", "effect_check", "clarifying", "closed")
CLOSURES = ("satisfied", "clarified", "dispute")
FILTERS = ("status", "closure_type", "complaint_number", "q", "unit")


def open_complaint(user: User, data, unit=None) -> ProcessInstance:
    """A quality complaint taken in directly: the start form of the procedure, by the customer
    department or quality assurance (a complaint's diagram starts one through its handler, of the
    complaint's unit), for the taker's unit or, by its code, one below it they see."""
    permissions.require(user, "quality_complaints.open")
    return instances.start_for(user, PROCEDURE, data, unit_id=instances.unit_for(user, unit))


NEWEST_FIRST = paging.Sort("-received", ((QualityComplaint.received_at, True), (QualityComplaint.id, True)))


def register(user: User, status=None, closure_type=None, complaint_number=None, q=None, unit=None, after=None, page=1,
             per_page=50) -> paging.Page:
    permissions.require(user, READ)
    problems = {}
    if status and status not in STATUSES:
        problems["status"] = [N_("one of %(choices)s", choices=", ".join(STATUSES))]
    if closure_type and closure_type not in CLOSURES:
        problems["closure_type"] = [N_("one of %(choices)s", choices=", ".join(CLOSURES))]
    if problems:
        raise ValidationFailed(N_("bad filters"), problems)
    query = permissions.scope(user, READ, select(QualityComplaint))  # the units the reader sees
    if status:
        query = query.where(QualityComplaint.status == status)
    if closure_type:
        query = query.where(QualityComplaint.closure_type == closure_type)
    if complaint_number:
        query = query.where(QualityComplaint.complaint_number == complaint_number.strip().upper())
    if q and q.strip():
        like = f"%{q.strip()[:100].replace('%', '').replace('_', '')}%"
        query = query.where(or_(QualityComplaint.number.ilike(like), QualityComplaint.customer_name.ilike(like),
                                QualityComplaint.product.ilike(like), QualityComplaint.description.ilike(like)))
    parts, narrow = units.narrowed(user, READ, QualityComplaint.unit_id, unit)
    query = query.where(*narrow)
    return paging.paginate(query, NEWEST_FIRST, after=after, page=page, per_page=per_page, parts=parts)


def get(user: User, number: str) -> QualityComplaint:
    permissions.require(user, READ)
    found = db.session.scalar(select(QualityComplaint).where(QualityComplaint.number == number))
    if found is None or permissions.hidden(user, READ, found):  # another unit's is not shown to exist
        raise NotFound(N_("no quality complaint %(number)s", number=number))
    return found


COLUMNS = ("id", "number", "instance_id", "complaint_number", "received_at", "customer_name", "contact_person",
           "contact_phone", "product", "batch_number", "description", "customer_request", "status", "round",
           "onsite_due_at", "temporary_due_at", "permanent_due_at", "onsite_needed", "response", "onsite_at",
           "onsite_findings", "temporary_measure", "temporary_done_at", "root_cause", "permanent_measure",
           "mould_change", "permanent_done_at", *EIGHT_D, "report_at", "effect", "effect_remarks",
           "clarification_remarks", "misses", "closure_type", "closed_at", "created_at")


def as_dict(record: QualityComplaint, user: User | None = None) -> dict:
    """The row; with `user`, also the case's attachments (the 8D report's files) that user may read."""
    row = {name: getattr(record, name) for name in COLUMNS}
    row["created_by"] = record.created_by.username if record.created_by else None
    row["unit"] = record.unit.code if record.unit else None
    if user is not None:
        row["attachments"] = attachments(user, record)
    return row


def attachments(user: User, record: QualityComplaint) -> list[dict]:
    if record.instance_id is None or not permissions.can(user, "instances.read",
                                                         db.session.get(ProcessInstance, record.instance_id)):
        return []
    return [{"id": a.id, "file_name": a.file_name, "content_type": a.content_type, "size": a.size,
             "uploaded_at": a.uploaded_at} for a in casefiles.attachments(user, record.instance_id)]
