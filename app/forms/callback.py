"""The forms of procedure 3, callback (回访)."""
from datetime import timedelta

from marshmallow import Schema, ValidationError, validates_schema

from ..clock import now
from ..i18n import N_
from . import register
from .fields import choice, moment, text, yes_no
from .return_authorization import PHONE

SOURCES = [("delivery", "Delivered repair", "维修交车"), ("return", "Shipped return", "返修机发回"),
           ("complaint", "Complaint return repair", "投诉返修")]
QUALITY = [("good", "Good", "好"), ("fair", "Fair", "一般"), ("poor", "Poor", "差")]


class StartForm(Schema):
    source = choice("Callback after", "回访来源", SOURCES, required=False, load_default="delivery")
    source_ref = text("Repair order, RMA or complaint number", "维修单号/返修授权号/投诉编号", required=False,
                      max_length=64, load_default="")
    customer_name = text("Customer name", "客户姓名", max_length=100)
    contact_phone = text("Contact phone", "联系电话", max_length=32, validate_also=PHONE)
    subject = text("Vehicle plate or product and serial", "车牌号或产品及序列号", max_length=100)
    repair_summary = text("Repair done", "维修内容", required=False, multiline=True, load_default="")
    picked_up_at = moment("Taken back by the customer at", "客户提车/收货时间")

    @validates_schema(skip_on_field_errors=False)  # named together with the other fields' errors
    def picked_up_already(self, data, **kwargs):
        # A callback follows a pickup that happened; a few minutes' grace for clocks that differ.
        if data.get("picked_up_at") and data["picked_up_at"] > now() + timedelta(minutes=10):
            raise ValidationError(N_("the pickup lies in the future"), "picked_up_at")


class CallForm(Schema):
    reached = yes_no("Customer reached", "已接通")
    repair_quality = choice("Quality of the repair", "维修质量", QUALITY, required=False, load_default=None,
                            allow_none=True)
    service_quality = choice("Quality of the service", "服务质量", QUALITY, required=False, load_default=None,
                             allow_none=True)
    satisfied = yes_no("Customer satisfied", "客户满意", required=False, load_default=None, allow_none=True)
    callback_remarks = text("Remarks", "回访备注", required=False, multiline=True, load_default="")

    @validates_schema
    def answers_when_reached(self, data, **kwargs):
        if data.get("reached"):
            missing = {name: [N_("the customer was reached: record the answer")]
                       for name in ("repair_quality", "service_quality", "satisfied") if data.get(name) is None}
            if missing:
                raise ValidationError(missing)


class ComplaintForm(Schema):
    apology = text("Apology made", "致歉情况", multiline=True)
    complaint_description = text("What the customer is dissatisfied with", "不满意的内容", multiline=True)
    customer_request = text("What the customer asks for", "客户诉求", required=False, multiline=True,
                            load_default="")


class FollowUpForm(Schema):
    follow_up_reached = yes_no("Customer reached", "已接通")
    follow_up_satisfied = yes_no("Customer satisfied", "客户满意", required=False, load_default=None,
                                 allow_none=True)
    follow_up_remarks = text("Remarks", "跟踪回访备注", required=False, multiline=True, load_default="")

    @validates_schema
    def answer_when_reached(self, data, **kwargs):
        if data.get("follow_up_reached") and data.get("follow_up_satisfied") is None:
            raise ValidationError(N_("the customer was reached: record the answer"), "follow_up_satisfied")


register("callback.start", StartForm, "Schedule a callback", "登记回访")
register("callback.call", CallForm, "Call the customer back", "电话回访")
register("callback.complaint", ComplaintForm, "Apologise and open a complaint", "致歉并登记投诉")
register("callback.follow_up", FollowUpForm, "Follow-up callback", "跟踪回访")
