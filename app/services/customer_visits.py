"""Customer visits (客户拜访): planning visits for a customer (the plan starts its customer_visit
case, whose cycle timer opens a visit each period), ending a plan (its case is cancelled: no
visit opens any more), and the visit register."""
from datetime import date, datetime

from sqlalchemy import select

from .. import forms, permissions
from ..clock import local, now
from ..engine.cycles import occurrence
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..handlers.customer_visits import cycle_of
from ..i18n import N_
from ..models import CustomerVisit, ProcessInstance, User, VisitPlan
from . import instances, paging, runs, units
from .deployments import latest_version

PROCESS_KEY = "customer_visit"
CLASSES = ("nearby", "distant", "overseas")
PLAN_STATUSES = ("active", "ended")
VISIT_STATUSES = ("open", "recorded", "cancelled")
RESPONSIBLE_ROLE = "customer_dept"  # the lane the visit tasks open in

PLANS_NEWEST_FIRST = paging.Sort("-created", ((VisitPlan.created_at, True), (VisitPlan.id, True)))
VISITS_NEWEST_FIRST = paging.Sort("-opened", ((CustomerVisit.opened_at, True), (CustomerVisit.id, True)))


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def create_plan(user: User, data, unit=None) -> VisitPlan:
    """A visit plan from the plan form's data, for the planner's unit or, named by its code, one
    below it that the planner sees; its case starts with it (of that unit: so are its visits and
    their tasks). The start date is today or later; a person responsible is an active member of
    the customer department who sees the plan's unit."""
    permissions.require(user, "visits.plan")
    unit_id = instances.unit_for(user, unit)
    version = latest_version(PROCESS_KEY)
    clean = forms.validate(forms.of_version(version)[version.start_form], data)
    problems = {}
    start = _as_date(clean.get("start_date"))
    if start is not None and start < local(now()).date():
        problems["start_date"] = [N_("must be today or later")]
    person = clean.get("responsible_person")
    if person:
        found = db.session.scalar(select(User).where(User.username == person, User.active.is_(True)))
        if found is None or RESPONSIBLE_ROLE not in found.roles or not _sees_unit(found, unit_id):
            problems["responsible_person"] = [N_("no active member of the customer department has this username")]
    if problems:
        raise ValidationFailed(N_("the form has errors"), problems)
    instance = instances.start_for(user, PROCESS_KEY, clean, unit_id=unit_id)
    plan = db.session.scalar(select(VisitPlan).where(VisitPlan.instance_id == instance.id))
    if plan is None:  # its first step failed: the case is held in error, the admins see it
        raise Conflict(N_("the visit plan could not be registered: case %(id)s is held in error", id=instance.id))
    return plan


def _sees_unit(person: User, unit_id: int | None) -> bool:
    below = permissions.units_below(person, "tasks.list")
    return below is None or unit_id in below


def end_plan(user: User, plan_id: int, reason: str) -> VisitPlan:
    """End a plan: its case is cancelled (the cycle stops, its open visit leaves the inbox) and
    its open visits are marked cancelled."""
    permissions.require(user, "visits.end_plan")
    plan = get_plan(user, plan_id, action="visits.end_plan")
    if not (reason or "").strip():
        raise ValidationFailed(N_("give a reason"), {"reason": [N_("a reason is required")]})
    if plan.status == "ended":
        raise Conflict(N_("the visit plan has already ended"))
    if plan.instance_id is not None:
        instance = runs.lock_instance(plan.instance_id)
        if instance.status not in ("completed", "cancelled"):
            instances.cancel_checked(instance, reason)
    plan.status, plan.ended_at, plan.ended_by_id, plan.end_reason = "ended", now(), user.id, reason.strip()
    for visit in plan.visits:
        if visit.status == "open":
            visit.status = "cancelled"
    db.session.flush()
    return plan


def _bad(name: str, value, choices) -> dict:
    if value and value not in choices:
        return {name: [N_("one of %(choices)s", choices=", ".join(choices))]}
    return {}


def plans(user: User, status=None, visit_class=None, unit=None, after=None, page=1, per_page=50) -> paging.Page:
    permissions.require(user, "visits.read")
    problems = {**_bad("status", status, PLAN_STATUSES), **_bad("visit_class", visit_class, CLASSES)}
    if problems:
        raise ValidationFailed(N_("bad filters"), problems)
    query = permissions.scope(user, "visits.read", select(VisitPlan))  # the units the reader sees
    if status:
        query = query.where(VisitPlan.status == status)
    if visit_class:
        query = query.where(VisitPlan.visit_class == visit_class)
    parts, narrow = units.narrowed(user, "visits.read", VisitPlan.unit_id, unit)
    query = query.where(*narrow)
    return paging.paginate(query, PLANS_NEWEST_FIRST, after=after, page=page, per_page=per_page, parts=parts)


def visits(user: User, status=None, visit_class=None, plan_id=None, overdue=None, unit=None, after=None, page=1,
           per_page=50) -> paging.Page:
    """The visit register: every period's visit, newest first."""
    permissions.require(user, "visits.read")
    problems = {**_bad("status", status, VISIT_STATUSES), **_bad("visit_class", visit_class, CLASSES),
                **_bad("overdue", overdue, ("true", "false"))}
    if plan_id not in (None, "") and not str(plan_id).isdigit():
        problems["plan_id"] = [N_("a whole number")]
    if problems:
        raise ValidationFailed(N_("bad filters"), problems)
    query = permissions.scope(user, "visits.read", select(CustomerVisit))  # its plan's unit
    if status:
        query = query.where(CustomerVisit.status == status)
    if visit_class:
        query = query.where(CustomerVisit.plan_id.in_(select(VisitPlan.id).where(VisitPlan.visit_class == visit_class)))
    if plan_id not in (None, ""):
        query = query.where(CustomerVisit.plan_id == int(plan_id))
    if overdue:
        query = query.where(CustomerVisit.overdue.is_(overdue == "true"))
    parts, narrow = units.narrowed(user, "visits.read", CustomerVisit.unit_id, unit)
    query = query.where(*narrow)
    return paging.paginate(query, VISITS_NEWEST_FIRST, after=after, page=page, per_page=per_page, parts=parts)


def get_plan(user: User, plan_id: int, action: str = "visits.read") -> VisitPlan:
    permissions.require(user, action)
    plan = db.session.get(VisitPlan, plan_id)
    if plan is None or permissions.hidden(user, "visits.read", plan):  # another unit's is not shown to exist
        raise NotFound(N_("no visit plan %(id)s", id=plan_id))
    return plan


def next_period_at(plan: VisitPlan) -> datetime | None:
    """When the plan's next period begins (its next visit opens); None once it ended."""
    if plan.status != "active":
        return None
    start = datetime.fromisoformat(cycle_of(plan.start_date, plan.visit_class).split("/")[1])
    return occurrence(start, plan.period, len(plan.visits))


PLAN_COLUMNS = ("id", "instance_id", "customer_name", "contact_person", "contact_phone", "address", "visit_class",
                "period", "responsible_role", "responsible_person", "start_date", "remarks", "status", "ended_at",
                "end_reason", "created_at")
VISIT_COLUMNS = ("id", "plan_id", "instance_id", "period_number", "kind", "opened_at", "due_at", "status", "overdue",
                 "visited_on", "met_with", "topics", "customer_opinions", "issues_raised", "next_actions",
                 "complaint_number", "recorded_at")


def visit_dict(visit: CustomerVisit) -> dict:
    row = {name: getattr(visit, name) for name in VISIT_COLUMNS}
    row["visited_on"] = visit.visited_on.isoformat() if visit.visited_on else None
    row["customer_name"], row["visit_class"] = visit.plan.customer_name, visit.plan.visit_class
    row["recorded_by"] = visit.recorded_by.username if visit.recorded_by else None
    return row


def plan_dict(plan: VisitPlan, with_visits: bool = False) -> dict:
    row = {name: getattr(plan, name) for name in PLAN_COLUMNS}
    row["start_date"] = plan.start_date.isoformat()
    row["next_period_at"] = next_period_at(plan)
    row["visit_count"] = len(plan.visits)
    row["unit"] = plan.unit.code if plan.unit else None
    if with_visits:
        row["visits"] = [visit_dict(v) for v in plan.visits]
    return row


def instance_of(plan: VisitPlan) -> ProcessInstance | None:
    return db.session.get(ProcessInstance, plan.instance_id) if plan.instance_id else None
