"""Callback figures: per service advisor (服务顾问) per month, and the weekly callback report
(回访周报) of a Monday-to-Sunday week, by default the one before this week. A callback counts in
the month its customer took the car back and in the week its call was due; effective means the
customer was reached (satisfaction = satisfied / effective, effective rate = effective / due)."""
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..clock import local, now, service_zone
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import Callback, CallbackWeekReport, OverdueRecord, User, UserRole
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
    return week_report(week_of(day))


def week_report(monday: date) -> dict:
    """The figures of the week beginning on `monday` (no reader: the caller checked, or sends them)."""
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


# ----------------------------------------------------------------------------- sent every Monday
WEEK_SUBJECT = N_("Weekly callback report %(week_start)s to %(week_end)s")
WEEK_BODY = N_("Last week's callbacks: %(callbacks)s due, %(effective)s reached, %(satisfied)s satisfied, "
               "%(ineffective)s not reached, %(overdue)s overdue, %(complaints)s complaints opened. "
               "The XLSX file: %(xlsx)s . The report:")
_sent: dict[str, date] = {}  # database URL -> the last week known sent (no query each pass)


def last_week() -> date:
    """The Monday of the week before this one (service time zone): the week whose report is due."""
    today = local(now()).date()
    return today - timedelta(days=today.weekday() + 7)


def send_due() -> CallbackWeekReport | None:
    """The timer runner's look at the calendar: on Monday (later in the week when the runner was
    down on Monday) last week's callback report goes to the customer-service manager and the
    station's manager (permissions.WEEK_REPORT_RECIPIENTS) as a notice linking its page and XLSX
    file. Once per week: the week's row, whose key is its Monday, is written with the notices in
    the caller's transaction, so a second pass or a second runner finds it (or fails on the insert,
    in a savepoint, and moves on). Nothing is sent with CALLBACK_WEEK_REPORT_AUTOSEND off."""
    if not current_app.config.get("CALLBACK_WEEK_REPORT_AUTOSEND", True):
        return None
    monday, where = last_week(), str(db.engine.url)
    if _sent.get(where) == monday:
        return None
    row = None
    if db.session.get(CallbackWeekReport, monday) is None:
        try:
            with db.session.begin_nested():
                row = CallbackWeekReport(week=monday, sent_at=now(), recipients=0)
                db.session.add(row)
                db.session.flush()  # the week is claimed here: another runner's insert fails or waits
                row.recipients = _tell(monday)
                db.session.flush()
        except IntegrityError:
            row = None  # another runner was first
        else:
            current_app.logger.info("weekly callback report of %s sent to %s people", monday, row.recipients)
    _sent[where] = monday
    return row


def _tell(monday: date) -> int:
    from . import notices  # the outbox: queued in the caller's transaction, sent after its commit
    report = week_report(monday)
    people = list(db.session.scalars(select(User).where(User.active.is_(True), User.id.in_(
        select(UserRole.user_id).where(UserRole.role.in_(permissions.WEEK_REPORT_RECIPIENTS)))).order_by(User.id)))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    week = report["week_start"]
    values = {"week_start": week, "week_end": report["week_end"], "overdue": report["total"]["overdue"],
              "complaints": report["total"]["complaints"], "xlsx": f"{base}/reports/callbacks/weekly.xlsx?week={week}",
              **{key: report["total"][key] for key in ("callbacks", "effective", "satisfied", "ineffective")}}
    return notices.queue_message(people, (WEEK_SUBJECT, values), (WEEK_BODY, values),
                                 f"/reports/callbacks/weekly?week={week}")
