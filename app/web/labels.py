"""Display labels of the stable keys the return register and the callback log store
(statuses, reasons), in English and Chinese; the pages show them, the API keeps the keys."""
from ..forms.return_authorization import WARRANTY_REASONS

LABELS: dict[str, tuple[str, str]] = {
    # return authorization
    "under_review": ("Under review", "待分公司经理审核"), "sent_back": ("Sent back for correction", "退回修改"),
    "awaiting_approval": ("Awaiting approval", "待部长审批"), "rejected": ("Rejected", "已驳回"),
    "awaiting_goods": ("Approved, awaiting goods", "已批准，待到货"), "mismatch": ("Goods differ", "到货不符"),
    "received": ("Received", "已到货"), "warranty_checked": ("Warranty checked", "已保修检查"),
    "awaiting_quote_answer": ("Awaiting quote answer", "待确认报价"), "in_repair": ("In repair", "维修中"),
    "ready_to_ship": ("Ready to ship back", "待发回"), "closed": ("Shipped back, closed", "已发回结案"),
    # units
    "requested": ("Requested", "已申请"), "missing": ("Missing", "未到"), "not_on_request": ("Not on the request", "申请外"),
    "out_of_warranty": ("Out of warranty", "保修期外"), "quote_accepted": ("Quote accepted", "已接受报价"),
    "unrepaired": ("Returned unrepaired", "未修发回"), "repaired": ("Repaired", "已修复"),
    # quote answers
    "accepted": ("Accepted", "接受"), "refused": ("Refused", "拒绝"), "expired": ("No answer in time", "逾期未答复"),
    # refused shipments
    "no_number": ("No return authorization number", "无返修授权号"),
    "unknown_number": ("Unknown or unapproved number", "授权号不存在或未批准"),
    "not_awaiting_goods": ("Request not awaiting goods", "该申请不在待到货状态"),
    # callbacks
    "due": ("Due", "待回访"), "retry": ("To retry", "待再次回访"), "scheduled": ("Follow-up scheduled", "待跟踪回访"),
    "completed": ("Effective", "有效回访"), "ineffective": ("Ineffective (unreachable)", "无效回访"),
    "first": ("Callback", "回访"), "follow_up": ("Follow-up", "跟踪回访"),
    "delivery": ("Delivered repair", "维修交车"), "return": ("Shipped return", "返修机发回"),
    "complaint": ("Complaint return repair", "投诉返修"),
    "good": ("Good", "好"), "fair": ("Fair", "一般"), "poor": ("Poor", "差"),
}
LABELS.update({key: (en, zh) for key, en, zh in WARRANTY_REASONS if key not in LABELS})
LABELS["in_warranty"] = ("In warranty", "保修期内")


def label_of(key, lang: str) -> str:
    if key is None:
        return ""
    en, zh = LABELS.get(key, (str(key), str(key)))
    return en if lang == "en" else zh
