"""The forms of procedure 1, complaint handling (客户投诉处理流程)."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from ..i18n import N_
from ..roles import DEPARTMENT_ROLES, ROLES
from . import register
from .fields import choice, moment, number, text, yes_no

CHANNELS = [("phone", "Phone", "电话"), ("email", "E-mail", "电子邮件"), ("online_chat", "Online chat", "在线客服"),
            ("in_store", "In person at the store", "到店"), ("callback", "Post-repair callback", "回访")]
CATEGORIES = [("repair_quality", "Repair quality", "维修质量"), ("service_attitude", "Service attitude", "服务态度"),
              ("parts", "Parts", "配件"), ("warranty_claim", "Warranty claim", "索赔"), ("sales", "Sales", "销售"),
              ("other", "Other", "其他")]
SEVERITIES = [("general", "General", "一般"), ("major", "Major", "重大")]
DEPARTMENTS = [(key, *ROLES[key]) for key in DEPARTMENT_ROLES]


class IntakeForm(Schema):
    received_at = moment("Received at", "受理时间")
    channel = choice("Channel", "投诉渠道", CHANNELS)
    customer_name = text("Customer name", "客户姓名", max_length=100)
    contact_phone = text("Contact phone", "联系电话", max_length=32,
                         validate_also=validate.Regexp(r"^\+?[0-9][0-9 \-]{4,30}$", error=N_("not a phone number")))
    vehicle = text("Vehicle plate or product and serial", "车牌号或产品及序列号", max_length=100)
    description = text("Description", "投诉内容", multiline=True)
    customer_request = text("What the customer asks for", "客户诉求", required=False, multiline=True, load_default="")


class ClassifyForm(Schema):
    category = choice("Category", "投诉类别", CATEGORIES)
    severity = choice("Severity", "严重程度", SEVERITIES)
    other_department = choice("Department (for category Other)", "责任部门（其他类别）", DEPARTMENTS,
                              required=False, load_default=None, allow_none=True)
    deadline_days = number("Deadline in working days", "处理时限（工作日）", minimum=1, maximum=60,
                           load_default=None, allow_none=True)
    manager_note = text("Note to the department", "经理批示", required=False, multiline=True, load_default="")

    @validates_schema
    def department_named_for_other(self, data, **kwargs):
        if data.get("category") == "other" and not data.get("other_department"):
            raise ValidationError(N_("name the responsible department for category Other"), "other_department")


class FollowUpForm(Schema):
    customer_contacted_at = moment("Customer phoned at", "电话联系客户时间")
    follow_up_notes = text("Follow-up notes", "跟进记录", multiline=True)
    within_authority = yes_no("Within the manager's authority", "在经理权限内")


class MajorDecisionForm(Schema):
    gm_decision = text("Decision", "总经理决定", multiline=True)


class HandlingForm(Schema):
    result = text("Handling result", "处理结果", multiline=True)
    root_cause = text("Root cause", "原因分析", multiline=True)
    improvement = text("Improvement measures", "改进措施", multiline=True)
    return_repair = yes_no("Vehicle comes back for repair", "需返修", required=False, load_default=False)


class RepairHandlingForm(HandlingForm):
    hard_fault = yes_no("Hard fault: needs the technical supervisor", "疑难故障（转技术主管）",
                        required=False, load_default=False)


class RepairPlanForm(Schema):
    repair_plan = text("Repair plan", "维修方案", multiline=True)
    return_repair = yes_no("Vehicle comes back for repair", "需返修", required=False, load_default=False)


class ConfirmForm(Schema):
    confirmation = choice("Decision", "确认结果", [("approve", "Approve and sign", "确认签字"),
                                                   ("send_back", "Send back to the department", "退回部门")])
    confirmation_reason = text("Reason for sending back", "退回原因", required=False, multiline=True,
                               load_default="")

    @validates_schema
    def reason_for_send_back(self, data, **kwargs):
        if data.get("confirmation") == "send_back" and not data.get("confirmation_reason", "").strip():
            raise ValidationError(N_("say why the result goes back"), "confirmation_reason")


class EscalationForm(Schema):
    escalation_action = choice("Action", "处理方式", [
        ("urge_department", "Urge the department", "催促责任部门"),
        ("extend_deadline", "Agree a later date with the customer", "与客户协商延期"),
        ("take_over", "Manager handles it personally", "经理亲自处理")])
    escalation_notes = text("Notes", "处理说明", multiline=True)


class RepeatedOverdueForm(Schema):
    review_notes = text("Measures", "处理意见", multiline=True)


class CallbackForm(Schema):
    problem_solved = yes_no("Problem solved", "问题已解决")
    callback_satisfied = yes_no("Customer satisfied", "客户满意")
    callback_remarks = text("Remarks", "回访备注", required=False, multiline=True, load_default="")


class CloseForm(Schema):
    close_remarks = text("Closing remarks", "结案意见", required=False, multiline=True, load_default="")


class VehicleReleaseForm(Schema):
    released_at = moment("Vehicle left the workshop at", "车辆出厂时间")


register("complaint.intake", IntakeForm, "Take in a complaint", "登记投诉")
register("complaint.classify", ClassifyForm, "Classify and assign", "分类与指派")
register("complaint.follow_up", FollowUpForm, "Follow up a major complaint", "重大投诉经理跟进")
register("complaint.major_decision", MajorDecisionForm, "Decide a major complaint", "重大投诉总经理决定")
register("complaint.handle", HandlingForm, "Handle the complaint", "部门处理投诉")
register("complaint.handle_repair", RepairHandlingForm, "Handle a repair-quality complaint", "车间处理投诉")
register("complaint.repair_plan", RepairPlanForm, "Make a repair plan", "制定维修方案")
register("complaint.confirm", ConfirmForm, "Confirm the handling", "确认处理结果")
register("complaint.callback", CallbackForm, "Call the customer back", "回访客户")
register("complaint.close", CloseForm, "Sign the closed complaint", "总经理签字结案")
register("complaint.vehicle_release", VehicleReleaseForm, "Record the vehicle's release", "登记车辆出厂")
register("complaint.escalation", EscalationForm, "Deal with an overdue complaint", "处理超时升级")
register("complaint.repeated_overdue", RepeatedOverdueForm, "Review repeated overdue work", "审阅多次超时")
