"""The loaner register (备用机台账) of domain.md's "Returns": a spare unit lent to a customer while
their own unit is under repair past its limit (the Wednesday/Saturday review lends one through
the handler `loaners.lend`, or the repair team from the register's page), and taken back.

A loan is due back at the end of the return date agreed with the customer, if one was, or N
working days (LOANER_RETURN_WORKING_DAYS) after the customer's repaired unit was shipped back,
whichever comes first. The timer runner's pass (`check_overdue`) notes the shipment on the loans
of a shipped request and tells the lender, once, of every loan overdue. Loans carry the unit of
the return request their customer's unit is on: staff see their unit's (app/permissions.py)."""
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, select

from .. import permissions
from ..clock import local, now, service_zone
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import Loaner, ReturnAuthorization, ReturnUnit, User, UserRole
from ..models.types import ID_MAX
from ..workdays import add_working_days
from . import notices, paging, units

READ = "loaners.read"
LEND = "loaners.lend"  # lending and taking back
STATUSES = ("out", "returned")
MAX_SERIAL, MAX_CUSTOMER, MAX_TEXT = 64, 100, 2000
# A loan is lent against a request still at the department (not rejected, not closed).
LENDING_STATUSES = ("awaiting_goods", "mismatch", "received", "warranty_checked", "awaiting_quote_answer",
                    "in_repair", "ready_to_ship")
NEWEST_FIRST = paging.Sort("-lent", ((Loaner.lent_at, True), (Loaner.id, True)))
OVERDUE_SUBJECT = N_("Loaner %(serial)s overdue")
OVERDUE_BODY = N_("The spare unit %(serial)s lent to %(customer)s for the unit %(unit_serial)s was due back on "
                  "%(due)s and has not been returned.")


# ----------------------------------------------------------------------------- lending
def _text(body: dict, name: str, problems: dict, limit: int, required: bool) -> str:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        problems[name] = [N_("must be text")]
        return ""
    text = (value or "").strip()
    if required and not text:
        problems[name] = [N_("is required")]
    elif len(text) > limit:
        problems[name] = [N_("must be at most %(max)s characters", max=limit)]
    return text


def _date(body: dict, problems: dict) -> date | None:
    value = body.get("agreed_return_date")
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems["agreed_return_date"] = [N_("must be a date (YYYY-MM-DD)")]
    elif day < local(now()).date():
        problems["agreed_return_date"] = [N_("must not be in the past")]
    return day


def _checked(body) -> tuple[dict, dict]:
    """The loan's fields from a form or payload, and the problems with them."""
    problems: dict = {}
    if not isinstance(body, dict):
        raise ValidationFailed(N_("the loan was not recorded"), {"body": [N_("must be an object")]})
    fields = {"loaner_serial": _text(body, "loaner_serial", problems, MAX_SERIAL, True),
              "loaner_unit_serial": _text(body, "loaner_unit_serial", problems, MAX_SERIAL, True),
              "customer": _text(body, "customer", problems, MAX_CUSTOMER, True),
              "note": _text(body, "note", problems, MAX_TEXT, False),
              "agreed_return_date": _date(body, problems)}
    if fields["loaner_serial"] and "loaner_serial" not in problems and db.session.scalar(
            select(Loaner.id).where(Loaner.loaner_serial == fields["loaner_serial"],
                                    Loaner.returned_at.is_(None)).limit(1)):
        problems["loaner_serial"] = [N_("this spare unit is out on loan: take it back first")]
    return fields, problems


def _end_of(day: date | None) -> datetime | None:
    """The agreed return date's end (service time zone): due then."""
    return None if day is None else datetime.combine(day + timedelta(days=1), time(), tzinfo=service_zone())


def _record(fields: dict, request: ReturnAuthorization, actor_id: int | None) -> Loaner:
    loan = Loaner(**fields, request_id=request.id, instance_id=request.instance_id, unit_id=request.unit_id,
                  due_at=_end_of(fields["agreed_return_date"]), lent_at=now(), lent_by_id=actor_id, return_note="")
    db.session.add(loan)
    db.session.flush()
    return loan


def lend(user: User, body) -> Loaner:
    """A spare unit lent from the register's page or the API: {"loaner_serial", "loaner_unit_serial"
    (the customer's unit, on a return request at the department), "customer", optional
    "agreed_return_date", "note"}."""
    permissions.require(user, LEND)
    fields, problems = _checked(body)
    request = None
    if fields["loaner_unit_serial"] and "loaner_unit_serial" not in problems:
        for found in db.session.scalars(
                select(ReturnAuthorization).join(ReturnUnit, ReturnUnit.request_id == ReturnAuthorization.id)
                .where(ReturnUnit.serial == fields["loaner_unit_serial"],
                       ReturnAuthorization.status.in_(LENDING_STATUSES))
                .order_by(ReturnAuthorization.submitted_at.desc(), ReturnAuthorization.id.desc())):
            if permissions.can(user, LEND, found):
                request = found
                break
        if request is None:
            problems["loaner_unit_serial"] = [N_("no return request at the department has this unit")]
    if problems:
        raise ValidationFailed(N_("the loan was not recorded"), problems)
    return _record(fields, request, user.id)


def lend_for_case(instance_id: int, actor_id: int | None, data: dict) -> int:
    """A spare unit lent by a step of a return case (the review of late units, through the
    handler context's `lend_loaner`): the customer's unit must be on the case's request.
    ValidationFailed naming the field otherwise. Returns the loan's id."""
    fields, problems = _checked(data)
    request = db.session.scalar(select(ReturnAuthorization).where(ReturnAuthorization.instance_id == instance_id))
    if request is None:
        raise ValidationFailed(N_("the loan was not recorded"),
                               {"loaner_unit_serial": [N_("no return request at the department has this unit")]})
    if fields["loaner_unit_serial"] and "loaner_unit_serial" not in problems and \
            fields["loaner_unit_serial"] not in {u.serial for u in request.units}:
        problems["loaner_unit_serial"] = [N_("is not a unit of this return request")]
    if problems:
        raise ValidationFailed(N_("the loan was not recorded"), problems)
    return _record(fields, request, actor_id).id


def get(user: User, loaner_id) -> Loaner:
    loan = db.session.get(Loaner, loaner_id) if isinstance(loaner_id, int) and 0 < loaner_id <= ID_MAX else None
    if loan is None or permissions.hidden(user, READ, loan):
        raise NotFound(N_("no such loan"))  # another unit's is not shown to exist
    permissions.require(user, READ, loan)
    return loan


def give_back(user: User, loaner_id: int, body) -> Loaner:
    """The spare unit came back: {"note"} optional."""
    permissions.require(user, LEND)
    loan = db.session.scalar(select(Loaner).where(Loaner.id == loaner_id).with_for_update()) \
        if 0 < loaner_id <= ID_MAX else None
    if loan is None or not permissions.can(user, LEND, loan):
        raise NotFound(N_("no such loan"))
    problems: dict = {}
    note = _text(body if isinstance(body, dict) else {}, "note", problems, MAX_TEXT, False)
    if problems:
        raise ValidationFailed(N_("the return was not recorded"), problems)
    if loan.returned_at is not None:
        raise Conflict(N_("the spare unit was returned already"))
    loan.returned_at, loan.returned_by_id, loan.return_note = now(), user.id, note
    db.session.flush()
    return loan


# ----------------------------------------------------------------------------- reading
def _overdue(at: datetime):
    return and_(Loaner.returned_at.is_(None), Loaner.due_at <= at)


def is_overdue(loan: Loaner, at: datetime | None = None) -> bool:
    return loan.returned_at is None and loan.due_at is not None and loan.due_at <= (at or now())


def register(user: User, status=None, overdue=None, unit=None, after=None, page=1, per_page=50) -> paging.Page:
    """The loans `user` may read, newest first; status out | returned, overdue "1" for the overdue ones,
    unit: a unit's code (its loans and its dealers')."""
    query = permissions.scope(user, READ, select(Loaner))
    if status:
        if status not in STATUSES:
            raise ValidationFailed(N_("bad filter"), {"status": [N_("must be one of %(choices)s",
                                                                   choices=", ".join(STATUSES))]})
        query = query.where(Loaner.returned_at.is_(None) if status == "out" else Loaner.returned_at.is_not(None))
    if overdue not in (None, "", "0", "false"):
        if overdue not in ("1", "true"):
            raise ValidationFailed(N_("bad filter"), {"overdue": [N_("must be 1 or 0")]})
        query = query.where(_overdue(now()))
    parts, narrow = units.narrowed(user, READ, Loaner.unit_id, unit)
    query = query.where(*narrow)
    return paging.paginate(query, NEWEST_FIRST, after=after, page=page, per_page=per_page, parts=parts)


def as_dict(loan: Loaner) -> dict:
    return {"id": loan.id, "loaner_serial": loan.loaner_serial, "loaner_unit_serial": loan.loaner_unit_serial,
            "customer": loan.customer, "rma_number": loan.request.number if loan.request else None,
            "instance_id": loan.instance_id, "unit": loan.unit.code if loan.unit else None,
            "agreed_return_date": loan.agreed_return_date.isoformat() if loan.agreed_return_date else None,
            "unit_shipped_at": loan.unit_shipped_at, "due_at": loan.due_at, "overdue": is_overdue(loan),
            "note": loan.note, "lent_at": loan.lent_at, "lent_by": loan.lent_by.username if loan.lent_by else None,
            "returned_at": loan.returned_at, "returned_by": loan.returned_by.username if loan.returned_by else None,
            "return_note": loan.return_note}


# ----------------------------------------------------------------------------- the timer runner's look
def check_overdue() -> int:
    """The timer runner's pass: loans whose customer's unit was shipped back get their due time
    (N working days after, unless an agreed date comes first); the lender of each loan now overdue
    is told once (a notice; the repair team's people when nobody lent it). Reads only the loans
    out (a few: the spare stock). Returns how many loans were told of."""
    at = now()
    open_loans = Loaner.returned_at.is_(None)
    shipped = db.session.execute(
        select(Loaner, ReturnAuthorization.shipped_at).join(ReturnAuthorization, ReturnAuthorization.id == Loaner.request_id)
        .where(open_loans, Loaner.unit_shipped_at.is_(None), ReturnAuthorization.shipped_at.is_not(None))).all()
    if shipped:
        days = current_app.config["LOANER_RETURN_WORKING_DAYS"]
        for loan, shipped_at in shipped:
            loan.unit_shipped_at = shipped_at
            due = add_working_days(shipped_at, days)
            loan.due_at = min(loan.due_at, due) if loan.due_at else due
        db.session.flush()
    told = 0
    for loan in db.session.scalars(select(Loaner).where(_overdue(at), Loaner.overdue_noticed_at.is_(None))
                                   .order_by(Loaner.due_at, Loaner.id)):
        people = [loan.lent_by] if loan.lent_by is not None else list(db.session.scalars(
            select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "repair_technician")
            .order_by(User.id)))
        values = {"serial": loan.loaner_serial, "customer": loan.customer, "unit_serial": loan.loaner_unit_serial,
                  "due": local(loan.due_at).strftime("%Y-%m-%d %H:%M")}
        notices.queue_message(people, (OVERDUE_SUBJECT, values), (OVERDUE_BODY, values), "/loaners?overdue=1")
        loan.overdue_noticed_at = at
        told += 1
    if told:
        db.session.flush()
        current_app.logger.info("%s overdue loan(s) told to their lenders", told)
    return told
