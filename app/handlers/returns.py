"""Handlers that keep the return authorization register (返修机返厂申请) current through
procedure 2: the application and its review and approval, receiving, the units judged one by
one (the rules are processes/warranty_check.dmn), the quote for units out of warranty, repair
with its time limit, and the shipment back that starts a callback."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..clock import local
from ..extensions import db
from ..i18n import N_
from ..models import OrgUnit, ProcessInstance, ReturnAuthorization, ReturnUnit
from ..workdays import add_working_days
from . import HandlerContext, HandlerError, HandlerRefusal, Parameter, handler
from .callbacks import start_callback
from .numbering import next_number
from .overdue import record_miss  # issue 4's overdue record, shared by every procedure

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
    request.request_kind = data.get("request_kind") or "repair"  # version 1's form has no kind: repairs
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


SHIPMENT_DAYS = 30  # an approval not shipped within these calendar days is cancelled
# The route of an application by its unit's kind (domain.md, "Returns: two routes"): an operating
# branch's goes engineer -> field service supervisor -> branch manager; a managed branch's and a
# dealer's: raised -> local repair engineer -> provincial manager. Both end at the department head.
ROUTES = {"operating_branch": "operating", "managed_branch": "managed", "dealer": "dealer"}


@handler("returns.route",
         summary=N_("Chooses the application's route by the kind of its organisation unit"),
         returns=N_("operating, managed or dealer"))
def route(ctx: HandlerContext) -> str:
    """The case's unit says the route: a managed branch's or a dealer's application is confirmed by
    the local repair engineer and reviewed by the provincial manager; any other by the field
    service supervisor and the branch manager."""
    request = request_of(ctx)
    instance = db.session.get(ProcessInstance, ctx.instance_id)
    unit = db.session.get(OrgUnit, instance.unit_id) if instance.unit_id else None
    request.route = ROUTES.get(unit.kind if unit else "", "operating")
    request.status = "awaiting_confirmation"
    return request.route


def _decided(ctx: HandlerContext, step: str, decided_by: str, reason: str) -> tuple[ReturnAuthorization, str]:
    """A confirmation's or a review's answer (its form's `<step>_decision` and `<step>_reason`): who
    decided is recorded, and why (a refusal's reason is also the rejection's, see returns.reject)."""
    request = request_of(ctx)
    setattr(request, decided_by, ctx.actor_id)
    setattr(request, reason, ctx.data.get(f"{step}_reason") or None)
    return request, ctx.data[f"{step}_decision"]


@handler("returns.record_confirmation",
         summary=N_("Records the confirmation before the review"),
         returns=N_("the confirmation decision"))
def record_confirmation(ctx: HandlerContext) -> str:
    request, decision = _decided(ctx, "confirm", "confirmed_by_id", "confirmation_reason")
    if decision == "confirm":
        request.status = "under_review"
    return decision  # not confirmed: recorded by returns.reject


@handler("returns.record_review",
         summary=N_("Records the branch manager's review"),
         returns=N_("the review decision"))
def record_review(ctx: HandlerContext) -> str:
    request, decision = _decided(ctx, "review", "reviewed_by_id", "review_reason")
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
    managed = data.get("route") in ("managed", "dealer")
    if data.get("approval_decision") == "reject":
        request.rejected_by_role, reason = "department_head", data.get("approval_reason")
    elif data.get("review_decision") == "reject":
        request.rejected_by_role = "provincial_manager" if managed else "branch_manager"
        reason = data.get("review_reason")
    else:  # not confirmed (version 2)
        request.rejected_by_role = "branch_engineer" if managed else "field_service_supervisor"
        reason = data.get("confirm_reason")
    request.rejection_reason = reason or ""
    request.status, request.closed_at = "rejected", ctx.now
    return request.rejection_reason


@handler("returns.plan_shipment",
         summary=N_("Sets the time by which the approved goods must be shipped"),
         returns=N_("the shipment: its due time, and whether it was withdrawn"))
def plan_shipment(ctx: HandlerContext) -> dict:
    request = request_of(ctx)
    request.shipment_due_at = ctx.now + timedelta(days=SHIPMENT_DAYS)
    return {"due_at": request.shipment_due_at.isoformat(), "withdrawn": False}


@handler("returns.withdraw",
         summary=N_("Withdraws the application before its goods were shipped"),
         returns=N_("the shipment, withdrawn"))
def withdraw(ctx: HandlerContext) -> dict:
    request = request_of(ctx)
    request.status, request.closed_at = "withdrawn", ctx.now
    request.end_reason = ctx.data["withdraw_reason"]
    return {**ctx.data["shipment"], "withdrawn": True}


@handler("returns.cancel_unshipped",
         summary=N_("Cancels an approval whose goods were never shipped"),
         returns=N_("why it was cancelled"))
def cancel_unshipped(ctx: HandlerContext) -> str:
    """The goods did not arrive within the days an approval allows: the application is cancelled
    (its number stays used) and the engineer is told."""
    request = request_of(ctx)
    request.status, request.closed_at = "cancelled", ctx.now
    request.end_reason = f"批准后 {SHIPMENT_DAYS} 天内未发货，申请自动取消"
    return request.end_reason


@handler("returns.record_returned_goods",
         summary=N_("Records how the returned goods were handled"),
         returns=N_("the handling"))
def record_returned_goods(ctx: HandlerContext) -> str:
    """Returned goods (退货): fewer than 10 units the repair team reworks or dismantles, 10 or more
    go to production planning (PMC); the application closes with what was done."""
    request, data = request_of(ctx), ctx.data
    request.returned_goods_handling = f"{data['returned_goods_action']}：{data['returned_goods_notes']}"
    request.status, request.closed_at = "closed", ctx.now
    return data["returned_goods_action"]


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


def repair_limit_days(units: int) -> int:
    """Working days from receipt: 1 unit 3, up to 3 units 7, a batch 15 (domain.md)."""
    return 3 if units == 1 else 7 if units <= 3 else 15


def _within_one_year(purchased: date, on: date) -> bool:
    try:
        anniversary = purchased.replace(year=purchased.year + 1)
    except ValueError:  # bought on 29 February
        anniversary = date(purchased.year + 1, 3, 1)
    return on <= anniversary


@handler("returns.prepare_warranty",
         summary=N_("Prepares one decision-table row per unit for the warranty check"),
         returns=N_("the rows, one per unit"))
def prepare_warranty(ctx: HandlerContext) -> list[dict]:
    """One input row per unit for the decision table. A unit's age counts to the day the
    branch applied: the fault happened then, the shipping time must not void the warranty."""
    request, data = request_of(ctx), ctx.data
    damaged, not_intact = data.get("damaged_units") or {}, set(data.get("serials_not_intact") or [])
    applied_on = local(request.submitted_at).date()
    rows = []
    for unit in request.units:
        if unit.status != "received":
            continue  # missing, or not covered by the authorization (goes back as it came)
        unit.damage, unit.serial_intact = damaged.get(unit.serial, "none"), unit.serial not in not_intact
        rows.append({"serial": unit.serial, "damage": unit.damage, "serial_intact": unit.serial_intact,
                     "warranty_card": request.warranty_card, "dealer_seal": request.dealer_seal,
                     "within_one_year": _within_one_year(request.purchase_date, applied_on)})
    request.status = "warranty_checked"
    return rows


@handler("returns.record_warranty",
         summary=N_("Records each unit's warranty verdict"),
         returns=N_("the number of units out of warranty"))
def record_warranty(ctx: HandlerContext) -> int:
    request = request_of(ctx)
    verdicts = {v["serial"]: v for v in ctx.data.get("warranty_verdicts") or []}
    out = 0
    for unit in request.units:
        verdict = verdicts.get(unit.serial)
        if verdict is None:
            continue
        unit.in_warranty, unit.warranty_reason = bool(verdict["in_warranty"]), verdict["reason"]
        unit.status = "in_warranty" if unit.in_warranty else "out_of_warranty"
        out += not unit.in_warranty
    return out


@handler("returns.record_quote",
         summary=N_("Records the quote for the units out of warranty"),
         returns=N_("the time the answer is due"))
def record_quote(ctx: HandlerContext) -> str:
    request = request_of(ctx)
    request.quote_amount = round(float(ctx.data["quote_amount"]), 2)
    request.quote_answer_due_at = add_working_days(ctx.now, 2)  # the sender's 2 working days
    request.status = "awaiting_quote_answer"
    return request.quote_answer_due_at.isoformat()


def _settle_quote(ctx: HandlerContext, answer: str) -> str:
    request = request_of(ctx)
    request.quote_answer = answer
    for unit in request.units:
        if unit.status == "out_of_warranty":
            unit.status = "quote_accepted" if answer == "accepted" else "unrepaired"
            unit.quote_answer = unit.quote_answer or answer
    return answer


@handler("returns.record_itemised_quote",
         summary=N_("Records the itemised quote of each unit out of warranty"),
         returns=N_("the time the answer is due"))
def record_itemised_quote(ctx: HandlerContext) -> str:
    """Repair, materials, added parts and upgrade per unit (version 2): every unit out of warranty
    is quoted, no other; the branch manager answers within 2 working days."""
    request, items = request_of(ctx), ctx.data["quote_items"]
    out = {u.serial: u for u in request.units if u.status == "out_of_warranty"}
    if set(items) != set(out):
        raise HandlerRefusal("quote_items", N_("quote every unit out of warranty, and only those: %(serials)s",
                                               serials=", ".join(sorted(out))))
    for serial, item in items.items():
        for name in ("repair", "materials", "added_parts", "upgrade"):
            setattr(out[serial], f"quote_{name}", round(float(item[name]), 2))
    request.quote_amount = round(sum(float(v) for item in items.values() for v in item.values()), 2)
    request.quote_answer_due_at = add_working_days(ctx.now, 2)
    request.status = "awaiting_quote_answer"
    return request.quote_answer_due_at.isoformat()


@handler("returns.record_unit_answers",
         summary=N_("Records the branch manager's answer for each quoted unit"),
         returns=N_("accepted, refused or partly (some units accepted)"))
def record_unit_answers(ctx: HandlerContext) -> str:
    """Accepted units go to repair; refused ones, and any left unanswered, go back unrepaired."""
    request, answers = request_of(ctx), ctx.data.get("quote_answers") or {}
    quoted = {u.serial: u for u in request.units if u.status == "out_of_warranty"}
    unknown = sorted(set(answers) - set(quoted))
    if unknown:
        raise HandlerRefusal("quote_answers", N_("not a quoted unit: %(serials)s", serials=", ".join(unknown)))
    for serial, unit in quoted.items():
        unit.quote_answer = answers.get(serial, "unanswered")
        unit.quote_answered_at, unit.quote_answered_by_id = ctx.now, ctx.actor_id
        unit.status = "quote_accepted" if unit.quote_answer == "accepted" else "unrepaired"
    accepted = sum(u.quote_answer == "accepted" for u in quoted.values())
    request.quote_answer = "accepted" if accepted == len(quoted) else "refused" if not accepted else "partly"
    return request.quote_answer


@handler("returns.record_quote_answer",
         summary=N_("Records the sender's answer to the quote"),
         returns=N_("the answer: accepted or refused"))
def record_quote_answer(ctx: HandlerContext) -> str:
    return _settle_quote(ctx, "accepted" if ctx.data["quote_accepted"] else "refused")


@handler("returns.quote_expired",
         summary=N_("Counts an unanswered quote as refused"),
         returns=N_("the answer: expired"))
def quote_expired(ctx: HandlerContext) -> str:
    """No answer within 2 working days counts as a refusal: those units go back unrepaired."""
    return _settle_quote(ctx, "expired")


@handler("returns.plan_repair",
         summary=N_("Sets the repair time limit from the number of units"),
         returns=N_("the repair's due time"))
def plan_repair(ctx: HandlerContext) -> str | None:
    request = request_of(ctx)
    to_repair = [u for u in request.units if u.status in ("in_warranty", "quote_accepted")]
    for unit in request.units:
        if unit.status == "not_on_request":
            unit.status = "unrepaired"
    if not to_repair:
        request.status = "ready_to_ship"
        return None
    for unit in to_repair:
        unit.status = "in_repair"
    request.repair_due_at = add_working_days(request.received_at, repair_limit_days(len(to_repair)))
    request.status = "in_repair"
    return request.repair_due_at.isoformat()


@handler("returns.record_quality_check",
         summary=N_("Records a round of repair, aging test and quality check"),
         returns=N_("the number of repair rounds"))
def record_quality_check(ctx: HandlerContext) -> int:
    """Every round of repair, aging test and quality check goes into the repair report."""
    request, data = request_of(ctx), ctx.data
    request.repair_rounds += 1
    aging = "通过" if data["aging_passed"] else "未通过"
    check = "合格" if data["qc_passed"] else "不合格"
    line = (f"第{request.repair_rounds}轮：{data['repair_work']}"
            f"{'（更换配件：' + data['parts_used'] + '）' if data.get('parts_used') else ''}；"
            f"老化 {data['aging_hours']} 小时{aging}；质检{check}"
            f"{'：' + data['qc_notes'] if data.get('qc_notes') else ''}")
    request.repair_report = f"{request.repair_report}\n{line}" if request.repair_report else line
    return request.repair_rounds


@handler("returns.record_repair_overdue",
         summary=N_("Writes an overdue record for a late repair"),
         returns=N_("the miss: person, role, month and whether it is the third this month"))
def record_repair_overdue(ctx: HandlerContext) -> dict:
    """The time limit passed with the units still in repair: an overdue record (超时记录)
    against whoever holds the repair team's task, like other overdue work."""
    request = request_of(ctx)
    request.repaired_on_time = False
    return record_miss(ctx, ctx.tasks_due_by("repair_due_at"), request.repair_due_at)


@handler("returns.late_units",
         summary=N_("Lists the units still in repair past their time limit"),
         returns=N_("the serial numbers of the late units (none: nothing to review)"))
def late_units(ctx: HandlerContext) -> list[str]:
    """What the Wednesday and Saturday review looks at: the units in repair once the limit from
    receipt (1 unit 3, up to 3 units 7, a batch 15 working days) has passed."""
    request = request_of(ctx)
    if request.repair_due_at is None or ctx.now <= request.repair_due_at:
        return []
    return [u.serial for u in request.units if u.status == "in_repair"]


@handler("returns.record_late_review",
         summary=N_("Records the repair team's review of late units"),
         returns=N_("per late unit: the new date agreed or the spare unit lent"))
def record_late_review(ctx: HandlerContext) -> dict:
    """Each late unit gets a new date agreed with the customer or a spare unit (备用机) lent; the
    review goes into the repair report."""
    request, data = request_of(ctx), ctx.data
    late, decisions = set(data.get("late_units") or []), data.get("late_decisions") or {}
    if set(decisions) != late:
        raise HandlerRefusal("late_decisions", N_("decide for every late unit, and only those: %(serials)s",
                                                  serials=", ".join(sorted(late))))
    if "new_date" in decisions.values() and not data.get("agreed_date"):
        raise HandlerRefusal("agreed_date", N_("the date agreed with the customer is required"))
    if "lend_spare" in decisions.values() and not data.get("loaner_serial"):
        raise HandlerRefusal("loaner_serial", N_("the spare unit's serial number is required"))
    outcome = {serial: (f"新交期 {data['agreed_date']}" if choice == "new_date" else f"借出备用机 {data['loaner_serial']}")
               for serial, choice in sorted(decisions.items())}
    line = f"超期评审（{local(ctx.now).date().isoformat()}）：" + "；".join(f"{s} {o}" for s, o in outcome.items())
    request.repair_report = f"{request.repair_report}\n{line}" if request.repair_report else line
    return outcome


@handler("returns.record_repaired",
         summary=N_("Records the repair as done"),
         returns=N_("whether it was done on time"))
def record_repaired(ctx: HandlerContext) -> bool:
    request = request_of(ctx)
    request.repaired_at = ctx.now
    request.repaired_on_time = ctx.now <= request.repair_due_at
    for unit in request.units:
        if unit.status == "in_repair":
            unit.status = "repaired"
    request.status = "ready_to_ship"
    return request.repaired_on_time


@handler("returns.close",
         summary=N_("Closes the request on shipping back and starts a callback"),
         returns=N_("the callback's id, or nothing when no unit was repaired"))
def close(ctx: HandlerContext) -> int | None:
    """Shipped back with the repair report: the request is closed, and a callback is started
    when at least one unit was repaired (units sent back unrepaired need no callback)."""
    request, data = request_of(ctx), ctx.data
    request.shipped_at = datetime.fromisoformat(data["shipped_at"])
    request.waybill_number = data["waybill_number"]
    outcome = "；".join(f"{u.serial} {'已修复' if u.status == 'repaired' else '未修复'}" for u in request.units)
    request.repair_report = "\n".join(part for part in (request.repair_report, f"发回：{outcome}") if part)
    request.status, request.closed_at = "closed", ctx.now
    repaired = [u.serial for u in request.units if u.status == "repaired"]
    if not repaired:
        return None
    callback = start_callback(ctx, "return", request.number, request.customer_name, request.contact_phone,
                              f"{request.model} {', '.join(repaired)}"[:100], request.shipped_at,
                              repair_summary=request.repair_report)
    request.callback_id = callback.id
    return callback.id


# Units repaired (or returned unrepaired) that nobody ships back or collects: the diagram says in how
# many working days they must leave (plan_collection), and how many more an extension gives.
COLLECTION_DAYS = (Parameter("working_days", "int", N_("working days the units may wait to be shipped back or "
                                                       "collected")),)


def _collection_due(ctx: HandlerContext) -> str:
    days = ctx.params.get("working_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        raise HandlerError(f"working_days must be a whole number from 1 to 365, not {days!r}")
    return add_working_days(ctx.now, days).isoformat()


@handler("returns.plan_collection",
         summary=N_("Sets the time by which the units must be shipped back or collected"),
         returns=N_("the collection: its due time (due_at), whether it was closed uncollected"),
         parameters=COLLECTION_DAYS)
def plan_collection(ctx: HandlerContext) -> dict:
    return {"due_at": _collection_due(ctx), "closed": False, "extensions": 0}


@handler("returns.record_collection_overdue",
         summary=N_("Writes an overdue record for units not shipped back or collected in time"),
         returns=N_("the miss: person, role, month and whether it is the third this month"))
def record_collection_overdue(ctx: HandlerContext) -> dict:
    """The units still wait past the collection limit: an overdue record against whoever holds the
    shipment back (its due_from names collection.due_at); the department head is asked next."""
    due = datetime.fromisoformat(ctx.data["collection"]["due_at"])
    return record_miss(ctx, ctx.tasks_due_by("collection.due_at"), due,
                       fallback_role="logistics_clerk", fallback_task="ship_back")


@handler("returns.extend_collection",
         summary=N_("Gives the units more working days to be shipped back or collected"),
         returns=N_("the collection with its new due time"),
         parameters=COLLECTION_DAYS)
def extend_collection(ctx: HandlerContext) -> dict:
    collection = ctx.data["collection"]
    return {**collection, "due_at": _collection_due(ctx), "extensions": collection.get("extensions", 0) + 1}


@handler("returns.close_uncollected",
         summary=N_("Closes the application with its units never shipped back or collected"),
         returns=N_("the collection, closed"))
def close_uncollected(ctx: HandlerContext) -> dict:
    """The department head closes the case: the units stay at headquarters (the note says how they
    are kept or disposed of), no callback is started."""
    request = request_of(ctx)
    request.status, request.closed_at = "uncollected", ctx.now
    request.end_reason = f"逾期未发回/未取回，经部长决定结案：{ctx.data.get('collection_note') or ''}".rstrip("：")
    return {**ctx.data["collection"], "closed": True}
