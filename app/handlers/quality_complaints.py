"""Handlers that keep the register of quality complaints (质量投诉, 8D): a product-quality complaint
of a business customer taken in (from a complaint, or directly), each round's clocks, what quality
assurance did on site and as countermeasures, the 8D report, the customer department's check of
the effect with the customer, a missed clock, and the closure."""
from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..i18n import N_
from ..models import ProcessInstance, QualityComplaint
from ..models.quality_complaints import EIGHT_D
from ..workdays import add_working_days
from . import HandlerContext, HandlerError, Parameter, handler
from .numbering import next_number
from .overdue import record_miss

PROCEDURE = "quality_complaint"
PREFIX = "QC"
CLOSED_MESSAGE = "quality_complaint_closed"  # the message its complaint's diagram waits for


def _record(ctx: HandlerContext) -> QualityComplaint:
    found = db.session.scalar(select(QualityComplaint).where(QualityComplaint.instance_id == ctx.instance_id))
    if found is None:
        raise HandlerError(f"instance {ctx.instance_id} has no quality complaint")
    return found


def _text(data: dict, name: str) -> str:
    return data.get(name) or ""


@handler("quality_complaints.start",
         summary=N_("Starts the 8D procedure for a product-quality complaint of this case"),
         returns=N_("the quality complaint's number"))
def start(ctx: HandlerContext) -> str:
    """For a complaint's diagram: takes the complaint's customer, contact, product (or vehicle) and
    description into a new quality complaint (procedure quality_complaint) linked back to the
    complaint's number, in this step: if the step fails, no quality complaint is left behind."""
    data = ctx.data
    intake = {"received_at": data.get("received_at") or ctx.now.isoformat(),
              "customer_name": data.get("customer_name") or "", "contact_person": data.get("contact_person") or "",
              "contact_phone": data.get("contact_phone") or "",
              "product": data.get("product") or data.get("vehicle") or "",
              "batch_number": data.get("batch_number") or "", "description": data.get("description") or "",
              "customer_request": data.get("customer_request") or "",
              "complaint_number": data.get("complaint_number") or ""}
    instance_id = ctx.start(PROCEDURE, intake)
    record = db.session.scalar(select(QualityComplaint).where(QualityComplaint.instance_id == instance_id))
    if record is None:
        raise HandlerError("the quality complaint procedure registered no quality complaint")
    return record.number


@handler("quality_complaints.register",
         summary=N_("Registers the quality complaint under its number QC-YYYYMM-NNNN"),
         returns=N_("the quality complaint's number"))
def register(ctx: HandlerContext) -> str:
    data = ctx.data
    received = datetime.fromisoformat(data["received_at"]) if data.get("received_at") else ctx.now
    record = QualityComplaint(
        number=next_number(PREFIX, ctx.now), instance_id=ctx.instance_id,
        complaint_number=data.get("complaint_number") or None, received_at=received,
        customer_name=data["customer_name"], contact_person=_text(data, "contact_person"),
        contact_phone=data["contact_phone"], product=data["product"], batch_number=_text(data, "batch_number"),
        description=data["description"], customer_request=_text(data, "customer_request"), status="response",
        round=0, misses=0, created_by_id=ctx.actor_id)
    db.session.add(record)
    db.session.flush()
    db.session.get(ProcessInstance, ctx.instance_id).business_key = record.number
    return record.number


@handler("quality_complaints.start_round",
         summary=N_("Starts a round of countermeasures and sets its clocks"),
         returns=N_("the round's deadlines: onsite, temporary, permanent"),
         parameters=(Parameter("onsite_hours", "int", N_("hours within which quality assurance is on site")),
                     Parameter("temporary_days", "int", N_("working days for the temporary countermeasure")),
                     Parameter("permanent_days", "int", N_("working days for the permanent countermeasure"))))
def start_round(ctx: HandlerContext) -> dict:
    """The first round's clocks run from when the customer's complaint was received, another
    round's (the customer saw no improvement: A) from when it starts."""
    record, params = _record(ctx), ctx.params
    record.round += 1
    record.status = "response"
    since = min(record.received_at, ctx.now) if record.round == 1 else ctx.now
    record.onsite_due_at = since + timedelta(hours=int(params.get("onsite_hours", 8)))
    record.temporary_due_at = add_working_days(since, int(params.get("temporary_days", 1)))
    record.permanent_due_at = add_working_days(since, int(params.get("permanent_days", 5)))
    return {"onsite": record.onsite_due_at.isoformat(), "temporary": record.temporary_due_at.isoformat(),
            "permanent": record.permanent_due_at.isoformat()}


@handler("quality_complaints.record_assessment",
         summary=N_("Records quality assurance's first response and whether it goes on site"),
         returns=N_("whether an on-site visit is needed"))
def record_assessment(ctx: HandlerContext) -> bool:
    record, data = _record(ctx), ctx.data
    record.onsite_needed, record.response = bool(data["onsite_needed"]), _text(data, "response")
    record.status = "onsite" if record.onsite_needed else "temporary"
    return record.onsite_needed


@handler("quality_complaints.record_visit",
         summary=N_("Records the on-site visit"),
         returns=N_("when it was recorded"))
def record_visit(ctx: HandlerContext) -> str:
    record = _record(ctx)
    record.onsite_at, record.onsite_findings, record.status = ctx.now, _text(ctx.data, "onsite_findings"), "temporary"
    return ctx.now.isoformat()


@handler("quality_complaints.record_temporary",
         summary=N_("Records the temporary countermeasure"),
         returns=N_("when it was recorded"))
def record_temporary(ctx: HandlerContext) -> str:
    record = _record(ctx)
    record.temporary_measure, record.temporary_done_at = _text(ctx.data, "temporary_measure"), ctx.now
    record.status = "permanent"
    return ctx.now.isoformat()


@handler("quality_complaints.record_permanent",
         summary=N_("Records the root cause and the permanent countermeasure"),
         returns=N_("when it was recorded"))
def record_permanent(ctx: HandlerContext) -> str:
    record, data = _record(ctx), ctx.data
    record.root_cause, record.permanent_measure = _text(data, "root_cause"), _text(data, "permanent_measure")
    record.mould_change, record.permanent_done_at = bool(data.get("mould_change")), ctx.now
    record.status = "report"
    return ctx.now.isoformat()


@handler("quality_complaints.record_report",
         summary=N_("Records the 8D report (D1 to D8)"),
         returns=N_("when it was recorded"))
def record_report(ctx: HandlerContext) -> str:
    record = _record(ctx)
    for name in EIGHT_D:
        setattr(record, name, _text(ctx.data, name))
    record.report_at, record.status = ctx.now, "effect_check"
    return ctx.now.isoformat()


@handler("quality_complaints.record_effect",
         summary=N_("Records the customer department's check of the effect with the customer"),
         returns=N_("the round checked"))
def record_effect(ctx: HandlerContext) -> int:
    record, data = _record(ctx), ctx.data
    record.effect, record.effect_remarks = data["effect"], _text(data, "effect_remarks")
    if record.effect == "standards_disagree":
        record.status = "clarifying"
    return record.round


@handler("quality_complaints.close",
         summary=N_("Closes the quality complaint, keeping how it was closed"),
         returns=N_("when it was closed"),
         parameters=(Parameter("closure", "str", N_("how it closes: satisfied, clarified or dispute")),))
def close(ctx: HandlerContext) -> str:
    record, closure = _record(ctx), ctx.params.get("closure")
    if closure not in ("satisfied", "clarified", "dispute"):
        raise HandlerError(f"unknown closure {closure!r}: satisfied, clarified or dispute")
    if closure != "satisfied":
        record.clarification_remarks = _text(ctx.data, "clarification_remarks")
    record.closure_type, record.closed_at, record.status = closure, ctx.now, "closed"
    if record.complaint_number and ctx.tell_case is not None:
        # the complaint it came from waits for this result instead of calling the customer again
        ctx.tell_case("complaint", record.complaint_number, CLOSED_MESSAGE,
                      {"quality_complaint_number": record.number, "closure_type": closure})
    return ctx.now.isoformat()


@handler("quality_complaints.record_overdue",
         summary=N_("Writes an overdue record against whoever holds the late step of the quality complaint"),
         returns=N_("the miss: person, role, month and whether it is the third this month"),
         parameters=(Parameter("clock", "str", N_("the missed clock: onsite, temporary or permanent")),))
def record_overdue(ctx: HandlerContext) -> dict:
    """A clock of the round passed (deadlines.<clock>): recorded against whoever holds a task the
    diagram says is due by it (due_from deadlines.<clock>), or quality assurance when nobody does."""
    clock = ctx.params.get("clock")
    deadlines = ctx.data.get("deadlines") or {}
    if clock not in deadlines:
        raise HandlerError(f"the case has no deadline {clock!r}")
    _record(ctx).misses += 1
    return record_miss(ctx, ctx.tasks_due_by(f"deadlines.{clock}"), datetime.fromisoformat(deadlines[clock]),
                       fallback_role="quality_assurance", fallback_task=clock)
