"""The KPIs (考核指标) of domain.md ("KPIs, as the sources define them") per calendar month of the
service time zone (`SERVICE_TIMEZONE`, Asia/Shanghai), overall, per department and per person,
each with the 12 months before.

A month is [first day 00:00, first day of the next month 00:00) local time; a record belongs
to the month of the moment named below. Each KPI is `{"key", "numerator", "denominator",
"value"}` with value = 100 × numerator / denominator as a percentage rounded to 2 places, or
None when the denominator is 0 or unknown.

- timeliness (投诉处理及时率): complaints due in the month — the first round's deadline
  (`first_deadline_at`: a send-back renews the deadline of later rounds, not this one) falls in
  it and the complaint was handled or its deadline has passed; on time when the first round
  was handled (`first_handled_at`) by that deadline. A complaint still open past its deadline
  counts as not on time; one not yet due and not yet handled is not counted yet.
- satisfaction (客户满意度): effective callbacks in the month — the complaint's own callbacks
  (every answer of its callback task carrying `callback_satisfied`, by its completion time)
  and the first callbacks of procedure 3 reached (`status` completed, by `completed_at`);
  satisfied when the customer said so.
- follow_up_satisfaction (跟踪回访满意度): the two-week follow-ups of procedure 3, reported apart.
- satisfied_closure (满意结案率): complaints closed in the month (every closure type:
  satisfied, unresolved, withdrawn); satisfied when `closure_type` is satisfied.
- complaint_rate (投诉率): complaints received in the month (`received_at`, every channel) /
  deliveries in the month (the delivery register's `delivered_at`); for a month the register
  has no rows for, the number an admin entered (`PUT /api/v1/deliveries/YYYY-MM`, the older way).
- effective_callback_rate (有效回访率): callbacks due in the month (their fixed `deadline_at`,
  first and follow-up); effective when completed (reached, at any time).
- return_repair_on_time (返修按时完成率): units repaired in the month (the application's
  `repaired_at`); on time when `repaired_at <= repair_due_at` (3 / 7 / 15 working days).
- on_time_delivery (准时交车率), on_time_completion (准时竣工率), estimate_accuracy (估价准确率):
  the repair orders of the delivery register delivered in the month that have the promised
  delivery time / the promised and actual completion times / the estimate and the final bill;
  on time when the actual time is not later than the promised one; accurate when the estimate
  is within 10% of the final bill.

Per department and per person: complaint figures go to the complaint's responsible department
(the role it was assigned to) and person (who handled it, or was named); procedure-3 callbacks
to the customer department (the procedure's lane) and the caller; delivery figures to the
register's department (unit) and service advisor. Return repairs are per procedure only, and a
group's complaint rate has no denominator (deliveries are not counted per handling department).

Each KPI is read with one query over the 13 months, its rows put in months in Python: a local
month boundary is not one SQL expression on both SQLite and PostgreSQL, and a dealer's year
is a few thousand rows.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable

from sqlalchemy import select

from ..clock import local, now
from .. import permissions
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_, lazy_gettext
from ..models import Callback, Complaint, OrgUnit, ReturnAuthorization, ReturnUnit, TaskRecord, User
from ..models.kpis import Delivery, MonthlyDeliveries
from ..roles import role_label
from .complaints import month_range

# key, English label, 中文 (in the order of domain.md; the report and the page show them so)
KPIS = (
    ("timeliness", "Complaint handling timeliness rate", "投诉处理及时率"),
    ("satisfaction", "Customer satisfaction", "客户满意度"),
    ("satisfied_closure", "Satisfied closure rate", "满意结案率"),
    ("complaint_rate", "Complaint rate", "投诉率"),
    ("effective_callback_rate", "Effective callback rate", "有效回访率"),
    ("return_repair_on_time", "Return repair on-time rate", "返修按时完成率"),
    ("follow_up_satisfaction", "Follow-up callback satisfaction", "跟踪回访满意度"),
    ("on_time_delivery", "On-time delivery rate", "准时交车率"),
    ("on_time_completion", "On-time completion rate", "准时竣工率"),
    ("estimate_accuracy", "Estimate accuracy rate", "估价准确率"),
)
GROUPINGS = {"department": lazy_gettext("Department"), "person": lazy_gettext("Person")}
HISTORY_MONTHS = 12  # the months before the one asked for
CALLBACK_DEPARTMENT = "customer_dept"  # procedure 3's lane: domain.md, "Procedure 3"
ESTIMATE_TOLERANCE = Decimal("0.10")  # an estimate within 10% of the final bill is accurate

Row = tuple  # (moment, hit: bool, department key | None, person key | None)


def provisional(month: str) -> bool:
    """True while the month is not over (service time zone): its figures can still change."""
    return now() < month_range(month)[1]


def months_up_to(month: str, before: int = HISTORY_MONTHS) -> list[str]:
    """`month` and the `before` months before it, oldest first."""
    month_range(month)  # validates YYYY-MM
    year, mon = map(int, month.split("-"))
    index = year * 12 + mon - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - before, index + 1)]


def _kpi(key: str, numerator: int, denominator: int | None) -> dict:
    value = round(100 * numerator / denominator, 2) if denominator else None
    return {"key": key, "numerator": numerator, "denominator": denominator, "value": value}


# ----------------------------------------------------------------------------- the rows of each KPI
def of_units(model, units: list[int] | None) -> tuple:
    """The condition that a record is of one of `units` (its unit_id); none for every unit."""
    return () if units is None or not hasattr(model, "unit_id") else (model.unit_id.in_(units),)


_of = of_units


def _timeliness(start, end, units=None) -> Iterable[Row]:
    due = Complaint.first_deadline_at
    query = (select(due, Complaint.first_handled_at, Complaint.responsible_role, User.username)
             .outerjoin(User, User.id == Complaint.responsible_user_id)
             .where(due >= start, due < end, (Complaint.first_handled_at.is_not(None)) | (due <= now()),
                    *_of(Complaint, units)))
    for deadline, handled, department, person in db.session.execute(query):
        yield deadline, handled is not None and handled <= deadline, department, person


def _complaint_callbacks(start, end, units=None) -> Iterable[Row]:
    """Every answer of a complaint's callback task: the task's answers name `callback_satisfied`
    (a later procedure version's unreached call does not, and is not an effective callback)."""
    satisfied = TaskRecord.data["callback_satisfied"].as_boolean()
    query = (select(TaskRecord.completed_at, satisfied, Complaint.responsible_role, User.username)
             .join(Complaint, Complaint.instance_id == TaskRecord.instance_id)
             .outerjoin(User, User.id == Complaint.responsible_user_id)
             .where(TaskRecord.completed_at >= start, TaskRecord.completed_at < end, satisfied.is_not(None),
                    *_of(Complaint, units)))
    for moment, hit, department, person in db.session.execute(query):
        yield moment, bool(hit), department, person


def _callbacks(kind: str) -> Callable:
    def rows(start, end, units=None) -> Iterable[Row]:
        query = (select(Callback.completed_at, Callback.satisfied, User.username)
                 .outerjoin(User, User.id == Callback.completed_by_id)
                 .where(Callback.kind == kind, Callback.status == "completed",
                        Callback.completed_at >= start, Callback.completed_at < end, *_of(Callback, units)))
        for moment, hit, person in db.session.execute(query):
            yield moment, bool(hit), CALLBACK_DEPARTMENT, person
    return rows


def _satisfied_closure(start, end, units=None) -> Iterable[Row]:
    query = (select(Complaint.closed_at, Complaint.closure_type, Complaint.responsible_role, User.username)
             .outerjoin(User, User.id == Complaint.responsible_user_id)
             .where(Complaint.status == "closed", Complaint.closed_at >= start, Complaint.closed_at < end,
                    *_of(Complaint, units)))
    for moment, closure, department, person in db.session.execute(query):
        yield moment, closure == "satisfied", department, person


def _complaints_received(start, end, units=None) -> Iterable[Row]:
    query = (select(Complaint.received_at, Complaint.responsible_role, User.username)
             .outerjoin(User, User.id == Complaint.responsible_user_id)
             .where(Complaint.received_at >= start, Complaint.received_at < end, *_of(Complaint, units)))
    for moment, department, person in db.session.execute(query):
        yield moment, True, department, person


def _effective_callbacks(start, end, units=None) -> Iterable[Row]:
    query = (select(Callback.deadline_at, Callback.status, User.username)
             .outerjoin(User, User.id == Callback.completed_by_id)
             .where(Callback.deadline_at >= start, Callback.deadline_at < end, *_of(Callback, units)))
    for moment, status, person in db.session.execute(query):
        yield moment, status == "completed", CALLBACK_DEPARTMENT, person


def _return_repairs(start, end, units=None) -> Iterable[Row]:
    query = (select(ReturnAuthorization.repaired_at, ReturnAuthorization.repair_due_at)
             .select_from(ReturnUnit).join(ReturnAuthorization, ReturnUnit.request_id == ReturnAuthorization.id)
             .where(ReturnUnit.status == "repaired", ReturnAuthorization.repaired_at >= start,
                    ReturnAuthorization.repaired_at < end, *_of(ReturnAuthorization, units)))
    for repaired, due in db.session.execute(query):
        yield repaired, due is not None and repaired <= due, None, None


def _deliveries(start, end, units, *columns):
    return db.session.execute(select(Delivery.delivered_at, Delivery.department, Delivery.service_advisor, *columns)
                              .where(Delivery.delivered_at >= start, Delivery.delivered_at < end,
                                     *_of(Delivery, units)))


def _on_time_delivery(start, end, units=None) -> Iterable[Row]:
    for delivered, department, advisor, promised in _deliveries(start, end, units, Delivery.promised_delivery_at):
        if promised is not None:
            yield delivered, delivered <= promised, department, advisor


def _on_time_completion(start, end, units=None) -> Iterable[Row]:
    for delivered, department, advisor, promised, completed in _deliveries(
            start, end, units, Delivery.promised_completion_at, Delivery.completed_at):
        if promised is not None and completed is not None:
            yield delivered, completed <= promised, department, advisor


def estimate_is_accurate(estimate: Decimal, final: Decimal) -> bool:
    return abs(Decimal(final) - Decimal(estimate)) <= ESTIMATE_TOLERANCE * abs(Decimal(final))


def _estimate_accuracy(start, end, units=None) -> Iterable[Row]:
    for delivered, department, advisor, estimate, final in _deliveries(
            start, end, units, Delivery.estimate_amount, Delivery.final_amount):
        if estimate is not None and final is not None:
            yield delivered, estimate_is_accurate(estimate, final), department, advisor


def _delivered(start, end, units=None) -> Iterable[Row]:
    for delivered, department, advisor in _deliveries(start, end, units):
        yield delivered, True, department, advisor


@dataclass(frozen=True)
class Definition:
    key: str
    sources: tuple[Callable, ...]  # each (start, end, units) -> rows; their rows add up


DEFINITIONS = (
    Definition("timeliness", (_timeliness,)),
    Definition("satisfaction", (_complaint_callbacks, _callbacks("first"))),
    Definition("satisfied_closure", (_satisfied_closure,)),
    Definition("complaint_rate", (_complaints_received,)),  # the denominator: deliveries, below
    Definition("effective_callback_rate", (_effective_callbacks,)),
    Definition("return_repair_on_time", (_return_repairs,)),
    Definition("follow_up_satisfaction", (_callbacks("follow_up"),)),
    Definition("on_time_delivery", (_on_time_delivery,)),
    Definition("on_time_completion", (_on_time_completion,)),
    Definition("estimate_accuracy", (_estimate_accuracy,)),
)


# ----------------------------------------------------------------------------- counting
def _tally(rows: Iterable[Row], by: str | None) -> dict:
    """{(month, group): [hits, rows]}; group None for the whole procedure."""
    counts = defaultdict(lambda: [0, 0])
    for moment, hit, department, person in rows:
        month = local(moment).strftime("%Y-%m")
        group = None if by is None else (department if by == "department" else person)
        if by is not None and group is None:
            continue  # not attributed to a department or person (return repairs, a complaint nobody holds)
        counts[(month, group)][0] += int(hit)
        counts[(month, group)][1] += 1
    return counts


def _deliveries_per_month(months: list[str], start, end, units=None) -> dict[str, int | None]:
    """The complaint rate's denominator per month: the register's deliveries, else the entered number
    (the whole group's: not for some units)."""
    registered = _tally(_delivered(start, end, units), None)
    entered = {} if units is not None else dict(db.session.execute(
        select(MonthlyDeliveries.month, MonthlyDeliveries.deliveries).where(MonthlyDeliveries.month.in_(months))).all())
    return {m: registered[(m, None)][1] if (m, None) in registered else entered.get(m) for m in months}


def series(month: str, by: str | None = None, before: int = HISTORY_MONTHS, units: list[int] | None = None) -> dict:
    """Every KPI for `month` and the `before` months before it, overall, or per department or
    person (`by`): {"months": [...], "groups": {group: {key: [kpi per month]}}}, group None
    being the whole procedure. `units`: only the records of these organisation units (None: all)."""
    if by is not None and by not in GROUPINGS:
        raise ValidationFailed(N_("bad grouping"), {"by": [N_("must be department or person")]})
    months = months_up_to(month, before)
    start, end = month_range(months[0])[0], month_range(months[-1])[1]
    tallies = {d.key: _tally((row for source in d.sources for row in source(start, end, units)), by)
               for d in DEFINITIONS}
    groups = {group for counts in tallies.values() for (_, group) in counts} if by else {None}
    deliveries = _deliveries_per_month(months, start, end, units) if by is None else {}
    result = {}
    for group in sorted(groups, key=lambda g: (g is None, str(g))):
        per_kpi = {}
        for key, *_ in KPIS:
            figures = []
            for m in months:
                hits, total = tallies[key].get((m, group), (0, 0))
                if key == "complaint_rate":
                    figures.append(_kpi(key, total, deliveries.get(m)))
                else:
                    figures.append(_kpi(key, hits, total))
            per_kpi[key] = figures
        result[group] = per_kpi
    return {"months": months, "groups": result}


def compute(month: str, units: list[int] | None = None) -> list[dict]:
    """Every KPI of `month` (YYYY-MM) for the whole department (or `units`), in the order of KPIS."""
    figures = series(month, before=0, units=units)["groups"][None]
    return [figures[key][0] for key, *_ in KPIS]


# ----------------------------------------------------------------------------- what readers get
def group_label(by: str, key: str, lang: str) -> str:
    """A department key is a role (its name) or a unit named by the register (as it is)."""
    return role_label(key, lang) if by == "department" else key


def unit_choices(user: User, action: str = "kpis.read") -> list[OrgUnit]:
    """The organisation units whose figures `user` may ask for: theirs and those below it (the
    group: every unit), the user's own first."""
    below = permissions.units_below(user, action)
    query = select(OrgUnit).order_by(OrgUnit.id)
    if below is not None:
        query = query.where(OrgUnit.id.in_(below))
    return sorted(db.session.scalars(query), key=lambda unit: unit.id != user.unit_id)


def units_asked(user: User, code: str | None, action: str = "kpis.read") -> tuple[OrgUnit | None, list[int] | None]:
    """The unit whose figures are asked for (its code; none: all the reader sees) and the units
    counted: that unit and the ones below it. A person of a branch reads their branch's (and its
    dealers'); the group reads every unit's, or the one it chooses."""
    below = permissions.units_below(user, action)
    if code in (None, ""):
        return None, below
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if isinstance(code, str) else None
    if unit is None or (below is not None and unit.id not in below):
        raise ValidationFailed(N_("bad unit"), {"unit": [N_("no organisation unit with this code whose figures you read")]})
    return unit, permissions.units_under(unit.id)


def for_month(user: User, month: str | None, by: str | None = None, lang: str = "zh-CN", unit: str | None = None) -> dict:
    """The API's answer: the month's KPIs (`items`, as before), each KPI's 13 months (`history`)
    and, with `by`, the same per department or person (`groups`); of the records of the units
    the reader sees, or of the one named by `unit` (and the units below it)."""
    permissions.require(user, "kpis.read")
    if not month:
        raise ValidationFailed(N_("bad month"), {"month": [N_("required, as YYYY-MM")]})
    by = by or None
    chosen, units = units_asked(user, unit)
    overall = series(month, units=units)
    answer = {"month": month, "provisional": provisional(month), "months": overall["months"],
              "unit": chosen.code if chosen is not None else (user.unit.code if units is not None and user.unit
                                                             else None),
              "items": [figures[-1] for figures in overall["groups"][None].values()],
              "history": [{"key": key, "values": _dated(overall["months"], figures)}
                          for key, figures in overall["groups"][None].items()],
              "by": by, "groups": []}
    if by:
        grouped = series(month, by, units=units)
        answer["groups"] = [{"key": group, "label": group_label(by, group, lang),
                             "items": [figures[-1] for figures in per_kpi.values()],
                             "history": [{"key": key, "values": _dated(grouped["months"], figures)}
                                         for key, figures in per_kpi.items()]}
                            for group, per_kpi in grouped["groups"].items()]
    return answer


def _dated(months: list[str], figures: list[dict]) -> list[dict]:
    return [{"month": m, **{k: v for k, v in f.items() if k != "key"}} for m, f in zip(months, figures)]


def set_deliveries(user: User, month: str, deliveries) -> MonthlyDeliveries:
    """An admin enters (or corrects) a month's deliveries: the complaint rate's denominator for a
    month the delivery register has no rows for (the older way, kept for PUT /deliveries/YYYY-MM)."""
    permissions.require(user, "kpis.enter_deliveries")
    month_range(month)  # validates YYYY-MM
    if isinstance(deliveries, bool) or not isinstance(deliveries, int) or not 0 <= deliveries <= 10_000_000:
        raise ValidationFailed(N_("bad deliveries"), {"deliveries": [N_("must be a whole number from 0")]})
    row = db.session.get(MonthlyDeliveries, month)
    if row is None:
        row = MonthlyDeliveries(month=month, deliveries=deliveries)
        db.session.add(row)
    row.deliveries, row.entered_by_id, row.entered_at = deliveries, user.id, now()
    db.session.flush()
    return row


def deliveries_dict(row: MonthlyDeliveries) -> dict:
    return {"month": row.month, "deliveries": row.deliveries,
            "entered_by": row.entered_by.username if row.entered_by else None, "entered_at": row.entered_at}
