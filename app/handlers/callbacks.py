"""Handlers that keep the callback log (回访记录) of procedure 3: when a callback is due (not before
the customer's preferred time), each phone attempt, a missed deadline and what the customer
department's manager does about it, the ineffective callback after three misses, the apology text
and the complaint opened from a dissatisfied customer, and the follow-up two weeks after the repair."""
from datetime import datetime, timedelta

from sqlalchemy import select

from ..clock import local
from ..extensions import db
from ..i18n import N_
from ..models import Callback, CallbackAttempt, Complaint, Delivery, ProcessInstance
from ..workdays import add_working_days
from . import HandlerContext, HandlerError, handler
from .overdue import record_miss

MAX_ATTEMPTS = 3
CHANNELS = ("phone", "sms", "wechat", "email")
# The apology a dissatisfied customer gets by text message, in the customer's language.
APOLOGY_TEXT = ("尊敬的{customer}：您好！对于此次{subject}的维修服务未能让您满意，我们深表歉意。"
                "您的意见已登记，相关负责人将尽快与您联系处理。")


def callback_deadline(picked_up: datetime) -> datetime:
    """3 working days after pickup, never later than 7 calendar days (a long holiday)."""
    return min(add_working_days(picked_up, 3), picked_up + timedelta(days=7))


def end_of_next_working_day(moment: datetime) -> datetime:
    day = add_working_days(moment, 1)
    return local(day).replace(hour=23, minute=59, second=59, microsecond=0)


def _callback(ctx: HandlerContext, kind: str = "first") -> Callback:
    found = db.session.scalar(select(Callback).where(Callback.instance_id == ctx.instance_id, Callback.kind == kind))
    if found is None:
        raise HandlerError(f"instance {ctx.instance_id} has no {kind} callback record")
    return found


def start_callback(ctx: HandlerContext, source: str, source_ref: str, customer_name: str, contact_phone: str,
                   subject: str, picked_up_at: datetime, repair_summary: str = "", preferred_channel: str = "",
                   preferred_call_at: datetime | None = None, service_advisor: str = "") -> Callback:
    """Start a `callback` instance for a repair the customer took back at `picked_up_at`, for
    handlers of other procedures (a shipped return, a complaint's return repair): it runs in
    their step, so if their step fails no callback is left behind. The customer's preferred
    channel and time and the service advisor go with it when the starting case knows them."""
    data = {"source": source, "source_ref": source_ref or "", "customer_name": customer_name,
            "contact_phone": contact_phone, "subject": subject, "repair_summary": repair_summary or "",
            "picked_up_at": picked_up_at.isoformat(), "preferred_channel": preferred_channel or "phone",
            "preferred_call_at": preferred_call_at.isoformat() if preferred_call_at else None,
            "service_advisor": service_advisor or ""}
    instance_id = ctx.start("callback", data)
    return db.session.scalar(select(Callback).where(Callback.instance_id == instance_id, Callback.kind == "first"))


def _report_to_complaint(callback: Callback) -> None:
    """A callback after a complaint's return repair puts its outcome on that complaint's
    ledger row (投诉跟踪台账, column return_callback_result)."""
    if callback.source != "complaint" or not callback.source_ref:
        return
    complaint = db.session.scalar(select(Complaint).where(Complaint.number == callback.source_ref))
    if complaint is None:
        return  # a number typed by hand that names no complaint: the callback log still has it
    if callback.status == "ineffective":
        complaint.return_callback_result = f"无效回访（{callback.attempts}次未接通）"
    else:
        satisfied = "满意" if callback.satisfied else "不满意"
        complaint.return_callback_result = f"{satisfied}。{callback.remarks}".strip()


def _advisor(data: dict) -> str:
    """The service advisor the start named, or the one the delivery register has for the repair order."""
    named = (data.get("service_advisor") or "").strip()
    if named or (data.get("source") or "delivery") != "delivery" or not data.get("source_ref"):
        return named
    delivery = db.session.scalar(select(Delivery).where(Delivery.repair_order == data["source_ref"]))
    return (delivery.service_advisor or "") if delivery is not None else ""


@handler("callbacks.register",
         summary=N_("Registers the callback and its due time"),
         returns=N_("the due time"))
def register(ctx: HandlerContext) -> str:
    """The callback is due 3 working days after pickup (never later than 7 calendar days), and
    never before the time the customer asked to be called."""
    data = ctx.data
    picked_up = datetime.fromisoformat(data["picked_up_at"])
    deadline = callback_deadline(picked_up)
    preferred = datetime.fromisoformat(data["preferred_call_at"]) if data.get("preferred_call_at") else None
    due = max(deadline, preferred) if preferred else deadline
    channel = data.get("preferred_channel") or "phone"
    if channel not in CHANNELS:
        raise HandlerError(f"unknown callback channel {channel!r}")
    callback = Callback(instance_id=ctx.instance_id, kind="first", source=data.get("source") or "delivery",
                        source_ref=data.get("source_ref") or "", customer_name=data["customer_name"],
                        contact_phone=data["contact_phone"], subject=data["subject"],
                        repair_summary=data.get("repair_summary") or "", picked_up_at=picked_up,
                        deadline_at=due, due_at=due, status="due", created_by_id=ctx.actor_id,
                        preferred_channel=channel, preferred_call_at=preferred, service_advisor=_advisor(data))
    db.session.add(callback)
    db.session.flush()
    db.session.get(ProcessInstance, ctx.instance_id).business_key = str(callback.id)
    return due.isoformat()


@handler("callbacks.record_overdue",
         summary=N_("Writes an overdue record against whoever held the callback"),
         returns=N_("the miss: person, role, month and whether it is the third this month"))
def record_overdue(ctx: HandlerContext) -> dict:
    """The callback's deadline passed: recorded against whoever holds a task the diagram says is
    due by it (due_from callback_due_at), with its penalty proposal."""
    deadline = datetime.fromisoformat(ctx.data["callback_due_at"])
    return record_miss(ctx, ctx.tasks_due_by("callback_due_at"), deadline, fallback_role="customer_dept",
                       fallback_task="callback")


@handler("callbacks.act_on_escalation",
         summary=N_("Does what the manager chose for an overdue callback: urge its holder or take it over"),
         returns=N_("the choice and the people it reached"))
def act_on_escalation(ctx: HandlerContext) -> dict:
    calls = ctx.tasks_due_by("callback_due_at")
    action = ctx.data.get("callback_escalation_action")
    if action == "take_over":
        return {"action": action, "from": ctx.capability("hand_over")(calls)}
    if action == "urge":
        note = ctx.data.get("callback_escalation_notes") or ""
        return {"action": action, "told": ctx.capability("urge_holders")(calls, note)}
    raise HandlerError(f"unknown escalation choice {action!r}")


@handler("callbacks.record_attempt",
         summary=N_("Records one attempt to reach the customer"),
         returns=N_("the number of attempts"))
def record_attempt(ctx: HandlerContext) -> int:
    callback, data = _callback(ctx), ctx.data
    callback.attempts += 1
    reached = bool(data["reached"])
    callback.attempt_rows.append(CallbackAttempt(number=callback.attempts, attempted_at=ctx.now, reached=reached,
                                                 remarks=data.get("callback_remarks") or "", caller_id=ctx.actor_id))
    callback.reached = reached
    if reached:
        callback.repair_quality, callback.service_quality = data["repair_quality"], data["service_quality"]
        callback.satisfied, callback.remarks = bool(data["satisfied"]), data.get("callback_remarks") or ""
        callback.status, callback.completed_at, callback.completed_by_id = "completed", ctx.now, ctx.actor_id
        _report_to_complaint(callback)
    elif callback.attempts < MAX_ATTEMPTS:
        # tried again the next working day: it shows in that day's list of callbacks due
        callback.status, callback.due_at = "retry", end_of_next_working_day(ctx.now)
    return callback.attempts


@handler("callbacks.reopen",
         summary=N_("Schedules another attempt on the next working day"),
         returns=N_("the new due time"))
def reopen(ctx: HandlerContext) -> str:
    callback = _callback(ctx)
    callback.status = "due"
    return callback.due_at.isoformat()


@handler("callbacks.record_ineffective",
         summary=N_("Marks the callback ineffective after the last attempt"),
         returns=N_("the callback's status"))
def record_ineffective(ctx: HandlerContext) -> str:
    callback = _callback(ctx)
    callback.status, callback.completed_at = "ineffective", ctx.now  # 无效回访
    _report_to_complaint(callback)
    return callback.status


@handler("callbacks.send_apology_text",
         summary=N_("Sends the dissatisfied customer a text message of apology"),
         returns=N_("the text message's number"))
def send_apology_text(ctx: HandlerContext) -> int:
    """Queued in this step and sent after it through the configured channel (SMS gateway or WeCom
    webhook); its outcome is kept with the callback, and a failure never stops the case."""
    callback = _callback(ctx)
    text = APOLOGY_TEXT.format(customer=callback.customer_name, subject=callback.subject)
    return ctx.capability("send_text")(callback.contact_phone, text, callback.id)


@handler("callbacks.open_complaint",
         summary=N_("Records the apology and opens a complaint for a dissatisfied customer"),
         returns=N_("the new complaint's number"))
def open_complaint(ctx: HandlerContext) -> str:
    """A dissatisfied customer: the apology is recorded and a complaint is taken in with the
    callback as its source (channel "callback"); each keeps the other's reference."""
    callback, data = _callback(ctx), ctx.data
    callback.apology = data["apology"]
    intake = {"received_at": ctx.now.isoformat(), "channel": "callback", "customer_name": callback.customer_name,
              "contact_phone": callback.contact_phone, "vehicle": callback.subject,
              "description": data["complaint_description"], "customer_request": data.get("customer_request") or ""}
    instance_id = ctx.start("complaint", intake)
    complaint = db.session.scalar(select(Complaint).where(Complaint.instance_id == instance_id))
    if complaint is None:
        raise HandlerError("the complaint procedure registered no complaint")
    complaint.source_callback_id = callback.id
    callback.complaint_number = complaint.number
    return complaint.number


@handler("callbacks.schedule_follow_up",
         summary=N_("Schedules the follow-up callback two weeks after the repair"),
         returns=N_("the follow-up's due time"))
def schedule_follow_up(ctx: HandlerContext) -> str:
    """The follow-up two weeks after the repair, due by the end of that day's first working day."""
    first = _callback(ctx)
    due = end_of_next_working_day(first.picked_up_at + timedelta(days=14) - timedelta(days=1))
    follow_up = Callback(instance_id=ctx.instance_id, kind="follow_up", parent_id=first.id, source=first.source,
                         source_ref=first.source_ref, customer_name=first.customer_name,
                         contact_phone=first.contact_phone, subject=first.subject,
                         repair_summary=first.repair_summary, picked_up_at=first.picked_up_at, deadline_at=due,
                         due_at=due, status="scheduled", created_by_id=ctx.actor_id,
                         preferred_channel=first.preferred_channel, service_advisor=first.service_advisor)
    db.session.add(follow_up)
    db.session.flush()
    return due.isoformat()


@handler("callbacks.record_follow_up",
         summary=N_("Records the follow-up callback"),
         returns=N_("the follow-up's status"))
def record_follow_up(ctx: HandlerContext) -> str:
    follow_up, data = _callback(ctx, "follow_up"), ctx.data
    reached = bool(data["follow_up_reached"])
    follow_up.attempts += 1
    follow_up.attempt_rows.append(CallbackAttempt(number=follow_up.attempts, attempted_at=ctx.now, reached=reached,
                                                  remarks=data.get("follow_up_remarks") or "",
                                                  caller_id=ctx.actor_id))
    follow_up.reached, follow_up.remarks = reached, data.get("follow_up_remarks") or ""
    follow_up.satisfied = bool(data["follow_up_satisfied"]) if reached else None
    follow_up.status = "completed" if reached else "ineffective"
    follow_up.completed_at, follow_up.completed_by_id = ctx.now, ctx.actor_id
    return follow_up.status
