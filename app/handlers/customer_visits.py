"""Handlers of the customer visit procedure (客户拜访): the visit plan with its cycle, the visit of
each period, its record (a raised issue may open a complaint), and the overdue record of a visit
not recorded in time."""
from datetime import date, datetime, time

from sqlalchemy import func, select

from ..clock import service_zone
from ..extensions import db
from ..i18n import N_
from ..models import Complaint, CustomerVisit, ProcessInstance, VisitPlan
from ..workdays import add_working_days
from . import HandlerContext, HandlerError, Parameter, handler
from .overdue import record_miss

# A customer's class gives the period of its cycle (ISO 8601; P0.5M is half a month: the 1st and
# the 16th of a plan starting on the 1st) and how the customer is met.
PERIODS = {"nearby": "P0.5M", "distant": "P3M", "overseas": "P3M"}
CONFERENCE_CLASSES = ("overseas",)  # met by a phone conference
CYCLE_HOUR = time(8, 0)  # a period's visit opens at 08:00 of its first day
DUE_PATH = "visit.due_at"  # where the case holds the current visit's deadline (the tasks' due_from)


def cycle_of(start: date, visit_class: str) -> str:
    """The plan's cycle as an ISO 8601 repeating interval: R/<first day 08:00 local>/<period>."""
    return f"R/{datetime.combine(start, CYCLE_HOUR, service_zone()).isoformat()}/{PERIODS[visit_class]}"


def _plan(ctx: HandlerContext) -> VisitPlan:
    found = db.session.scalar(select(VisitPlan).where(VisitPlan.instance_id == ctx.instance_id))
    if found is None:
        raise HandlerError(f"instance {ctx.instance_id} has no visit plan")
    return found


def _visit(ctx: HandlerContext) -> CustomerVisit:
    held = ctx.data.get("visit")
    visit_id = held.get("id") if isinstance(held, dict) else None
    found = db.session.get(CustomerVisit, visit_id) if isinstance(visit_id, int) else None
    if found is None or found.instance_id != ctx.instance_id:
        raise HandlerError(f"instance {ctx.instance_id} has no visit {visit_id!r}")
    return found


@handler("customer_visits.register_plan",
         summary=N_("Registers the visit plan and gives its cycle"),
         returns=N_("the cycle, an ISO 8601 repeating interval"))
def register_plan(ctx: HandlerContext) -> str:
    data = ctx.data
    visit_class = data["visit_class"]
    if visit_class not in PERIODS:
        raise HandlerError(f"no customer class {visit_class!r}")
    start = date.fromisoformat(str(data["start_date"])[:10])
    plan = VisitPlan(instance_id=ctx.instance_id, customer_name=data["customer_name"],
                     contact_person=data["contact_person"], contact_phone=data["contact_phone"],
                     address=data.get("address") or "", visit_class=visit_class, period=PERIODS[visit_class],
                     responsible_role="customer_dept", responsible_person=data.get("responsible_person") or None,
                     start_date=start, remarks=data.get("plan_remarks") or "", status="active",
                     created_by_id=ctx.actor_id)
    db.session.add(plan)
    db.session.flush()
    db.session.get(ProcessInstance, ctx.instance_id).business_key = str(plan.id)
    return cycle_of(start, visit_class)


@handler("customer_visits.open_visit",
         summary=N_("Opens the visit of the period that began, due some working days later"),
         returns=N_("the visit: its id and due time (due_at)"),
         parameters=(Parameter("due_working_days", "int", N_("working days the visit is due after it opens")),))
def open_visit(ctx: HandlerContext) -> dict:
    """One visit row per period; the diagram says within how many working days it is due."""
    plan = _plan(ctx)
    days = ctx.params.get("due_working_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        raise HandlerError(f"due_working_days must be a whole number from 1 to 365, not {days!r}")
    number = (db.session.scalar(select(func.max(CustomerVisit.period_number))
                                .where(CustomerVisit.plan_id == plan.id)) or 0) + 1
    visit = CustomerVisit(plan_id=plan.id, instance_id=ctx.instance_id, period_number=number,
                          kind="conference" if plan.visit_class in CONFERENCE_CLASSES else "visit",
                          opened_at=ctx.now, due_at=add_working_days(ctx.now, days), status="open", overdue=False)
    db.session.add(visit)
    db.session.flush()
    return {"id": visit.id, "due_at": visit.due_at.isoformat()}


@handler("customer_visits.record_visit",
         summary=N_("Records the visit; an issue the customer raised may open a complaint"),
         returns=N_("the visit's status"))
def record_visit(ctx: HandlerContext) -> str:
    visit, data = _visit(ctx), ctx.data
    visit.visited_on = date.fromisoformat(str(data["visited_on"])[:10])
    visit.met_with, visit.topics = data["met_with"], data["topics"]
    visit.customer_opinions = data.get("customer_opinions") or ""
    visit.issues_raised = data.get("issues_raised") or ""
    visit.next_actions = data.get("next_actions") or ""
    visit.status, visit.recorded_at, visit.recorded_by_id = "recorded", ctx.now, ctx.actor_id
    if data.get("raise_complaint") and visit.issues_raised:
        visit.complaint_number = _open_complaint(ctx, visit)
    return visit.status


def _open_complaint(ctx: HandlerContext, visit: CustomerVisit) -> str:
    """The issue the customer raised, taken in as a complaint (channel "visit") in this step."""
    plan = visit.plan
    intake = {"received_at": ctx.now.isoformat(), "channel": "visit", "customer_name": plan.customer_name[:100],
              "contact_phone": plan.contact_phone, "vehicle": f"客户拜访 {plan.customer_name}"[:100],
              "description": visit.issues_raised[:2000],
              "customer_request": (visit.customer_opinions or "")[:2000]}
    instance_id = ctx.start("complaint", intake)
    complaint = db.session.scalar(select(Complaint).where(Complaint.instance_id == instance_id))
    if complaint is None:
        raise HandlerError("the complaint procedure registered no complaint")
    return complaint.number


@handler("customer_visits.record_overdue",
         summary=N_("Writes an overdue record against whoever held the visit"),
         returns=N_("the miss: person, role, month and whether it is the third this month"))
def record_overdue(ctx: HandlerContext) -> dict:
    """The period's visit was not recorded by its deadline: recorded against whoever holds a task
    the diagram says is due by it (due_from visit.due_at)."""
    visit = _visit(ctx)
    visit.overdue = True
    return record_miss(ctx, ctx.tasks_due_by(DUE_PATH), visit.due_at, fallback_role="customer_dept",
                       fallback_task="visit")
