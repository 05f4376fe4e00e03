"""Handlers that keep the return authorization register (返修机返厂申请) current from the
application to receiving (procedure 2, steps 1-4); the warranty check, quote, repair and
shipping back are in return_repairs.py."""
from datetime import date, datetime

from sqlalchemy import select

from ..extensions import db
from ..i18n import N_
from ..models import ProcessInstance, ReturnAuthorization, ReturnUnit
from . import HandlerContext, HandlerError, handler
from .numbering import next_number

REQUEST_FIELDS = ("branch", "model", "quantity", "fault_description", "warranty_card", "dealer_seal",
                  "customer_name", "contact_phone")


def request_of(ctx: HandlerContext) -> ReturnAuthorization:
    found = db.session.scalar(select(ReturnAuthorization).where(ReturnAuthorization.instance_id == ctx.instance_id))
    if found is None:
        raise HandlerError(f"instance {ctx.instance_id} has no return authorization record")
    return found


def _fill(request: ReturnAuthorization, data: dict) -> None:
    for name in REQUEST_FIELDS:
        setattr(request, name, data[name])
    request.purchase_date = date.fromisoformat(data["purchase_date"])
    request.units = [ReturnUnit(serial=serial, status="requested") for serial in data["serial_numbers"]]


@handler("returns.submit",
         summary=N_("Registers the return authorization request"),
         returns=N_("the request's id"))
def submit(ctx: HandlerContext) -> int:
    request = ReturnAuthorization(instance_id=ctx.instance_id, status="under_review", requested_by_id=ctx.actor_id,
                                  submitted_at=ctx.now)
    _fill(request, ctx.data)
    db.session.add(request)
    db.session.flush()
    return request.id


@handler("returns.record_review",
         summary=N_("Records the branch manager's review"),
         returns=N_("the review decision"))
def record_review(ctx: HandlerContext) -> str:
    request, decision = request_of(ctx), ctx.data["review_decision"]
    request.reviewed_by_id = ctx.actor_id
    request.review_reason = ctx.data.get("review_reason") or None
    if decision == "send_back":
        request.status, request.send_backs = "sent_back", request.send_backs + 1
    elif decision == "approve":
        request.status = "awaiting_approval"
    return decision  # a rejection is recorded by returns.reject


@handler("returns.resubmit",
         summary=N_("Registers the corrected request again"),
         returns=N_("the request's id"))
def resubmit(ctx: HandlerContext) -> int:
    request = request_of(ctx)
    _fill(request, ctx.data)
    request.status = "under_review"
    db.session.flush()
    return request.id


@handler("returns.record_approval",
         summary=N_("Records the department head's decision and issues the RMA number"),
         returns=N_('the RMA number, or "rejected"'))
def record_approval(ctx: HandlerContext) -> str:
    request = request_of(ctx)
    request.approved_by_id = ctx.actor_id
    if ctx.data["approval_decision"] != "approve":
        request.approval_reason = ctx.data.get("approval_reason") or None
        return "rejected"
    # Numbered only now: a rejected application never takes a number from the month's series.
    request.number = next_number("RMA", ctx.now)
    request.approved_at, request.status = ctx.now, "awaiting_goods"
    db.session.get(ProcessInstance, ctx.instance_id).business_key = request.number
    return request.number


@handler("returns.reject",
         summary=N_("Ends the request with the rejection reason"),
         returns=N_("the rejection reason"))
def reject(ctx: HandlerContext) -> str:
    """Either level's rejection ends the application; the reason goes to the engineer's inbox."""
    request, data = request_of(ctx), ctx.data
    by_head = data.get("approval_decision") == "reject"
    request.rejected_by_role = "department_head" if by_head else "branch_manager"
    request.rejection_reason = (data.get("approval_reason") if by_head else data.get("review_reason")) or ""
    request.status, request.closed_at = "rejected", ctx.now
    return request.rejection_reason


@handler("returns.check_receipt",
         summary=N_("Checks count, model and serial numbers of the goods received"),
         returns=N_("whether the goods match the request"))
def check_receipt(ctx: HandlerContext) -> bool:
    """Count, model and serial numbers against the application; what differs is recorded."""
    request, data = request_of(ctx), ctx.data
    arrived = list(data.get("received_serials") or [])
    request.received_at = datetime.fromisoformat(data["received_at"])
    request.received_quantity, request.received_model = data["received_quantity"], data["received_model"]
    # Each receipt is a recount of everything at headquarters under this number.
    request.units = [u for u in request.units if u.status != "not_on_request"]
    for unit in request.units:
        unit.status = "received" if unit.serial in arrived else "missing"
    requested = {u.serial for u in request.units}
    request.units.extend(ReturnUnit(serial=s, status="not_on_request") for s in arrived if s not in requested)
    differences = []
    if request.received_quantity != request.quantity:
        differences.append(f"数量不符：申请 {request.quantity} 台，实到 {request.received_quantity} 台")
    if request.received_model.strip().lower() != request.model.strip().lower():
        differences.append(f"型号不符：申请 {request.model}，实到 {request.received_model}")
    missing = [u.serial for u in request.units if u.status == "missing"]
    extra = [s for s in arrived if s not in requested]
    if missing:
        differences.append(f"未到序列号：{', '.join(missing)}")
    if extra:
        differences.append(f"申请外序列号：{', '.join(extra)}")
    if differences:
        request.receipt_mismatch, request.status = "；".join(differences), "mismatch"
        return False
    request.status = "received"
    return True


@handler("returns.record_mismatch_reply",
         summary=N_("Records the engineer's answer to a difference in the goods"),
         returns=N_("the request's status"))
def record_mismatch_reply(ctx: HandlerContext) -> str:
    request, action = request_of(ctx), ctx.data["mismatch_action"]
    request.mismatch_reply = f"{'按实到机器处理' if action == 'proceed' else '分公司补发'}：{ctx.data['mismatch_explanation']}"
    request.status = "received" if action == "proceed" else "awaiting_goods"
    return request.status
