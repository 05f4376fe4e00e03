"""The loaner register (备用机台账): spare units lent to customers while their units are repaired
late, taken back, and the overdue ones."""
from flask import g
from marshmallow import Schema, fields, validate

from ..models.types import ID_MAX
from ..services import loaners
from . import bp, json_body, register_page
from .openapi import DATE, Out, UnitKeyset, doc, keyset_page_of

LOANER_ID = {"minimum": 1, "maximum": ID_MAX}


class LoanerFilters(UnitKeyset):
    status = fields.String(validate=validate.OneOf(loaners.STATUSES),
                           metadata={"description": "out: not returned yet; returned"})
    overdue = fields.String(validate=validate.OneOf(("1", "0", "true", "false")),
                            metadata={"description": "1: only the loans past their due time and not returned"})


class Loaner(Out):
    id = fields.Integer(required=True)
    loaner_serial = fields.String(required=True, metadata={"description": "the spare unit lent"})
    loaner_unit_serial = fields.String(required=True, metadata={"description": "the customer's unit under repair"})
    customer = fields.String(required=True)
    rma_number = fields.String(allow_none=True, metadata={"description": "the return request of the customer's unit"})
    instance_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the organisation unit's code"})
    agreed_return_date = fields.String(allow_none=True, metadata=DATE)
    unit_shipped_at = fields.DateTime(allow_none=True, metadata={"description": "the repaired unit was shipped back"})
    due_at = fields.DateTime(allow_none=True, metadata={
        "description": "the agreed date's end, or N working days after the repaired unit was shipped back, "
                       "whichever comes first; null while neither is known"})
    overdue = fields.Boolean(required=True)
    note = fields.String()
    lent_at = fields.DateTime(required=True)
    lent_by = fields.String(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    returned_by = fields.String(allow_none=True)
    return_note = fields.String()


class Lending(Schema):
    loaner_serial = fields.String(required=True, validate=validate.Length(min=1, max=loaners.MAX_SERIAL),
                                  metadata={"description": "the spare unit's serial number"})
    loaner_unit_serial = fields.String(required=True, validate=validate.Length(min=1, max=loaners.MAX_SERIAL),
                                       metadata={"description": "the customer's unit, on a return request at the "
                                                                "department"})
    customer = fields.String(required=True, validate=validate.Length(min=1, max=loaners.MAX_CUSTOMER))
    agreed_return_date = fields.String(metadata={**DATE, "description": "agreed with the customer (optional)"})
    note = fields.String(validate=validate.Length(max=loaners.MAX_TEXT))


class Giving(Schema):
    note = fields.String(validate=validate.Length(max=loaners.MAX_TEXT))


@bp.get("/loaners")
@doc("The loaner register (备用机台账): the loans of the caller's unit (the department: all), newest first",
     keyset_page_of(Loaner), query=LoanerFilters)
def list_loaners():
    return register_page(loaners.register, loaners.as_dict, ("status", "overdue", "unit"))


@bp.get("/loaners/<int:loaner_id>")
@doc("One loan", Loaner, path={"loaner_id": LOANER_ID})
def get_loaner(loaner_id):
    return loaners.as_dict(loaners.get(g.user, loaner_id))


@bp.post("/loaners")
@doc("Lend a spare unit to the customer of a unit under repair (logistics clerk, repair team)", Loaner, status=201,
     body=Lending)
def lend_loaner():
    return loaners.as_dict(loaners.lend(g.user, json_body())), 201


@bp.post("/loaners/<int:loaner_id>/return")
@doc("The spare unit came back (logistics clerk, repair team)", Loaner, body=Giving, path={"loaner_id": LOANER_ID})
def return_loaner(loaner_id):
    return loaners.as_dict(loaners.give_back(g.user, loaner_id, json_body()))
