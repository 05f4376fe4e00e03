"""Callback figures: per service advisor (服务顾问) per month, and the weekly callback report
(回访周报) of a Monday-to-Sunday week, by default the one before this week. A callback counts in
the month its customer took the car back and in the week its call was due; effective means the
customer was reached (satisfaction = satisfied / effective, effective rate = effective / due)."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from .. import permissions
from ..clock import local, now, service_zone
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import Callback, OverdueRecord, User
from .callbacks import OPEN, parse_day
from .complaints import month_range

UNNAMED = ""  # callbacks started without an advisor (a shipped return, a complaint) count under ""


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _figures(query) -> list[dict]:
    """Per advisor: callbacks, effective, satisfied, ineffective, open, satisfaction and effective rates."""
    def counted(condition):
        return func.sum(case((condition, 1), else_=0))
    effective = counted(Callback.status == "completed")
    satisfied = counted((Callback.status == "completed") & Callback.satisfied.is_(True))
    ineffective = counted(Callback.status == "ineffective")
    still_open = counted(Callback.status.in_(OPEN))
    rows = db.session.execute(query.with_only_columns(Callback.service_advisor, func.count(), effective, satisfied,
                                                      ineffective, still_open)
                              .group_by(Callback.service_advisor).order_by(Callback.service_advisor))
    found = []
    for advisor, count, eff, sat, ineff, left in rows:
        eff, sat, ineff, left = int(eff or 0), int(sat or 0), int(ineff or 0), int(left or 0)
        found.append({"advisor": advisor or UNNAMED, "callbacks": count, "effective": eff, "satisfied": sat,
                      "ineffective": ineff, "open": left, "satisfaction_rate": _rate(sat, eff),
                      "effective_rate": _rate(eff, count)})
    return found


def _totals(rows: list[dict]) -> dict:
    total = {key: sum(row[key] for row in rows) for key in ("callbacks", "effective", "satisfied", "ineffective",
                                                             "open")}
    return {**total, "satisfaction_rate": _rate(total["satisfied"], total["effective"]),
            "effective_rate": _rate(total["effective"], total["callbacks"])}


def advisor_figures(user: User, month: str) -> dict:
    """The first callbacks of the cars taken back in `month` (YYYY-MM), per service advisor."""
    permissions.require(user, "callbacks.read_figures")
    start, end = month_range(month)
    query = select(Callback).where(Callback.kind == "first", Callback.picked_up_at >= start,
                                   Callback.picked_up_at < end)
    rows = _figures(query)
    return {"month": month, "advisors": rows, "total": _totals(rows)}


def week_of(day: str | None) -> date:
    """The Monday of the week holding `day` (YYYY-MM-DD); none: the week before this one."""
    if day:
        found = parse_day(day)
        if found is None:
            raise ValidationFailed(N_("bad week"), {"week": [N_("a calendar date YYYY-MM-DD")]})
    else:
        found = local(now()).date() - timedelta(days=7)
    return found - timedelta(days=found.weekday())


def week(user: User, day: str | None = None) -> dict:
    """The weekly callback report (回访周报) of the Monday-to-Sunday week holding `day` (default: last
    week): the first callbacks due in it, their outcome overall and per advisor, the calls that
    went overdue, and the dissatisfied customers with the complaint opened for each."""
    permissions.require(user, "callbacks.read_week")
    monday = week_of(day)
    start = datetime.combine(monday, time(), service_zone())
    end = start + timedelta(days=7)
    due = select(Callback).where(Callback.kind == "first", Callback.deadline_at >= start, Callback.deadline_at < end)
    rows = _figures(due)
    overdue = db.session.scalar(select(func.count()).select_from(OverdueRecord).where(
        OverdueRecord.process_key == "callback", OverdueRecord.deadline_at >= start, OverdueRecord.deadline_at < end))
    dissatisfied = _dissatisfied_rows(db.session.scalars(
        due.where(Callback.status == "completed", Callback.satisfied.is_(False))
        .order_by(Callback.deadline_at, Callback.id)))
    follow_ups = select(Callback).where(Callback.kind == "follow_up", Callback.deadline_at >= start,
                                        Callback.deadline_at < end)
    return {"week_start": monday.isoformat(), "week_end": (monday + timedelta(days=6)).isoformat(),
            "total": {**_totals(rows), "overdue": overdue or 0,
                      "complaints": sum(1 for row in dissatisfied if row["complaint_number"])},
            "advisors": rows, "follow_ups": _totals(_figures(follow_ups)), "dissatisfied": dissatisfied}


def _dissatisfied_rows(callbacks) -> list[dict]:
    return [{"id": c.id, "customer_name": c.customer_name, "contact_phone": c.contact_phone, "subject": c.subject,
             "service_advisor": c.service_advisor, "remarks": c.remarks, "complaint_number": c.complaint_number,
             "apology_text": c.texts[-1].status if c.texts else None, "completed_at": c.completed_at}
            for c in callbacks]
