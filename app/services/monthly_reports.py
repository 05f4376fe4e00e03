"""The monthly report as a procedure (月度报告, processes/monthly_report.bpmn).

Started for the month before on the 1st of each month by the timer runner (`start_due`, each
pass; nothing starts without a deployed `monthly_report` procedure or with
MONTHLY_REPORT_AUTOSTART off), or by an admin for a month that has none (`admin_start`). A month
is started once: the instance's first step writes the month's row, whose key is the month, so a
second runner or a second pass finds it (or fails on the insert, in a savepoint, and moves on).

Until the group's supervisor signs, the report of a month is live (its figures as they stand,
marked 草稿 draft); at that signature it is rendered in every format and stored (`render_all`,
called by the procedure's freeze step), and from then on the page and the API serve the stored
files (`frozen_file`), whatever later changes to the records."""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .. import permissions, report_files
from ..clock import local, now
from ..engine import EngineError
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..handlers.monthly_report import report_key
from ..i18n import N_
from ..models import MonthlyReport, ProcessInstance, ReportFile
from ..roles import ROLES
from . import deployments, instances, kpis, reports, units
from .complaints import month_range

PROCESS_KEY = "monthly_report"
# state of a month's report: (key, English, 中文)
STATES = {"none": ("Not started", "未开始"), "in_progress": ("In progress: the customer department reviews", "进行中：客户部审阅"),
          "signing": ("Waiting for signatures", "待签字"), "signed": ("Signed", "已签发")}
_started: dict[str, str] = {}  # database URL -> the last month known started (no query each pass)


def previous_month() -> str:
    """The month before today's (service time zone): the one a report is due for."""
    first = local(now()).replace(day=1)
    year, mon = (first.year - 1, 12) if first.month == 1 else (first.year, first.month - 1)
    return f"{year:04d}-{mon:02d}"


def _check_month(month: str) -> None:
    start, end = month_range(month)
    if now() < end:
        raise ValidationFailed(N_("the month is not over"),
                               {"month": [N_("the report of a month starts once the month is over")]})


def start_for_month(month: str, actor_id: int | None = None) -> ProcessInstance | None:
    """The month's report procedure, started now; None when the month has one already (found
    here, or written meanwhile by another runner: its insert fails in a savepoint)."""
    _check_month(month)
    if db.session.get(MonthlyReport, month) is not None:
        return None
    try:
        with db.session.begin_nested():
            # the group's procedure: its case and tasks are the group's unit (a branch does not see them)
            instance = instances.start_internal(PROCESS_KEY, {"month": month}, actor_id, units.root_id())
    except (EngineError, SQLAlchemyError) as err:
        if db.session.scalar(select(MonthlyReport.month).where(MonthlyReport.month == month)) is not None:
            return None  # another runner was first
        raise Conflict(N_("the monthly report of %(month)s could not start: %(reason)s", month=month,
                          reason=str(err)[:300])) from None
    return instance


def start_due() -> ProcessInstance | None:
    """The timer runner's look at the calendar: the month before today's gets its report (the
    1st; later when the runner was down on the 1st). Cheap when nothing is due: the month known
    started is remembered per database."""
    if not current_app.config.get("MONTHLY_REPORT_AUTOSTART", True):
        return None
    month, where = previous_month(), str(db.engine.url)
    if _started.get(where) == month:
        return None
    if deployments.latest_version(PROCESS_KEY, required=False) is None:
        return None
    if db.session.get(MonthlyReport, month) is None:
        instance = start_for_month(month)
        if instance is not None:
            current_app.logger.info("monthly report %s started (instance %s)", report_key(month), instance.id)
            return instance
    _started[where] = month
    return None


def admin_start(user, month: str) -> ProcessInstance:
    """An admin starts the report of a month that is over and has none (or whose procedure an admin
    cancelled before it was signed)."""
    permissions.require(user, "reports.start")
    existing = db.session.get(MonthlyReport, month) if isinstance(month, str) and len(month) == 7 else None
    if existing is not None and existing.status != "signed" and \
            db.session.get(ProcessInstance, existing.instance_id).status == "cancelled":
        db.session.delete(existing)  # a cancelled month's report starts afresh (the runner never restarts one)
        db.session.flush()
        existing = None
    if existing is None:
        instance = start_for_month(month, user.id)
        if instance is not None:
            return instance
        existing = db.session.get(MonthlyReport, month)
    raise Conflict(N_("the monthly report of %(month)s is already under way (%(key)s)", month=month,
                      key=existing.business_key if existing else report_key(month)))


# ----------------------------------------------------------------------------- reading
def _person(user) -> dict | None:
    return {"username": user.username, "display_name": user.display_name} if user else None


def _when(moment) -> str | None:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def summary(month: str) -> dict:
    """Where the month's report stands: its state (none, in_progress, signing, signed), the
    analysis, who submitted and who signed when, and the stored files."""
    row = db.session.get(MonthlyReport, month)
    if row is None:
        return {"month": month, "state": "none", "state_label": STATES["none"], "business_key": None,
                "instance_id": None, "due_at": None, "analysis": None, "improvements": None, "submitted": None,
                "send_back_reason": None, "signatures": [], "files": []}
    signatures = []
    for role, who, at in (("general_manager", row.gm_signed_by, row.gm_signed_at),
                          ("group_supervisor", row.group_signed_by, row.group_signed_at)):
        if who is not None:
            signatures.append({"role": role, "role_label": ROLES[role], "person": _person(who), "at": _when(at)})
    files = db.session.execute(select(ReportFile.format, ReportFile.sha256, ReportFile.size, ReportFile.file_name,
                                      ReportFile.created_at).where(ReportFile.month == month)
                               .order_by(ReportFile.format)).all()
    return {"month": month, "state": row.status, "state_label": STATES.get(row.status, (row.status, row.status)),
            "business_key": row.business_key, "instance_id": row.instance_id, "due_at": _when(row.due_at),
            "analysis": row.analysis, "improvements": row.improvements,
            "submitted": {"person": _person(row.submitted_by), "at": _when(row.submitted_at)}
            if row.submitted_at else None, "send_back_reason": row.send_back_reason,
            "signatures": signatures,
            "files": [{"format": f.format, "sha256": f.sha256, "size": f.size, "file_name": f.file_name,
                       "stored_at": _when(f.created_at)} for f in files]}


def report_of(month: str, units: list[int] | None = None, unit: str | None = None) -> dict:
    """The month's figures (services/reports.build; of `units` when given) with where its procedure
    stands: draft until signed."""
    report = reports.build(month, units, unit)
    report["procedure"] = summary(month)
    report["draft"] = report["procedure"]["state"] != "signed"
    return report


def live(user, month: str, unit: str | None = None) -> dict:
    """The report as it stands now, for a reader (a signed month is served from its stored files):
    of every unit, or of the unit coded `unit` (and those below it); a branch's reader reads their
    branch's."""
    permissions.require(user, "reports.read")
    chosen, units = kpis.units_asked(user, unit, "reports.read")
    return report_of(month, units, chosen.code if chosen else (user.unit.code if units is not None and user.unit
                                                                else None))


def status(user, month: str) -> dict:
    permissions.require(user, "reports.read")
    month_range(month)
    return summary(month)


def frozen_file(user, month: str, fmt: str, unit: str | None = None) -> ReportFile | None:
    """The stored file of a signed month in `fmt`, or None (not signed, or a unit's report asked
    for or the only one the reader reads: the live report is rendered)."""
    permissions.require(user, "reports.read")
    month_range(month)
    if kpis.units_asked(user, unit, "reports.read")[1] is not None:
        return None  # the signed report is the group's
    return db.session.scalar(select(ReportFile).where(ReportFile.month == month, ReportFile.format == fmt))


def render_all(month: str) -> dict:
    """Every format of the month's report as it stands (the freeze step stores them):
    {format: (bytes, media type, file name)}."""
    report = report_of(month)
    rendered = {}
    for fmt in report_files.FORMATS:
        content, media_type, file_name = report_files.render(report, fmt)
        rendered[fmt] = (content.encode("utf-8") if isinstance(content, str) else content, media_type, file_name)
    return rendered


def shown_by_task(open_task) -> dict | None:
    """The report a task's page shows above its form: the month the case holds under the path its
    diagram element names (`report_from`), as it stands now; None for a task that shows none. The
    reader may read the task (checked by whoever loaded it)."""
    if open_task is None:
        return None
    instance = open_task.instance
    path = deployments.facts(instance.version).task(open_task.task_name).report_from
    if not path:
        return None
    value = instance.data or {}
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    try:
        month_range(value if isinstance(value, str) else "")
    except ValidationFailed:
        return None
    return report_of(value)
