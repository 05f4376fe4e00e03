"""Handlers of the monthly report procedure (月度报告, processes/monthly_report.bpmn): the month's
row (its key makes a second start of the same month fail), the customer department's analysis,
the late analysis (an overdue record, which proposes the penalty), the two signatures or a
send-back, and the report frozen at the last signature: rendered in every format and stored."""
import hashlib
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from ..clock import service_zone
from ..extensions import db
from ..i18n import N_
from ..models import MonthlyReport, ProcessInstance, ReportFile
from ..workdays import add_working_days
from . import HandlerContext, HandlerError, handler
from .overdue import record_miss

SUBMIT_BY_DAY = 8  # the analysis is due by the end of the 8th of the next month (domain.md)
RESUBMIT_DAYS = 2  # a report sent back is due again this many working days later
MONTH = re.compile(r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$")
# the texts the procedure's forms name (validators, pattern errors), for the catalogue
N_("say why the report goes back"), N_("a month as YYYY-MM, such as 2026-11")


def report_key(month: str) -> str:
    """The business key of a month's report: RPT-YYYYMM."""
    return "RPT-" + month.replace("-", "")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[first day 00:00, first day of the next month 00:00) in the service time zone."""
    year, mon = map(int, month.split("-"))
    start = datetime(year, mon, 1, tzinfo=service_zone())
    return start, (start + timedelta(days=32)).replace(day=1)


def submit_due(month: str) -> datetime:
    """The end of the 8th of the month after `month` (23:59:59, service time zone)."""
    return month_bounds(month)[1].replace(day=SUBMIT_BY_DAY, hour=23, minute=59, second=59)


def _report(ctx: HandlerContext) -> MonthlyReport:
    found = db.session.scalar(select(MonthlyReport).where(MonthlyReport.instance_id == ctx.instance_id))
    if found is None:
        raise HandlerError(f"instance {ctx.instance_id} has no monthly report")
    return found


@handler("monthly_report.open",
         summary=N_("Opens the month's report (one per month, RPT-YYYYMM) with its deadline, the 8th of the next month"),
         returns=N_("the time the customer department's analysis is due (review_due)"))
def open_report(ctx: HandlerContext) -> str:
    month = ctx.data.get("month")
    if not isinstance(month, str) or not MONTH.match(month):
        raise HandlerError(f"not a month: {month!r}")
    if ctx.now < month_bounds(month)[1]:
        raise HandlerError(f"the month {month} is not over: its report cannot start yet")
    existing = db.session.get(MonthlyReport, month)
    if existing is not None:
        raise HandlerError(f"the report of {month} is already under way ({existing.business_key})")
    due = submit_due(month)
    # The month is the key: a second runner starting the same month at once fails here, on the insert.
    db.session.add(MonthlyReport(month=month, business_key=report_key(month), instance_id=ctx.instance_id,
                                 status="in_progress", due_at=due, started_at=ctx.now))
    db.session.get(ProcessInstance, ctx.instance_id).business_key = report_key(month)
    db.session.flush()
    return due.isoformat()


@handler("monthly_report.submit",
         summary=N_("Keeps the customer department's analysis and improvement proposals; the report waits for the signatures"),
         returns=N_("true once the analysis is kept"))
def submit(ctx: HandlerContext) -> bool:
    report = _report(ctx)
    report.analysis, report.improvements = ctx.data.get("analysis"), ctx.data.get("improvements")
    report.submitted_by_id, report.submitted_at, report.status = ctx.actor_id, ctx.now, "signing"
    report.gm_signed_by_id = report.gm_signed_at = report.group_signed_by_id = report.group_signed_at = None
    db.session.flush()
    return True


@handler("monthly_report.record_late",
         summary=N_("The analysis is late: writes the holder's overdue record, which proposes the penalty"),
         returns=N_("the miss: person, role, month and whether it is the third this month"))
def record_late(ctx: HandlerContext) -> dict:
    """Recorded against whoever holds a task the diagram says is due by review_due (its due_from)."""
    deadline = datetime.fromisoformat(ctx.data["review_due"])
    return record_miss(ctx, ctx.tasks_due_by("review_due"), deadline, fallback_role="customer_dept",
                       fallback_task="monthly report analysis")


def _decide(ctx: HandlerContext, signer: str) -> str:
    """A signature, or a send-back to the customer department (every signature given so far
    lapses: the report changes); returns the analysis's due time for the next round."""
    report = _report(ctx)
    if ctx.data.get("decision") == "sign":
        setattr(report, f"{signer}_signed_by_id", ctx.actor_id)
        setattr(report, f"{signer}_signed_at", ctx.now)
        db.session.flush()
        return ctx.data["review_due"]
    report.status, report.send_back_reason = "in_progress", ctx.data.get("send_back_reason") or ""
    report.gm_signed_by_id = report.gm_signed_at = report.group_signed_by_id = report.group_signed_at = None
    db.session.flush()
    return add_working_days(ctx.now, RESUBMIT_DAYS).isoformat()


@handler("monthly_report.general_manager_decision",
         summary=N_("Records the general manager's signature, or the report sent back with the reason"),
         returns=N_("the time the analysis is due (a new one after a send-back)"))
def general_manager_decision(ctx: HandlerContext) -> str:
    return _decide(ctx, "gm")


@handler("monthly_report.group_supervisor_decision",
         summary=N_("Records the group supervisor's signature, or the report sent back with the reason"),
         returns=N_("the time the analysis is due (a new one after a send-back)"))
def group_supervisor_decision(ctx: HandlerContext) -> str:
    return _decide(ctx, "group")


@handler("monthly_report.freeze",
         summary=N_("Freezes the signed report: renders it as HTML, XLSX and PDF and stores the files"),
         returns=N_("each format's sha256"))
def freeze(ctx: HandlerContext) -> dict:
    report = _report(ctx)
    if ctx.render_report is None:
        raise HandlerError("this step cannot render the report")
    report.status = "signed"
    db.session.flush()
    stored = {}
    for fmt, (content, media_type, file_name) in ctx.render_report(report.month).items():
        content = content.encode("utf-8") if isinstance(content, str) else content
        digest = hashlib.sha256(content).hexdigest()
        db.session.add(ReportFile(month=report.month, format=fmt, media_type=media_type, file_name=file_name,
                                  content=content, sha256=digest, size=len(content), created_at=ctx.now))
        stored[fmt] = digest
    db.session.flush()
    return stored
