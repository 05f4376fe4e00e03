"""Display labels of the stable keys the return register and the callback log store (statuses,
reasons): one table per kind of key, each label a lazy gettext text (msgctxt: the kind), so the
pages show them in the reader's language; the API keeps the keys."""
from flask_babel import lazy_pgettext




RETURN_STATUSES = {  # a return authorization
    "awaiting_confirmation": lazy_pgettext("return status", "Awaiting local confirmation"),
    "under_review": lazy_pgettext("return status", "Under review"),
    "sent_back": lazy_pgettext("return status", "Sent back for correction"),
    "awaiting_approval": lazy_pgettext("return status", "Awaiting approval"),
    "rejected": lazy_pgettext("return status", "Rejected"),
    "awaiting_goods": lazy_pgettext("return status", "Approved, awaiting goods"),
    "mismatch": lazy_pgettext("return status", "Goods differ"),
    "received": lazy_pgettext("return status", "Received"),
    "warranty_checked": lazy_pgettext("return status", "Warranty checked"),
    "awaiting_quote_answer": lazy_pgettext("return status", "Awaiting quote answer"),
    "in_repair": lazy_pgettext("return status", "In repair"),
    "ready_to_ship": lazy_pgettext("return status", "Ready to ship back"),
    "closed": lazy_pgettext("return status", "Shipped back, closed"),
    "withdrawn": lazy_pgettext("return status", "Withdrawn"),
    "cancelled": lazy_pgettext("return status", "Cancelled, never shipped"),
    "uncollected": lazy_pgettext("return status", "Closed, units not collected"),
}
UNIT_STATUSES = {  # one unit of a return
    "requested": lazy_pgettext("unit status", "Requested"), "missing": lazy_pgettext("unit status", "Missing"),
    "not_on_request": lazy_pgettext("unit status", "Not on the request"),
    "out_of_warranty": lazy_pgettext("unit status", "Out of warranty"),
    "quote_accepted": lazy_pgettext("unit status", "Quote accepted"),
    "unrepaired": lazy_pgettext("unit status", "Returned unrepaired"),
    "repaired": lazy_pgettext("unit status", "Repaired"),
}
QUOTE_ANSWERS = {
    "accepted": lazy_pgettext("quote answer", "Accepted"), "refused": lazy_pgettext("quote answer", "Refused"),
    "expired": lazy_pgettext("quote answer", "No answer in time"),
    "unanswered": lazy_pgettext("quote answer", "Not answered"),
    "partly": lazy_pgettext("quote answer", "Partly accepted"),
}
REFUSALS = {  # why a shipment was refused at the gate
    "no_number": lazy_pgettext("refusal", "No return authorization number"),
    "unknown_number": lazy_pgettext("refusal", "Unknown or unapproved number"),
    "not_awaiting_goods": lazy_pgettext("refusal", "Request not awaiting goods"),
}
CALLBACK_STATUSES = {
    "due": lazy_pgettext("callback status", "Due"), "retry": lazy_pgettext("callback status", "To retry"),
    "scheduled": lazy_pgettext("callback status", "Follow-up scheduled"),
    "completed": lazy_pgettext("callback status", "Effective"),
    "ineffective": lazy_pgettext("callback status", "Ineffective (unreachable)"),
}
CALLBACK_KINDS = {
    "first": lazy_pgettext("callback kind", "Callback"), "follow_up": lazy_pgettext("callback kind", "Follow-up"),
}
CALLBACK_SOURCES = {
    "delivery": lazy_pgettext("callback source", "Delivered repair"),
    "return": lazy_pgettext("callback source", "Shipped return"),
    "complaint": lazy_pgettext("callback source", "Complaint return repair"),
}
CALLBACK_CHANNELS = {  # how the customer wants to be called back
    "phone": lazy_pgettext("callback channel", "Phone"), "sms": lazy_pgettext("callback channel", "Text message"),
    "wechat": lazy_pgettext("callback channel", "WeChat"), "email": lazy_pgettext("callback channel", "E-mail"),
}
TEXT_STATUSES = {  # a text message to a customer
    "pending": lazy_pgettext("text status", "Waiting to be sent"), "sent": lazy_pgettext("text status", "Sent"),
    "failed": lazy_pgettext("text status", "Not sent"),
}
QUALITY_STATUSES = {  # a quality complaint (8D)
    "response": lazy_pgettext("quality complaint status", "Awaiting response"),
    "onsite": lazy_pgettext("quality complaint status", "On-site visit"),
    "temporary": lazy_pgettext("quality complaint status", "Temporary countermeasure"),
    "permanent": lazy_pgettext("quality complaint status", "Permanent countermeasure"),
    "report": lazy_pgettext("quality complaint status", "8D report"),
    "effect_check": lazy_pgettext("quality complaint status", "Effect check with the customer"),
    "clarifying": lazy_pgettext("quality complaint status", "Clarifying the standards"),
    "closed": lazy_pgettext("quality complaint status", "Closed"),
}
QUALITY_CLOSURES = {  # how a quality complaint closed
    "satisfied": lazy_pgettext("quality closure", "Customer satisfied"),
    "clarified": lazy_pgettext("quality closure", "Standards clarified"),
    "dispute": lazy_pgettext("quality closure", "Closed in dispute"),
}
RATINGS = {
    "good": lazy_pgettext("rating", "Good"), "fair": lazy_pgettext("rating", "Fair"),
    "poor": lazy_pgettext("rating", "Poor"),
}

# Where the pages look a stored key up (the keys of the tables above do not collide, but for
# `closed`, `sent_back` and `completed`, which the return and callback tables own here).
LABELS: dict = {**CALLBACK_CHANNELS, **TEXT_STATUSES, **RATINGS, **CALLBACK_SOURCES, **CALLBACK_KINDS, **CALLBACK_STATUSES, **REFUSALS, **QUOTE_ANSWERS,
                **UNIT_STATUSES, **RETURN_STATUSES}
# A unit's warranty reason (the warranty_check decision table's outcomes: the damage causes are
# also the choices of the return_authorization.warranty_check form).
WARRANTY_REASONS = [
    ("in_warranty", "In warranty", "保修期内"), ("serial_not_intact", "Serial not intact", "序列号不完整"),
    ("no_warranty_card", "No warranty card", "无保修卡"), ("no_dealer_seal", "No dealer seal", "无经销商印章"),
    ("over_one_year", "More than a year since purchase", "购买超过一年"), ("misuse", "Misuse", "使用不当"),
    ("disassembly", "Unauthorised disassembly", "擅自拆修"), ("drop", "Dropped", "摔落"), ("fire", "Fire", "火灾"),
    ("flood", "Flood", "水浸"), ("lightning", "Lightning", "雷击"), ("bad_power", "Bad power supply", "电源异常")]
WARRANTY = {key: {"en": en, "zh-CN": zh} for key, en, zh in WARRANTY_REASONS}


def label_of(key, lang: str) -> str:
    if key is None:
        return ""
    if key in WARRANTY:
        return WARRANTY[key][lang]
    return str(LABELS[key]) if key in LABELS else str(key)


def quality_label(key, lang: str = "") -> str:
    """A quality complaint's status or closure type (their `closed` is not the return's)."""
    if key is None:
        return ""
    found = QUALITY_STATUSES.get(key) or QUALITY_CLOSURES.get(key)
    return str(found) if found is not None else str(key)
