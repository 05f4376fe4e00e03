"""Handlers of the loaner register (备用机台账) for the return procedure's review of late units
(every Wednesday and Saturday): lend the customer a spare unit, and look whether it came back.
`loaners.lend` reads the case's loaner_serial, loaner_unit_serial (the customer's unit, on the
case's request), customer (the request's customer_name when not given) and optional
agreed_return_date and loaner_note."""
from ..extensions import db
from ..i18n import N_
from ..models import Loaner
from . import HandlerContext, handler

LENT_FIELDS = ("loaner_serial", "loaner_unit_serial", "customer", "agreed_return_date", "loaner_note")


@handler("loaners.lend",
         summary=N_("Lends the customer a spare unit while their unit is repaired (the loaner register)"),
         returns=N_("the loan's id (resultVariable loaner_id)"))
def lend(ctx: HandlerContext) -> int:
    data = {name: ctx.data.get(name) for name in LENT_FIELDS}
    data["note"] = data.pop("loaner_note")
    data["customer"] = data["customer"] or ctx.data.get("customer_name")  # the request's customer by default
    if not data["loaner_unit_serial"]:  # the review of late units: the unit its team chose to lend a spare for
        decided = ctx.data.get("late_decisions")
        data["loaner_unit_serial"] = next((serial for serial, choice in sorted(decided.items())
                                           if choice == "lend_spare"), None) if isinstance(decided, dict) else None
    return ctx.capability("lend_loaner")(data)


@handler("loaners.check_returned",
         summary=N_("Looks whether the spare unit lent in this case came back"),
         returns=N_("true when it was returned (resultVariable loaner_returned)"))
def check_returned(ctx: HandlerContext) -> bool:
    loaner_id = ctx.data.get("loaner_id")
    loan = db.session.get(Loaner, loaner_id) if isinstance(loaner_id, int) and not isinstance(loaner_id, bool) else None
    return loan is not None and loan.returned_at is not None
