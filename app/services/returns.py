"""The return authorization register (返修机返厂申请登记), receiving shipments at the door,
and the record of shipments refused because no approved application covers them (each proposes
the penalties of an unauthorised shipment for the branch it came from: services/penalties.py)."""
from datetime import datetime

from sqlalchemy import or_, select

from .. import forms, permissions
from ..clock import now
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import OpenTask, OrgUnit, RefusedShipment, ReturnAuthorization, User
from . import inbox, paging, penalties, search, units

# Headquarters reads every request; branch staff the ones they raised or reviewed (app/permissions.py).
READ = "returns.read_register"
STATUSES = ("awaiting_confirmation", "under_review", "sent_back", "awaiting_approval", "rejected", "awaiting_goods",
            "mismatch", "received", "warranty_checked", "awaiting_quote_answer", "in_repair", "ready_to_ship", "closed",
            "withdrawn", "cancelled", "uncollected")


NEWEST_FIRST = paging.Sort("-submitted", ((ReturnAuthorization.submitted_at, True), (ReturnAuthorization.id, True)))


def register(user: User, status=None, branch=None, q=None, unit=None, after=None, page=1, per_page=50) -> paging.Page:
    query = permissions.scope(user, READ, select(ReturnAuthorization))
    if status:
        if status not in STATUSES:
            raise ValidationFailed(N_("bad status"), {"status": [N_("one of %(choices)s", choices=", ".join(STATUSES))]})
        query = query.where(ReturnAuthorization.status == status)
    if branch:
        query = query.where(ReturnAuthorization.branch == branch)
    if q and q.strip():
        query = query.where(search.matching(ReturnAuthorization, q))
    parts, narrow = units.narrowed(user, READ, ReturnAuthorization.unit_id, unit)
    query = query.where(*narrow)
    return paging.paginate(query, NEWEST_FIRST, after=after, page=page, per_page=per_page, parts=parts)


def get(user: User, key: str) -> ReturnAuthorization:
    """By RMA number, or by the request's id while it has no number yet (before approval)."""
    permissions.require(user, READ)
    column = ReturnAuthorization.id if key.isdigit() else ReturnAuthorization.number
    found = db.session.scalar(select(ReturnAuthorization).where(column == (int(key) if key.isdigit() else key)))
    if found is None or not permissions.can(user, READ, found):
        raise NotFound(N_("no return authorization %(key)s", key=key))  # another branch's is not shown to exist
    return found


def receive_shipment(user: User, data) -> dict:
    """Goods at the door. With the number of an approved request waiting for goods, they are
    taken in (the request's receiving task is completed with them); otherwise they are refused
    and the refusal is recorded (kept even though the goods are not taken in)."""
    permissions.require(user, "returns.receive")
    clean = forms.validate(forms.shipped()["return_authorization.shipment"], data)
    number = clean["rma_number"].strip().upper()
    request = db.session.scalar(select(ReturnAuthorization).where(ReturnAuthorization.number == number)) \
        if number else None
    task = db.session.scalar(select(OpenTask).where(OpenTask.instance_id == request.instance_id,
                                                    OpenTask.task_name == "receive_goods")) if request else None
    if task is None:
        reason = "no_number" if not number else "unknown_number" if request is None else "not_awaiting_goods"
        refusal = RefusedShipment(arrived_at=datetime.fromisoformat(clean["received_at"]), rma_number=number or None,
                                  branch=clean["branch"], model=clean["received_model"],
                                  quantity=clean["received_quantity"], serial_numbers=clean["received_serials"],
                                  reason=reason, remarks=clean["receipt_remarks"], recorded_by_id=user.id,
                                  recorded_at=now())
        db.session.add(refusal)
        db.session.flush()
        penalties.propose_for_refused_shipment(refusal, _sender_unit(request, refusal.branch))
        return {"accepted": False, "refusal": refusal_dict(refusal)}
    receipt = {name: clean[name] for name in ("received_at", "received_quantity", "received_model",
                                              "received_serials", "receipt_remarks")}
    instance = inbox.complete(user, task.id, receipt)
    return {"accepted": True, "number": request.number, "instance_id": instance.id, "status": request.status}


def _sender_unit(request: ReturnAuthorization | None, branch: str) -> int | None:
    """The organisation unit refused goods came from: the request's their number names, else the
    unit the parcel's branch names (its name or code); None when neither is known."""
    if request is not None and request.unit_id is not None:
        return request.unit_id
    name = branch.strip()
    return db.session.scalar(select(OrgUnit.id).where(or_(OrgUnit.name == name, OrgUnit.code == name))
                             .order_by(OrgUnit.id).limit(1)) if name else None


REFUSED_NEWEST_FIRST = paging.Sort("-arrived", ((RefusedShipment.arrived_at, True), (RefusedShipment.id, True)))


def refusals(user: User, after=None, page=1, per_page=50) -> paging.Page:
    permissions.require(user, "returns.read_refusals")
    return paging.paginate(select(RefusedShipment), REFUSED_NEWEST_FIRST, after=after, page=page, per_page=per_page)


def refusal_dict(refusal: RefusedShipment) -> dict:
    return {"id": refusal.id, "arrived_at": refusal.arrived_at, "rma_number": refusal.rma_number,
            "branch": refusal.branch, "model": refusal.model, "quantity": refusal.quantity,
            "serial_numbers": refusal.serial_numbers, "reason": refusal.reason, "remarks": refusal.remarks,
            "recorded_by": refusal.recorded_by.username if refusal.recorded_by else None,
            "recorded_at": refusal.recorded_at}


COLUMNS = ("id", "number", "instance_id", "status", "branch", "model", "quantity", "fault_description",
           "purchase_date", "warranty_card", "dealer_seal", "customer_name", "contact_phone", "submitted_at",
           "send_backs", "review_reason", "approval_reason", "approved_at", "rejected_by_role", "rejection_reason",
           "received_at", "received_quantity", "received_model", "receipt_mismatch", "mismatch_reply",
           "quote_answer_due_at", "quote_answer", "repair_due_at", "repair_rounds", "repaired_at",
           "repaired_on_time", "repair_report", "shipped_at", "waybill_number", "closed_at", "callback_id",
           "request_kind", "route", "confirmation_reason", "shipment_due_at", "end_reason", "returned_goods_handling")


def as_dict(request: ReturnAuthorization) -> dict:
    row = {name: getattr(request, name) for name in COLUMNS}
    row["purchase_date"] = request.purchase_date.isoformat()
    row["quote_amount"] = float(request.quote_amount) if request.quote_amount is not None else None
    row["requested_by"] = request.requested_by.username if request.requested_by else None
    row["unit"] = request.unit.code if request.unit else None
    row["serial_numbers"] = [u.serial for u in request.units if u.status != "not_on_request"]
    row["units"] = [{"serial": u.serial, "status": u.status, "in_warranty": u.in_warranty,
                     "warranty_reason": u.warranty_reason, "damage": u.damage, "serial_intact": u.serial_intact,
                     "quote": unit_quote(u), "quote_answer": u.quote_answer}
                    for u in request.units]
    return row


def unit_quote(unit) -> dict | None:
    """A unit's itemised quote in yuan, with its total; None when it was not quoted."""
    if unit.quote_repair is None:
        return None
    items = {name: float(getattr(unit, f"quote_{name}") or 0) for name in ("repair", "materials", "added_parts", "upgrade")}
    return {**items, "total": round(sum(items.values()), 2)}
