"""The KPIs (考核指标) of domain.md for one calendar month of the service time zone
(`SERVICE_TIMEZONE`, Asia/Shanghai): each counted with one SQL query over the records.

A month is [first day 00:00, first day of the next month 00:00) local time; a record
belongs to the month of the moment named below. Each KPI is
`{"key", "numerator", "denominator", "value"}` with value = 100 × numerator / denominator
as a percentage rounded to 2 places, or None when the denominator is 0 (or, for the
complaint rate, when nobody entered the month's deliveries).

- timeliness (投诉处理及时率): complaints whose department handling was recorded in the
  month (`handled_at`, the latest round's); on time when `handled_at <= deadline_at`
  (the deadline of that round; a complaint without a deadline is not on time).
- satisfaction (客户满意度): effective callbacks completed in the month (`status`
  completed, i.e. the customer was reached — ineffective ones 无效回访 excluded; first
  callbacks and two-week follow-ups alike, by `completed_at`); satisfied when `satisfied`.
- satisfied_closure (满意结案率): complaints closed in the month (status closed,
  `closed_at`); satisfied when the callback recorded `callback_satisfied` true.
- complaint_rate (投诉率): complaints received in the month (`received_at`, every
  channel) / the month's deliveries entered by an admin (`PUT /api/v1/deliveries/YYYY-MM`).
- effective_callback_rate (有效回访率): callbacks due in the month (their fixed
  `deadline_at`, first and follow-up); effective when completed (reached, at any time).
  Callbacks still waiting or ineffective count in the denominator only.
- return_repair_on_time (返修按时完成率): units repaired in the month (unit status
  repaired, the application's `repaired_at`); on time when `repaired_at <= repair_due_at`
  (3 / 7 / 15 working days from receipt for 1 / up to 3 / more units).
"""
from sqlalchemy import and_, case, func, select

from ..clock import now
from .. import permissions
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import Callback, Complaint, ReturnAuthorization, ReturnUnit, User
from ..models.kpis import MonthlyDeliveries
from .complaints import month_range

# key, English label, 中文
KPIS = (
    ("timeliness", "Complaint handling timeliness rate", "投诉处理及时率"),
    ("satisfaction", "Customer satisfaction", "客户满意度"),
    ("satisfied_closure", "Satisfied closure rate", "满意结案率"),
    ("complaint_rate", "Complaint rate", "投诉率"),
    ("effective_callback_rate", "Effective callback rate", "有效回访率"),
    ("return_repair_on_time", "Return repair on-time rate", "返修按时完成率"),
)


def provisional(month: str) -> bool:
    """True while the month is not over (service time zone): its figures can still change."""
    return now() < month_range(month)[1]


def _counts(query) -> tuple[int, int]:
    numerator, denominator = db.session.execute(query).one()
    return int(numerator or 0), int(denominator or 0)


def _hits(condition):
    return func.sum(case((condition, 1), else_=0))


def _kpi(key: str, numerator: int, denominator: int | None) -> dict:
    value = round(100 * numerator / denominator, 2) if denominator else None
    return {"key": key, "numerator": numerator, "denominator": denominator, "value": value}


def compute(month: str) -> list[dict]:
    """The six KPIs of `month` (YYYY-MM), in the order of domain.md."""
    start, end = month_range(month)

    def within(column):
        return and_(column >= start, column < end)

    timeliness = _counts(select(_hits(Complaint.handled_at <= Complaint.deadline_at), func.count())
                         .where(within(Complaint.handled_at)))
    satisfaction = _counts(select(_hits(Callback.satisfied.is_(True)), func.count())
                           .where(Callback.status == "completed", within(Callback.completed_at)))
    closure = _counts(select(_hits(Complaint.callback_satisfied.is_(True)), func.count())
                      .where(Complaint.status == "closed", within(Complaint.closed_at)))
    received = db.session.scalar(select(func.count()).where(within(Complaint.received_at)))
    deliveries = db.session.scalar(select(MonthlyDeliveries.deliveries).where(MonthlyDeliveries.month == month))
    effective = _counts(select(_hits(Callback.status == "completed"), func.count())
                        .where(within(Callback.deadline_at)))
    repairs = _counts(select(_hits(ReturnAuthorization.repaired_at <= ReturnAuthorization.repair_due_at),
                             func.count())
                      .select_from(ReturnUnit).join(ReturnAuthorization, ReturnUnit.request_id == ReturnAuthorization.id)
                      .where(ReturnUnit.status == "repaired", within(ReturnAuthorization.repaired_at)))
    return [_kpi("timeliness", *timeliness), _kpi("satisfaction", *satisfaction),
            _kpi("satisfied_closure", *closure), _kpi("complaint_rate", int(received or 0), deliveries),
            _kpi("effective_callback_rate", *effective), _kpi("return_repair_on_time", *repairs)]


def for_month(user: User, month: str | None) -> dict:
    permissions.require(user, "kpis.read")
    if not month:
        raise ValidationFailed(N_("bad month"), {"month": [N_("required, as YYYY-MM")]})
    return {"month": month, "provisional": provisional(month), "items": compute(month)}


def set_deliveries(user: User, month: str, deliveries) -> MonthlyDeliveries:
    """An admin enters (or corrects) the month's deliveries, the complaint rate's denominator."""
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

