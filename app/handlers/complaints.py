"""Handlers that keep the complaint ledger (投诉跟踪台账) current at each step of procedure 1."""
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ..clock import local
from ..extensions import db
from ..i18n import N_
from ..models import Callback, Complaint, ProcessInstance, QualityComplaint, User, UserRole
from ..workdays import add_working_days
from . import HandlerContext, HandlerError, HandlerRefusal, handler
from .callbacks import start_callback
from .numbering import next_number

# The clocks of domain.md ("Responsibility and deadlines"), counted from receipt unless said otherwise.
DEFAULT_DEADLINE_DAYS = {"general": 5, "major": 3}  # handled (a major one: its handling plan)
CLASSIFICATION_DAYS = 1
FIRST_RESPONSE = timedelta(hours=24)  # a major complaint's first response
CLOSURE_DAYS = 10  # a major complaint closed
CONFIRMATION_DAYS = 1  # after the department's result
CALLBACK_DAYS = 3  # after the confirmation
SIGNATURE_DAYS = 2  # after the satisfied callback
# The customer stays dissatisfied: the manager decides (another round, or propose closing it
# unresolved) within 1 working day, as a confirmation; the general manager approves or sends the
# proposal back within 2, as a signature.
DECISION_DAYS = 1
APPROVAL_DAYS = 2
# ...proposing to close it unresolved before this many handling rounds needs the manager's
# judgement that the round was complete; from the 3rd round on it is offered as it is.
UNRESOLVED_AFTER_ROUNDS = 3
# The complaint's callback keeps procedure 3's rules: a customer not reached is called again the
# next working day (due by its end), 3 attempts in all; then the manager decides.
CALLBACK_ATTEMPTS = 3


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


def _clocks(ctx: HandlerContext, **changed) -> dict:
    """The deadlines the diagram's timers read (`deadlines["handling"]`), as ISO texts; each user
    task says by its `due_from` which one it is due by. Others are kept as they were."""
    deadlines = dict(ctx.data.get("deadlines") or {})
    deadlines.update({key: value.isoformat() if value is not None else None for key, value in changed.items()})
    return deadlines


def _handling_deadline(complaint: Complaint, ctx: HandlerContext, start: datetime) -> datetime:
    days = ctx.data.get("deadline_days") or DEFAULT_DEADLINE_DAYS[complaint.severity]
    return add_working_days(start, days)


@handler("complaints.start_clocks",
         summary=N_("Starts the complaint's clocks at its receipt: classification within 1 working day"),
         returns=N_("the deadlines the timers read (deadlines.classification)"))
def start_clocks(ctx: HandlerContext) -> dict:
    complaint = _complaint(ctx)
    return _clocks(ctx, classification=add_working_days(complaint.received_at, CLASSIFICATION_DAYS))


def _responsible_person(ctx: HandlerContext, role: str) -> int | None:
    """The person the manager named: an active holder of the role the routing decided. Named
    nobody, the department's task waits in the role's inbox and whoever claims it answers for it."""
    username = ctx.data.get("responsible_person")
    if username in (None, ""):
        return None
    person_id = db.session.scalar(select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        User.username == username, User.active.is_(True), UserRole.role == role)) if isinstance(username, str) else None
    if person_id is None:
        raise HandlerRefusal("responsible_person", N_("name an active holder of the responsible role %(role)s",
                                                      role=role))
    return person_id


@handler("complaints.assign",
         summary=N_("Records category, severity, the responsible department and person, and sets the deadlines "
                    "counted from receipt"),
         returns=N_("the deadlines the timers read (deadlines.handling, deadlines.first_response)"))
def assign(ctx: HandlerContext) -> dict:
    complaint, data = _complaint(ctx), ctx.data
    complaint.category, complaint.severity = data["category"], data["severity"]
    complaint.responsible_role = data["responsible_role"]
    complaint.responsible_user_id = _responsible_person(ctx, complaint.responsible_role)
    complaint.status = "assigned"
    received = complaint.received_at
    complaint.deadline_at = _handling_deadline(complaint, ctx, received)
    if complaint.first_deadline_at is None:  # the first round's, kept for the timeliness rate
        complaint.first_deadline_at = complaint.deadline_at
    major = complaint.severity == "major"
    return _clocks(ctx, handling=complaint.deadline_at,
                   first_response=received + FIRST_RESPONSE if major else None,
                   closure=add_working_days(received, CLOSURE_DAYS) if major else None)


def _renewed(complaint: Complaint, ctx: HandlerContext) -> dict:
    """A round sent back (by the manager or after an unsatisfied callback) starts a fresh period."""
    complaint.deadline_at = _handling_deadline(complaint, ctx, ctx.now)
    return _clocks(ctx, handling=complaint.deadline_at)


@handler("complaints.follow_up_by",
         summary=N_("Names the service manager who classified a major complaint as the one who follows it up"),
         returns=N_("that manager's username (the follow-up task opens held by that person)"))
def follow_up_by(ctx: HandlerContext) -> str | None:
    manager = db.session.get(User, ctx.actor_id) if ctx.actor_id else None
    return manager.username if manager else None


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
         summary=N_("Records the department's handling of this round; the manager confirms within 1 working day"),
         returns=N_("the deadlines (deadlines.confirmation)"))
def record_handling(ctx: HandlerContext) -> dict:
    complaint, data = _complaint(ctx), ctx.data
    complaint.result, complaint.root_cause = data.get("result"), data.get("root_cause")
    complaint.improvement, complaint.repair_plan = data.get("improvement"), data.get("repair_plan")
    complaint.return_repair = bool(data.get("return_repair"))
    if complaint.responsible_user_id is None:  # nobody was named: who handled it answers for it
        complaint.responsible_user_id = ctx.actor_id
    complaint.handled_at = ctx.now
    if complaint.first_handled_at is None:  # the first round's, kept for the timeliness rate
        complaint.first_handled_at = ctx.now
    complaint.handling_rounds += 1
    complaint.status = "awaiting_confirmation"
    return _clocks(ctx, confirmation=add_working_days(ctx.now, CONFIRMATION_DAYS))


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
        return _clocks(ctx, callback=add_working_days(ctx.now, CALLBACK_DAYS))
    return _renewed(complaint, ctx)


@handler("complaints.record_callback_attempt",
         summary=N_("Counts a call to the customer that did not get through; it is tried again the next working day, "
                    "3 attempts in all"),
         returns=N_("the unanswered attempts of this callback so far (0 once the customer is reached)"))
def record_callback_attempt(ctx: HandlerContext) -> int:
    if ctx.data.get("reached", True):
        return 0
    # a round's callback counts afresh after the last one gave up
    attempt = (ctx.data.get("callback_attempts") or 0) % CALLBACK_ATTEMPTS + 1
    complaint = _complaint(ctx)
    remarks = ctx.data.get("callback_remarks") or ""
    complaint.callback_result = f"第{attempt}次回访未接通。{remarks}".strip()
    return attempt


@handler("complaints.reopen_callback",
         summary=N_("Calls the customer again on this working day, due by its end"),
         returns=N_("the deadlines (deadlines.callback)"))
def reopen_callback(ctx: HandlerContext) -> dict:
    return _clocks(ctx, callback=local(ctx.now).replace(hour=23, minute=59, second=59, microsecond=0))


@handler("complaints.record_not_reached",
         summary=N_("Records the callback as not reached after 3 attempts and hands the complaint to the manager's "
                    "decision within 1 working day"),
         returns=N_("the deadlines (deadlines.decision)"))
def record_not_reached(ctx: HandlerContext) -> dict:
    """Not an effective callback (the satisfaction rate leaves it out): the manager decides whether the
    department handles it again or the complaint is proposed for closing unresolved."""
    complaint = _complaint(ctx)
    complaint.callback_satisfied = None
    remarks = ctx.data.get("callback_remarks") or ""
    complaint.callback_result = f"未接通（{CALLBACK_ATTEMPTS}次），转服务经理决定。{remarks}".strip()
    complaint.status = "rehandling"
    return {**_renewed(complaint, ctx), "decision": add_working_days(ctx.now, DECISION_DAYS).isoformat()}


QUALITY_EFFECT = {"satisfied": "客户确认改善有效", "clarified": "标准已与客户澄清", "dispute": "与客户标准存在分歧，争议关闭"}


def _linked_quality_complaint(ctx: HandlerContext) -> QualityComplaint | None:
    number = ctx.data.get("quality_complaint_number")
    return db.session.scalar(select(QualityComplaint).where(QualityComplaint.number == number)) if number else None


@handler("complaints.quality_complaint_effect",
         summary=N_("Reads whether the complaint's 8D procedure (quality complaint) has closed, and how"),
         returns=N_("true when it closed with the customer satisfied or the standards clarified, false when closed "
                    "in dispute, nothing while it is still open"))
def quality_complaint_effect(ctx: HandlerContext) -> bool | None:
    """The 8D checks the effect with the customer: the complaint takes that result instead of calling
    the customer a second time. While the 8D is open the complaint waits for its closing message."""
    record = _linked_quality_complaint(ctx)
    if record is None or record.status != "closed":
        return None
    return record.closure_type in ("satisfied", "clarified")


@handler("complaints.record_quality_effect",
         summary=N_("Records the 8D's effect check with the customer as the complaint's callback (the customer "
                    "is not called twice)"),
         returns=N_("the deadlines, renewed when the 8D closed in dispute"))
def record_quality_effect(ctx: HandlerContext) -> dict:
    record = _linked_quality_complaint(ctx)
    if record is None or record.status != "closed":
        raise HandlerError("the complaint's quality complaint has not closed")
    complaint = _complaint(ctx)
    complaint.callback_satisfied = record.closure_type in ("satisfied", "clarified")
    remarks = " ".join(part for part in (record.effect_remarks, record.clarification_remarks) if part)
    complaint.callback_result = f"8D {record.number}：{QUALITY_EFFECT.get(record.closure_type, '')}。{remarks}".strip()
    complaint.status = "awaiting_close" if complaint.callback_satisfied else "rehandling"
    if not complaint.callback_satisfied:
        return {**_renewed(complaint, ctx), "decision": add_working_days(ctx.now, DECISION_DAYS).isoformat()}
    return _clocks(ctx)


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
    if not complaint.callback_satisfied:
        return {**_renewed(complaint, ctx), "decision": add_working_days(ctx.now, DECISION_DAYS).isoformat()}
    # The signature's clock starts again when it opens (start_signature_clock, after a return repair's
    # callback); set here too for the cases of the diagram before it, which open the signature next.
    return _clocks(ctx, signature=add_working_days(ctx.now, SIGNATURE_DAYS))


@handler("complaints.start_signature_clock",
         summary=N_("Starts the general manager's signature clock: 2 working days from now, after the satisfied "
                    "callback and a return repair's callback result"),
         returns=N_("the deadlines (deadlines.signature)"))
def start_signature_clock(ctx: HandlerContext) -> dict:
    return _clocks(ctx, signature=add_working_days(ctx.now, SIGNATURE_DAYS))


@handler("complaints.record_signature",
         summary=N_("Records the general manager's signature, or the refusal to sign with its reason"),
         returns=N_("whether the general manager signed"))
def record_signature(ctx: HandlerContext) -> bool:
    complaint = _complaint(ctx)
    if ctx.data.get("signature") != "send_back":  # signing is the default
        return True
    complaint.send_back_reason = ctx.data.get("signature_reason")
    complaint.status = "awaiting_confirmation"
    return False


@handler("complaints.renew_confirmation",
         summary=N_("Sends the complaint back to the service manager's confirmation, due within 1 working day"),
         returns=N_("the deadlines (deadlines.confirmation)"))
def renew_confirmation(ctx: HandlerContext) -> dict:
    return _clocks(ctx, confirmation=add_working_days(ctx.now, CONFIRMATION_DAYS))


@handler("complaints.propose_unresolved",
         summary=N_("Records the manager's proposal to close the complaint unresolved; the general manager "
                    "answers within 2 working days"),
         returns=N_("the deadlines (deadlines.approval)"))
def propose_unresolved(ctx: HandlerContext) -> dict:
    """domain.md: when the customer stays dissatisfied after a round the manager judges complete
    (or after 3 rounds), the manager may propose closing it unresolved. The round count is the
    department's handling rounds (complaint.handling_rounds, on the ledger)."""
    complaint = _complaint(ctx)
    if complaint.handling_rounds < UNRESOLVED_AFTER_ROUNDS and not ctx.data.get("round_complete"):
        raise HandlerRefusal("round_complete", N_(
            "this is handling round %(round)s: before round %(rounds)s, proposing to close it unresolved needs "
            "your judgement that this round was complete", round=complaint.handling_rounds,
            rounds=UNRESOLVED_AFTER_ROUNDS))
    return _clocks(ctx, approval=add_working_days(ctx.now, APPROVAL_DAYS))


@handler("complaints.mark_unresolved",
         summary=N_("Marks the complaint as closed unresolved, as the general manager approved"),
         returns=N_("the closure type (unresolved)"))
def mark_unresolved(ctx: HandlerContext) -> str:
    """The customer stays dissatisfied; the manager proposed and the general manager approved closing
    it unresolved (domain.md: 改善后结果与客户存在分歧). `close` keeps this closure type."""
    complaint = _complaint(ctx)
    complaint.closure_type = "unresolved"
    reason = (ctx.data.get("unresolved_reason") or "").strip()
    rounds = f"（处理{complaint.handling_rounds}轮）"
    complaint.callback_result = f"{complaint.callback_result or ''} 未满意结案{rounds}：{reason}".strip()
    return complaint.closure_type


@handler("complaints.renew_round",
         summary=N_("Sends the dissatisfied complaint to the department for another round with a fresh period"),
         returns=N_("the deadlines (deadlines.handling)"))
def renew_round(ctx: HandlerContext) -> dict:
    complaint = _complaint(ctx)
    complaint.status = "rehandling"
    return _renewed(complaint, ctx)


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


@handler("complaints.needs_return_callback",
         summary=N_("Whether the return repair's callback is still to come before the general manager signs"),
         returns=N_("true when the department's result was a return repair whose callback was not started yet"))
def needs_return_callback(ctx: HandlerContext) -> bool:
    """Asked after the satisfied callback of each round: a return repair brings its own callback
    (procedure 3) once, and its result is on the complaint before the general manager signs."""
    if not ctx.data.get("return_repair"):  # the round's answer, as record_handling put it on the complaint
        return False
    complaint = _complaint(ctx)
    started = db.session.scalar(select(Callback.id).where(Callback.source == "complaint",
                                                          Callback.source_ref == complaint.number).limit(1))
    return started is None


@handler("complaints.return_callback_result",
         summary=N_("Reads the return repair callback's result, which the callback procedure puts on the complaint"),
         returns=N_("that result, or nothing while the callback is still open (asked again the next working day)"))
def return_callback_result(ctx: HandlerContext) -> str | None:
    return _complaint(ctx).return_callback_result or None


@handler("complaints.start_return_callback",
         summary=N_("Starts the callback procedure after a return repair"),
         returns=N_("the callback's id"))
def start_return_callback(ctx: HandlerContext) -> int:
    """Three days after the vehicle left the workshop: the callback procedure takes over
    (due times, retries, a new complaint if the customer is not satisfied); the complaint waits
    for its result before the general manager signs."""
    complaint = _complaint(ctx)
    callback = start_callback(ctx, "complaint", complaint.number, complaint.customer_name, complaint.contact_phone,
                              complaint.vehicle, datetime.fromisoformat(ctx.data["released_at"]),
                              repair_summary=complaint.repair_plan or complaint.result or "")
    return callback.id


@handler("complaints.start_quality_complaint",
         summary=N_("Starts the 8D procedure (quality complaint) for a complaint of category product quality"),
         returns=N_("the quality complaint's number (QC-YYYYMM-NNNN)"))
def start_quality_complaint(ctx: HandlerContext) -> str:
    """Quality assurance takes a product-quality complaint over in the 8D procedure, a case of the
    complaint's unit linked back to the complaint's number, started in this step (if the step fails,
    no quality complaint is left behind). A round sent back starts none again: the 8D procedure has
    rounds of its own, so the quality complaint already started is kept."""
    if ctx.data.get("quality_complaint_number"):
        return ctx.data["quality_complaint_number"]
    complaint = _complaint(ctx)
    intake = {"received_at": local(complaint.received_at).isoformat(), "customer_name": complaint.customer_name,
              "contact_phone": complaint.contact_phone, "product": complaint.vehicle,
              "description": complaint.description, "customer_request": complaint.customer_request or "",
              "complaint_number": complaint.number}
    instance_id = ctx.capability("start_process")("quality_complaint", intake)
    number = db.session.scalar(select(QualityComplaint.number).where(QualityComplaint.instance_id == instance_id))
    if number is None:
        raise HandlerError("the quality complaint procedure registered no quality complaint")
    return number
