"""The forms of procedure 2, return authorization (返修机返厂申请)."""
from marshmallow import Schema, ValidationError, validate, validates_schema

from ..clock import local, now
from ..i18n import N_
from . import case_data, register
from .fields import amount, choice, day, findings, moment, number, serials, text, yes_no

PHONE = validate.Regexp(r"^\+?[0-9][0-9 \-]{4,30}$", error=N_("not a phone number"))
# Causes that void the warranty (domain.md, procedure 2 step 5), and a label that is not intact.
DAMAGE = [("misuse", "Misuse", "使用不当"), ("disassembly", "Unauthorised disassembly", "擅自拆修"),
          ("drop", "Dropped", "摔落"), ("fire", "Fire", "火灾"), ("flood", "Flood", "水浸"),
          ("lightning", "Lightning", "雷击"), ("bad_power", "Bad power supply", "电源异常")]
WARRANTY_REASONS = [("in_warranty", "In warranty", "保修期内"), ("serial_not_intact", "Serial not intact", "序列号不完整"),
                    ("no_warranty_card", "No warranty card", "无保修卡"), ("no_dealer_seal", "No dealer seal", "无经销商印章"),
                    ("over_one_year", "More than a year since purchase", "购买超过一年"), *DAMAGE]


def _agree(data: dict, quantity_key: str, serials_key: str) -> None:
    """One serial number per unit: a count that disagrees names the serials field."""
    quantity, listed = data.get(quantity_key), data.get(serials_key)
    if quantity is not None and listed is not None and len(listed) != quantity:
        raise ValidationError(N_("%(count)s serial numbers given for a quantity of %(quantity)s: one per unit",
                                 count=len(listed), quantity=quantity),
                              serials_key)


class RequestForm(Schema):
    branch = text("Branch", "分公司", max_length=100)
    model = text("Product model", "产品型号", max_length=100)
    quantity = number("Quantity", "数量", minimum=1, maximum=500, required=True)
    serial_numbers = serials("Serial numbers (one per unit)", "机身序列号（每台一个，每行一个）")
    fault_description = text("Fault description", "故障描述", multiline=True)
    purchase_date = day("Purchase date", "购买日期")
    warranty_card = yes_no("Warranty card present", "有保修卡")
    dealer_seal = yes_no("Dealer seal present", "有经销商盖章")
    customer_name = text("Contact person", "联系人", max_length=100)
    contact_phone = text("Contact phone", "联系电话", max_length=32, validate_also=PHONE)

    @validates_schema(skip_on_field_errors=False)  # reported with the other fields' errors
    def quantity_and_serials_agree(self, data, **kwargs):
        _agree(data, "quantity", "serial_numbers")

    @validates_schema
    def purchased_in_the_past(self, data, **kwargs):
        if data.get("purchase_date") and data["purchase_date"] > local(now()).date():
            raise ValidationError(N_("the purchase date lies in the future"), "purchase_date")


class CorrectForm(RequestForm):
    correction_note = text("What was corrected", "修改说明", required=False, multiline=True, load_default="")


class ReviewForm(Schema):
    review_decision = choice("Decision", "审核意见", [("approve", "Approve", "同意"), ("reject", "Reject", "驳回"),
                                                   ("send_back", "Send back for correction", "退回修改")])
    review_reason = text("Reason", "原因", required=False, multiline=True, load_default="")

    @validates_schema
    def reason_for_no(self, data, **kwargs):
        if data.get("review_decision") in ("reject", "send_back") and not data.get("review_reason", "").strip():
            raise ValidationError(N_("say why"), "review_reason")


class ApproveForm(Schema):
    approval_decision = choice("Decision", "审批意见", [("approve", "Approve", "批准"), ("reject", "Reject", "驳回")])
    approval_reason = text("Reason", "原因", required=False, multiline=True, load_default="")

    @validates_schema
    def reason_for_no(self, data, **kwargs):
        if data.get("approval_decision") == "reject" and not data.get("approval_reason", "").strip():
            raise ValidationError(N_("say why"), "approval_reason")


class RejectionNoticeForm(Schema):
    rejection_remarks = text("Remarks", "备注", required=False, multiline=True, load_default="")


class ReceiveForm(Schema):
    received_at = moment("Arrived at", "到货时间")
    received_quantity = number("Quantity received", "实到数量", minimum=1, maximum=500, required=True)
    received_model = text("Model received", "实到型号", max_length=100)
    received_serials = serials("Serial numbers received", "实到序列号", required=False, load_default=list)
    receipt_remarks = text("Remarks", "备注", required=False, multiline=True, load_default="")

    @validates_schema(skip_on_field_errors=False)  # reported with the other fields' errors
    def quantity_and_serials_agree(self, data, **kwargs):
        _agree(data, "received_quantity", "received_serials")


class ShipmentForm(ReceiveForm):
    """Receiving at the door: the number on the parcel decides whether it is taken in."""
    rma_number = text("Return authorization number", "返修授权号", required=False, max_length=20, load_default="")
    branch = text("Sent by (branch)", "发货分公司", max_length=100)


class MismatchForm(Schema):
    mismatch_action = choice("What happens", "处理方式", [
        ("proceed", "Go on with the units that arrived", "按实到机器处理"),
        ("ship_again", "The branch ships the right units", "分公司补发")])
    mismatch_explanation = text("Explanation", "差异说明", multiline=True)


class WarrantyCheckForm(Schema):
    serials_not_intact = serials("Units whose serial label is not intact", "序列号缺失或涂改的机器",
                                 required=False, load_default=list)
    damaged_units = findings("Units with damage that voids the warranty (serial and cause, one per line)",
                             "人为损坏的机器（每行：序列号 原因）", DAMAGE, load_default=dict)
    inspection_notes = text("Inspection notes", "检查记录", required=False, multiline=True, load_default="")

    @validates_schema
    def only_units_that_arrived(self, data, **kwargs):
        arrived = set(case_data().get("received_serials") or [])
        for name, listed in (("serials_not_intact", data.get("serials_not_intact", [])),
                             ("damaged_units", list(data.get("damaged_units", {})))):
            unknown = sorted(set(listed) - arrived)
            if unknown:
                raise ValidationError(N_("not among the units received: %(serials)s", serials=", ".join(unknown)), name)


class QuoteForm(Schema):
    quote_amount = amount("Quote (yuan)", "报价金额（元）")
    quote_notes = text("What the quote covers", "报价说明", multiline=True)


class QuoteAnswerForm(Schema):
    quote_accepted = yes_no("Quote accepted", "接受报价")
    quote_answer_remarks = text("Remarks", "备注", required=False, multiline=True, load_default="")


class RepairForm(Schema):
    repair_work = text("Repair done", "维修内容", multiline=True)
    parts_used = text("Parts used", "更换配件", required=False, multiline=True, load_default="")


class AgingForm(Schema):
    aging_hours = number("Aging test hours", "老化时长（小时）", minimum=1, maximum=720, required=True)
    aging_passed = yes_no("Aging test passed", "老化测试通过")


class QualityCheckForm(Schema):
    qc_passed = yes_no("Quality check passed", "质检合格")
    qc_notes = text("Findings", "检验记录", required=False, multiline=True, load_default="")

    @validates_schema
    def findings_for_a_failure(self, data, **kwargs):
        if data.get("qc_passed") is False and not data.get("qc_notes", "").strip():
            raise ValidationError(N_("say what failed: it goes back to repair with it"), "qc_notes")


class ShipBackForm(Schema):
    shipped_at = moment("Shipped at", "发货时间")
    waybill_number = text("Waybill number", "运单号", max_length=64)
    shipping_remarks = text("Remarks", "备注", required=False, multiline=True, load_default="")


register("return.request", RequestForm, "Apply to return faulty units", "返修机返厂申请")
register("return.correct", CorrectForm, "Correct the return application", "修改返厂申请")
register("return.review", ReviewForm, "Review the return application", "分公司经理审核")
register("return.approve", ApproveForm, "Approve the return application", "客户服务部部长审批")
register("return.rejection_notice", RejectionNoticeForm, "Return application rejected", "返厂申请被驳回")
register("return.receive", ReceiveForm, "Register the goods received", "到货登记")
register("return.shipment", ShipmentForm, "Receive a shipment", "收货登记")
register("return.mismatch", MismatchForm, "Goods received differ from the application", "处理到货差异")
register("return.warranty_check", WarrantyCheckForm, "Warranty check", "保修检查")
register("return.quote", QuoteForm, "Quote for units out of warranty", "保外维修报价")
register("return.quote_answer", QuoteAnswerForm, "Answer the repair quote", "确认维修报价")
register("return.repair", RepairForm, "Repair", "维修")
register("return.aging", AgingForm, "Aging test", "老化测试")
register("return.quality_check", QualityCheckForm, "Quality check", "质量检验")
register("return.ship_back", ShipBackForm, "Ship back with the repair report", "随维修报告发回")
