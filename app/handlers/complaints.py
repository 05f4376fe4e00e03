"""Handlers that keep the complaint ledger (投诉跟踪台账) current at each step of procedure 1."""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..i18n import N_
from ..models import Complaint, ProcessInstance
from ..workdays import add_working_days
from . import HandlerContext, HandlerError, handler
from .callbacks import start_callback
from .numbering import next_number

DEFAULT_DEADLINE_DAYS = {"general": 5, "major": 10}
FIRST_RESPONSE = timedelta(hours=24)  # a major complaint's first response


def _complaint(ctx: HandlerContext) -> Complaint:
    # Its responsible person is not what a handler needs: not joined (with that person's roles).
    complaint = db.session.scalar(select(Complaint).where(Complaint.instance_id == ctx.instance_id)
                                  .options(lazyload(Complaint.responsible_user)))
    if complaint is None:
        raise HandlerError(f"instance {ctx.instance_id} has no complaint record")
    return complaint


@handler("complaints.register",
         summary=N_("Takes the complaint into the ledger and gives it its number"),
         returns=N_("the complaint number (TS-YYYYMM-NNNN)"))
def register(ctx: HandlerContext) -> str:
    data = ctx.data
    number = next_number("TS", ctx.now)
    db.session.add(Complaint(
        number=number, instance_id=ctx.instance_id, received_at=datetime.fromisoformat(data["received_at"]),
        channel=data["channel"], customer_name=data["customer_name"], contact_phone=data["contact_phone"],
        vehicle=data["vehicle"], description=data["description"],
        customer_request=data.get("customer_request", ""), created_by_id=ctx.actor_id, status="registered"))
    db.session.get(ProcessInstance, ctx.instance_id).business_key = number
    db.session.flush()
    return number


def _deadlines(complaint: Complaint, ctx: HandlerContext, renew: bool = False) -> dict:
    """The deadlines the diagram's timers read; a round sent back starts a fresh period."""
    if renew or complaint.deadline_at is None:
        days = ctx.data.get("deadline_days") or DEFAULT_DEADLINE_DAYS[complaint.severity]
        complaint.deadline_at = add_working_days(ctx.now, days)
    first_response = ctx.now + FIRST_RESPONSE if complaint.severity == "major" and not renew else None
    return {"handling": complaint.deadline_at.isoformat(),
            "first_response": first_response.isoformat() if first_response else None}


@handler("complaints.assign",
         summary=N_("Records category, severity and the responsible department, and sets the handling deadline"),
         returns=N_("the deadlines the timers read (deadlines.handling)"))
def assign(ctx: HandlerContext) -> dict:
    complaint, data = _complaint(ctx), ctx.data
    complaint.category, complaint.severity = data["category"], data["severity"]
    complaint.responsible_role = data["responsible_role"]
    complaint.deadline_at = None
    complaint.status = "assigned"
    deadlines = _deadlines(complaint, ctx)
    if complaint.first_deadline_at is None:  # the first round's, kept for the timeliness rate
        complaint.first_deadline_at = complaint.deadline_at
    return deadlines


@handler("complaints.major_report",
         summary=N_("Writes the major complaint report for the general manager"),
         returns=N_("the complaint number"))
def major_report(ctx: HandlerContext) -> str:
    complaint, data = _complaint(ctx), ctx.data
    complaint.major_report = (f"客户重大投诉报表 {complaint.number}\n"
                              f"客户: {complaint.customer_name} ({complaint.contact_phone})\n"
                              f"车辆/产品: {complaint.vehicle}\n投诉内容: {complaint.description}\n"
                              f"经理跟进: {data.get('follow_up_notes', '')}")
    complaint.status = "escalated"
    return complaint.number


@handler("complaints.record_handling",
         summary=N_("Records the department's handling of this round"),
         returns=N_("the number of handling rounds"))
def record_handling(ctx: HandlerContext) -> int:
    complaint, data = _complaint(ctx), ctx.data
    complaint.result, complaint.root_cause = data.get("result"), data.get("root_cause")
    complaint.improvement, complaint.repair_plan = data.get("improvement"), data.get("repair_plan")
    complaint.return_repair = bool(data.get("return_repair"))
    complaint.responsible_user_id = ctx.actor_id
    complaint.handled_at = ctx.now
    if complaint.first_handled_at is None:  # the first round's, kept for the timeliness rate
        complaint.first_handled_at = ctx.now
    complaint.handling_rounds += 1
    complaint.status = "awaiting_confirmation"
    return complaint.handling_rounds


@handler("complaints.record_confirmation",
         summary=N_("Records the manager's confirmation or send-back"),
         returns=N_("the deadlines, renewed when sent back"))
def record_confirmation(ctx: HandlerContext) -> dict:
    complaint = _complaint(ctx)
    sent_back = ctx.data["confirmation"] == "send_back"
    if sent_back:
        complaint.send_back_reason = ctx.data.get("confirmation_reason")
        complaint.status = "sent_back"
    else:
        complaint.status = "awaiting_callback"
    return _deadlines(complaint, ctx, renew=sent_back)


@handler("complaints.record_callback",
         summary=N_("Records the customer's answer to the callback"),
         returns=N_("the deadlines, renewed when the customer is not satisfied"))
def record_callback(ctx: HandlerContext) -> dict:
    complaint, data = _complaint(ctx), ctx.data
    complaint.callback_satisfied = bool(data["callback_satisfied"])
    solved = "已解决" if data.get("problem_solved") else "未解决"
    satisfied = "满意" if complaint.callback_satisfied else "不满意"
    complaint.callback_result = f"{solved}，{satisfied}。{data.get('callback_remarks', '')}".strip()
    complaint.status = "awaiting_close" if complaint.callback_satisfied else "rehandling"
    return _deadlines(complaint, ctx, renew=not complaint.callback_satisfied)


@handler("complaints.close",
         summary=N_("Closes the complaint with the general manager's signature"),
         returns=N_("the closing time"))
def close(ctx: HandlerContext) -> str:
    complaint = _complaint(ctx)
    complaint.status, complaint.closed_at = "closed", ctx.now
    if complaint.callback_satisfied:
        complaint.closure_type = "satisfied"
    # otherwise a closure type set on the way (unresolved, withdrawn) stays as it is
    if ctx.data.get("gm_decision"):
        complaint.gm_decision = ctx.data["gm_decision"]
    return complaint.closed_at.isoformat()


@handler("complaints.start_return_callback",
         summary=N_("Starts the callback procedure after a return repair"),
         returns=N_("the callback's id"))
def start_return_callback(ctx: HandlerContext) -> int:
    """Three days after the vehicle left the workshop: the callback procedure takes over
    (due times, retries, a new complaint if the customer is not satisfied)."""
    complaint = _complaint(ctx)
    callback = start_callback(ctx, "complaint", complaint.number, complaint.customer_name, complaint.contact_phone,
                              complaint.vehicle, datetime.fromisoformat(ctx.data["released_at"]),
                              repair_summary=complaint.repair_plan or complaint.result or "")
    return callback.id
