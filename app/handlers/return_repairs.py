"""Handlers of procedure 2 from the warranty check to shipping back (steps 5-8): the units
judged one by one (the rules are processes/warranty_check.dmn), the quote for units out of
warranty, repair with its time limit, and the shipment back that starts a callback."""
from datetime import date, datetime

from ..clock import local
from ..i18n import N_
from ..workdays import add_working_days
from . import HandlerContext, handler
from .callbacks import start_callback
from .overdue import record_miss  # issue 4's overdue record, shared by every procedure
from .returns import request_of


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
    return answer


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
