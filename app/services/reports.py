"""The monthly report for the general manager (月度报告), ready by the 8th of the next month:
the KPIs (overall, per department and per person), the complaints received by category,
severity and channel, every complaint of the month with its result, the overdue records by
person, the penalties, the callbacks and the returns of the month, and the month's major
complaints — the figures, as one dict (`build`). services/monthly_reports.py adds where the
month's report procedure stands (analysis, signatures). app/report_files.py renders it as HTML,
XLSX or PDF; the views choose the format and answer."""
from datetime import timedelta

from sqlalchemy import and_, func, select

from ..clock import local, now
from ..extensions import db
from ..forms import choices
from ..i18n import status_pair
from ..models import Callback, Complaint, OverdueRecord, RefusedShipment, ReturnAuthorization, ReturnUnit, User
from .. import permissions
from ..roles import ROLES
from . import deployments, kpis, penalties
from .complaints import month_range

NONE = ("Unclassified", "未分类")


def _grouped(column, month_start, month_end, choices, units=None) -> list[dict]:
    counts = dict(db.session.execute(
        select(column, func.count()).where(Complaint.received_at >= month_start, Complaint.received_at < month_end,
                                           *kpis.of_units(Complaint, units))
        .group_by(column)).all())
    rows = [{"key": key, "en": en, "zh": zh, "count": counts.pop(key, 0)} for key, en, zh in choices]
    for key, count in sorted(counts.items(), key=lambda item: str(item[0])):  # unclassified, or a retired choice
        en, zh = NONE if key is None else (key, key)
        rows.append({"key": key, "en": en, "zh": zh, "count": count})
    return rows


def _label(choices, key) -> tuple[str, str]:
    """(English, 中文) of a choice key; the key itself when retired, "—" when empty."""
    if key is None:
        return ("—", "—")
    return next(((en, zh) for known, en, zh in choices if known == key), (key, key))


def _complaint_rows(start, end, forms, units=None) -> list[dict]:
    """Every complaint received in the month, with who answers for it and its result."""
    categories, severities = choices(forms, "category"), choices(forms, "severity")
    closures = {"satisfied": ("Satisfied", "满意结案"), "unresolved": ("Unresolved", "未满意结案"),
                "withdrawn": ("Withdrawn", "客户撤诉")}
    rows = []
    for c in db.session.scalars(select(Complaint).where(Complaint.received_at >= start, Complaint.received_at < end,
                                                        *kpis.of_units(Complaint, units))
                                .order_by(Complaint.received_at, Complaint.id)):
        rows.append({"number": c.number, "received_at": local(c.received_at).strftime("%Y-%m-%d %H:%M"),
                     "category": _label(categories, c.category), "severity": _label(severities, c.severity),
                     "department": ROLES.get(c.responsible_role, (c.responsible_role or "—",) * 2),
                     "person": c.responsible_user.username if c.responsible_user else "—",
                     "status": status_pair(c.status), "closure": closures.get(c.closure_type, ("—", "—")),
                     "result": c.result or "", "closed_at": local(c.closed_at).strftime("%Y-%m-%d") if c.closed_at
                     else "—"})
    return rows


def _grouped_kpis(month: str, by: str, labels: dict, units=None) -> list[dict]:
    """Per department or person: the month's KPIs that have figures (a denominator)."""
    groups = []
    for key, per_kpi in kpis.series(month, by, before=0, units=units)["groups"].items():
        figures = [{**f[0], "en": labels[name][0], "zh": labels[name][1]} for name, f in per_kpi.items()
                   if f[0]["denominator"]]
        if figures:
            en, zh = ROLES.get(key, (key, key)) if by == "department" else (key, key)
            groups.append({"key": key, "en": en, "zh": zh, "kpis": figures})
    return groups


def _count(query) -> int:
    return int(db.session.scalar(query) or 0)


def monthly(user: User, month: str) -> dict:
    """The month's report, for those who may read it."""
    permissions.require(user, "reports.read")
    return build(month)


def build(month: str, units: list[int] | None = None, unit: str | None = None) -> dict:
    """The month's figures: of every unit, or of `units` (the unit coded `unit` and those below it:
    a branch's report; the refused shipments, nobody's, and the reward fund, the group's, are then
    left out)."""
    start, end = month_range(month)

    def within(column):
        model = column.class_
        return and_(column >= start, column < end, *kpis.of_units(model, units))

    kpi_labels = {key: (en, zh) for key, en, zh in kpis.KPIS}
    indicators = [{**k, "en": kpi_labels[k["key"]][0], "zh": kpi_labels[k["key"]][1]} for k in kpis.compute(month, units)]

    received = _count(select(func.count()).where(within(Complaint.received_at)))
    forms = deployments.current_forms()
    complaints = {
        "received": received,
        "handled": _count(select(func.count()).where(within(Complaint.handled_at))),
        "closed": _count(select(func.count()).where(Complaint.status == "closed", within(Complaint.closed_at))),
        "by_category": _grouped(Complaint.category, start, end, choices(forms, "category"), units),
        "by_severity": _grouped(Complaint.severity, start, end, choices(forms, "severity"), units),
        "by_channel": _grouped(Complaint.channel, start, end, choices(forms, "channel"), units),
    }
    majors = db.session.scalars(select(Complaint).where(within(Complaint.received_at), Complaint.severity == "major")
                                .order_by(Complaint.received_at, Complaint.id)).all()
    major_rows = [{"number": c.number, "received_at": local(c.received_at).strftime("%Y-%m-%d %H:%M"),
                   "customer": c.customer_name, "description": c.description,
                   "status": status_pair(c.status)} for c in majors]

    person = func.coalesce(User.username, OverdueRecord.role)
    overdue = [{"person": name, "count": count, "flagged": count >= 3} for name, count in db.session.execute(
        select(person, func.count()).select_from(OverdueRecord).outerjoin(User, OverdueRecord.person_id == User.id)
        .where(OverdueRecord.month == month, *kpis.of_units(OverdueRecord, units)).group_by(person).order_by(func.count().desc(), person)).all()]

    callbacks = {
        "due": _count(select(func.count()).where(within(Callback.deadline_at))),
        "effective": _count(select(func.count()).where(Callback.status == "completed", within(Callback.completed_at))),
        "satisfied": _count(select(func.count()).where(Callback.status == "completed", Callback.satisfied.is_(True),
                                                       within(Callback.completed_at))),
        "ineffective": _count(select(func.count()).where(Callback.status == "ineffective",
                                                         within(Callback.completed_at))),
        "open": _count(select(func.count()).where(within(Callback.deadline_at),
                                                  Callback.status.in_(("due", "retry", "scheduled")))),
        "complaints_opened": _count(select(func.count()).where(Complaint.channel == "callback",
                                                               within(Complaint.received_at))),
    }
    returns = {
        "submitted": _count(select(func.count()).where(within(ReturnAuthorization.submitted_at))),
        "approved": _count(select(func.count()).where(within(ReturnAuthorization.approved_at))),
        "rejected": _count(select(func.count()).where(ReturnAuthorization.status == "rejected",
                                                      within(ReturnAuthorization.closed_at))),
        "received": _count(select(func.count()).where(within(ReturnAuthorization.received_at))),
        "units_repaired": _count(select(func.count()).select_from(ReturnUnit).join(ReturnAuthorization).where(
            ReturnUnit.status == "repaired", within(ReturnAuthorization.repaired_at))),
        "shipped": _count(select(func.count()).where(within(ReturnAuthorization.shipped_at))),
        "refused_shipments": _count(select(func.count()).where(within(RefusedShipment.arrived_at)))
        if units is None else "—",  # refused at the door: of no application, no unit
    }
    ready_by = (end + timedelta(days=7)).date()  # the 8th of the next month
    return {"month": month, "unit": unit, "provisional": kpis.provisional(month), "ready_by": ready_by.isoformat(),
            "generated_at": local(now()).strftime("%Y-%m-%d %H:%M"), "kpis": indicators, "complaints": complaints,
            "complaint_list": _complaint_rows(start, end, forms, units),
            "by_department": _grouped_kpis(month, "department", kpi_labels, units),
            "by_person": _grouped_kpis(month, "person", kpi_labels, units),
            "majors": major_rows, "overdue": overdue, "callbacks": callbacks, "returns": returns,
            "penalties": {"people": penalties.people(month, units=units),
                          "fund": penalties.fund(month) if units is None else {"fines": "—", "spent": "—",
                                                                                "balance": "—"}}}
