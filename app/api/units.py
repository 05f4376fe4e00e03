"""The organisation units, and a person's unit (admins)."""
from flask import g
from marshmallow import Schema, fields

from ..services import units
from . import bp, json_body
from .openapi import Out, doc


class OrgUnit(Out):
    code, name, name_en = fields.String(required=True), fields.String(required=True), fields.String()
    kind = fields.String(required=True, metadata={"description": "group | operating_branch (经营平台) | "
                                                                 "managed_branch (管理平台) | store | dealer"})
    kind_label = fields.String()
    parent = fields.String(allow_none=True, required=True, metadata={"description": "the parent unit's code"})
    depth = fields.Integer(required=True)


class UserUnit(Schema):
    unit = fields.String(required=True, metadata={"description": "the code of the person's new unit"})


class UserWithUnit(Out):
    username = fields.String(required=True)
    unit = fields.String(required=True)


@bp.get("/units")
@doc("The organisation units, each under its parent (the group first)", {"type": "array", "items": OrgUnit})
def list_units():
    found = units.tree(g.user)
    by_id = {unit.id: unit for unit, _ in found}
    return [units.unit_dict(unit, depth, by_id) for unit, depth in found]


@bp.put("/users/<username>/unit")
@doc("Put a person in an organisation unit (admin): they see its records and those of the units below it",
     UserWithUnit, body=UserUnit, path={"username": {"type": "string"}})
def set_user_unit(username):
    person = units.set_user_unit(g.user, username, json_body().get("unit"))
    return {"username": person.username, "unit": person.unit.code}

