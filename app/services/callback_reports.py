"""Callback figures: per service advisor (服务顾问) per month, and the weekly callback report
(回访周报) of a Monday-to-Sunday week, by default the one before this week. A callback counts in
the month its customer took the car back and in the week its call was due; effective means the
customer was reached (satisfaction = satisfied / effective, effective rate = effective / due).
The weekly report is per organisation unit: a branch's managers read and are sent their unit's
figures (and its dealers'), the group's readers every unit's with a row per unit."""
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..clock import local, now, service_zone
from ..errors import ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import Callback, CallbackWeekReport, OrgUnit, OverdueRecord, User, UserRole
from . import units as org_units
from .callbacks import OPEN, parse_day
from .complaints import month_range

UNNAMED = ""  # callbacks started without an advisor (a shipped return, a complaint) count under ""


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _figures(query, by=Callback.service_advisor, name: str = "advisor") -> list[dict]:
    """Per advisor (or per value of `by`, under `name`): callbacks, effective, satisfied, ineffective,
    open, satisfaction and effective rates."""
    def counted(condition):
        return func.sum(case((condition, 1), else_=0))
    effective = counted(Callback.status == "completed")
    satisfied = counted((Callback.status == "completed") & Callback.satisfied.is_(True))
    ineffective = counted(Callback.status == "ineffective")
    still_open = counted(Callback.status.in_(OPEN))
    rows = db.session.execute(query.with_only_columns(by, func.count(), effective, satisfied, ineffective, still_open)
                              .group_by(by).order_by(by))
    found = []
    for key, count, eff, sat, ineff, left in rows:
        eff, sat, ineff, left = int(eff or 0), int(sat or 0), int(ineff or 0), int(left or 0)
        found.append({name: (key or UNNAMED) if name == "advisor" else key, "callbacks": count, "effective": eff, "satisfied": sat,
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


READ_WEEK = "callbacks.read_week"


def week(user: User, day: str | None = None, unit: str | None = None) -> dict:
    """The weekly callback report (回访周报) of the Monday-to-Sunday week holding `day` (default: last
    week): the first callbacks due in it, their outcome overall, per advisor and per organisation
    unit, the calls that went overdue, and the dissatisfied customers with the complaint opened for
    each. Of the units the reader sees (a branch's manager: the branch's and its dealers'), or of the
    one named by `unit` (its code) and the units below it."""
    permissions.require(user, READ_WEEK)
    monday = week_of(day)
    below = permissions.units_below(user, READ_WEEK)
    chosen = org_units.chosen(user, READ_WEEK, unit)
    report = week_report(monday, chosen if chosen is not None else below)
    code = unit if chosen is not None else (user.unit.code if below is not None and user.unit else None)
    named = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
    return {**report, "unit": code, "unit_name": named.name if named else None}


def week_report(monday: date, units: list[int] | None = None) -> dict:
    """The figures of the week beginning on `monday`, of the records of `units` (None: every unit's);
    no reader: the caller checked, or sends them. `units` lists the figures per unit when there are
    several."""
    start = datetime.combine(monday, time(), service_zone())
    end = start + timedelta(days=7)
    of_units = () if units is None else (Callback.unit_id.in_(units),)
    due = select(Callback).where(Callback.kind == "first", Callback.deadline_at >= start, Callback.deadline_at < end,
                                 *of_units)
    rows = _figures(due)
    late = select(OverdueRecord.unit_id, func.count()).where(
        OverdueRecord.process_key == "callback", OverdueRecord.deadline_at >= start, OverdueRecord.deadline_at < end,
        *(() if units is None else (OverdueRecord.unit_id.in_(units),))).group_by(OverdueRecord.unit_id)
    overdue = {unit_id: count for unit_id, count in db.session.execute(late)}
    unhappy = list(db.session.scalars(due.where(Callback.status == "completed", Callback.satisfied.is_(False))
                                      .order_by(Callback.deadline_at, Callback.id)))
    dissatisfied = _dissatisfied_rows(unhappy)
    follow_ups = select(Callback).where(Callback.kind == "follow_up", Callback.deadline_at >= start,
                                        Callback.deadline_at < end, *of_units)
    per_unit = []
    if units is None or len(units) > 1:
        complaints = {}
        for callback in unhappy:
            if callback.complaint_number:
                complaints[callback.unit_id] = complaints.get(callback.unit_id, 0) + 1
        per_unit = _unit_rows(_figures(due, Callback.unit_id, "unit_id"), overdue, complaints)
    return {"week_start": monday.isoformat(), "week_end": (monday + timedelta(days=6)).isoformat(),
            "total": {**_totals(rows), "overdue": sum(overdue.values()),
                      "complaints": sum(1 for row in dissatisfied if row["complaint_number"])},
            "advisors": rows, "units": per_unit, "follow_ups": _totals(_figures(follow_ups)),
            "dissatisfied": dissatisfied}


def _unit_rows(rows: list[dict], overdue: dict, complaints: dict) -> list[dict]:
    """The week's figures per organisation unit (its code and 中文 name), in the units' order; a unit
    with overdue calls and none due that week has its row too."""
    known = {row["unit_id"]: row for row in rows}
    for unit_id in overdue:
        known.setdefault(unit_id, {"unit_id": unit_id, **_totals([])})
    named = {unit.id: unit for unit in db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_([key for key in known if key is not None] or [0])))}
    found = []
    for unit_id in sorted(known, key=lambda key: (key is None, key or 0)):
        row = dict(known[unit_id])
        unit = named.get(unit_id)
        del row["unit_id"]
        found.append({"unit": unit.code if unit else None, "unit_name": unit.name if unit else None, **row,
                      "overdue": overdue.get(unit_id, 0), "complaints": complaints.get(unit_id, 0)})
    return found


def _dissatisfied_rows(callbacks) -> list[dict]:
    return [{"id": c.id, "customer_name": c.customer_name, "contact_phone": c.contact_phone, "subject": c.subject,
             "service_advisor": c.service_advisor, "remarks": c.remarks, "complaint_number": c.complaint_number,
             "apology_text": c.texts[-1].status if c.texts else None, "completed_at": c.completed_at,
             "unit": c.unit.code if c.unit else None, "unit_name": c.unit.name if c.unit else None}
            for c in callbacks]


# ----------------------------------------------------------------------------- sent every Monday
WEEK_SUBJECT = N_("Weekly callback report %(week_start)s to %(week_end)s")
UNIT_WEEK_SUBJECT = N_("Weekly callback report of %(unit)s %(week_start)s to %(week_end)s")
WEEK_BODY = N_("Last week's callbacks: %(callbacks)s due, %(effective)s reached, %(satisfied)s satisfied, "
               "%(ineffective)s not reached, %(overdue)s overdue, %(complaints)s complaints opened. "
               "The XLSX file: %(xlsx)s . The report:")
_sent: dict[str, date] = {}  # database URL -> the last week known sent (no query each pass)


def last_week() -> date:
    """The Monday of the week before this one (service time zone): the week whose report is due."""
    today = local(now()).date()
    return today - timedelta(days=today.weekday() + 7)


def send_due() -> list[CallbackWeekReport]:
    """The timer runner's look at the calendar: on Monday (later in the week when the runner was
    down on Monday) last week's callback report goes to its managers (send_week). Cheap when
    nothing is due: the week known sent is remembered per database. Nothing is sent with
    CALLBACK_WEEK_REPORT_AUTOSEND off."""
    if not current_app.config.get("CALLBACK_WEEK_REPORT_AUTOSEND", True):
        return []
    monday, where = last_week(), str(db.engine.url)
    if _sent.get(where) == monday:
        return []
    sent = send_week(monday)
    _sent[where] = monday
    return sent


def send_week(monday: date) -> list[CallbackWeekReport]:
    """The week's report to the customer-service manager and the station's manager
    (permissions.WEEK_REPORT_RECIPIENTS), each the report of the units they read: a branch's
    manager the branch's figures, the group's managers every unit's with a row per unit; a notice
    linking the page and the XLSX file. Once per week and unit: the unit's row of the week is written
    with its notices in the caller's transaction, so a second pass or a second runner finds it (or
    fails on the insert, in a savepoint, and moves on to the next unit)."""
    sent = []
    done = set(db.session.scalars(select(CallbackWeekReport.unit_id).where(CallbackWeekReport.week == monday)))
    for unit_id, people in _recipients().items():
        if unit_id in done:
            continue
        try:
            with db.session.begin_nested():
                row = CallbackWeekReport(week=monday, unit_id=unit_id, sent_at=now(), recipients=0)
                db.session.add(row)
                db.session.flush()  # the unit's week is claimed here: another runner's insert fails or waits
                row.recipients = _tell(monday, unit_id, people)
                db.session.flush()
        except IntegrityError:
            continue  # another runner was first
        current_app.logger.info("weekly callback report of %s for unit %s sent to %s people", monday, unit_id,
                                row.recipients)
        sent.append(row)
    return sent


def _recipients() -> dict[int, list[User]]:
    """The people the weekly report goes to, by the unit whose report they get: the group's (the
    root's id) for those who read every unit, else their own unit's (with the units below it)."""
    root = org_units.root_id()
    people = db.session.scalars(select(User).where(User.active.is_(True), User.id.in_(
        select(UserRole.user_id).where(UserRole.role.in_(permissions.WEEK_REPORT_RECIPIENTS)))).order_by(User.id))
    found: dict[int, list[User]] = {}
    for person in people:
        below = permissions.units_below(person, READ_WEEK)
        unit_id = root if below is None else person.unit_id
        if unit_id is not None:
            found.setdefault(unit_id, []).append(person)
    return dict(sorted(found.items()))


def _tell(monday: date, unit_id: int, people: list[User]) -> int:
    from . import notices  # the outbox: queued in the caller's transaction, sent after its commit
    unit = db.session.get(OrgUnit, unit_id)
    whole = unit.parent_id is None  # the group's: every unit's figures
    report = week_report(monday, None if whole else permissions.units_under(unit_id))
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    week = report["week_start"]
    query = f"week={week}" if whole else f"week={week}&unit={unit.code}"
    values = {"week_start": week, "week_end": report["week_end"], "overdue": report["total"]["overdue"],
              "complaints": report["total"]["complaints"], "xlsx": f"{base}/reports/callbacks/weekly.xlsx?{query}",
              "unit": unit.name, **{key: report["total"][key] for key in ("callbacks", "effective", "satisfied",
                                                                          "ineffective")}}
    return notices.queue_message(people, (WEEK_SUBJECT if whole else UNIT_WEEK_SUBJECT, values), (WEEK_BODY, values),
                                 f"/reports/callbacks/weekly?{query}")
