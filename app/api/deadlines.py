from flask import g
from marshmallow import Schema, fields, validate

from ..services import calendar, overdue
from . import bp, json_body, register_page
from .openapi import DATE, MONTH, Out, UnitKeyset, doc, keyset_page_of


class OverdueFilters(UnitKeyset):
    month = fields.String(metadata=MONTH)
    person = fields.String(metadata={"description": "username"})


class OverdueRecord(Out):
    id = fields.Integer(required=True)
    month = fields.String(required=True, metadata=MONTH)
    person = fields.String(allow_none=True)
    role, process_key, task = fields.String(), fields.String(), fields.String()
    instance_id = fields.Integer(allow_none=True)
    business_key = fields.String(allow_none=True)
    deadline_at, recorded_at = fields.DateTime(), fields.DateTime()
    miss_in_month = fields.Integer()


class Day(Schema):
    day = fields.Date(required=True)
    is_working = fields.Boolean(required=True, metadata={"description": "true: a make-up working day, "
                                                                        "false: a holiday"})
    note = fields.String(required=True, validate=validate.Length(max=100))


class DayEntry(Schema):
    is_working = fields.Boolean(required=True, metadata={"description": "true: a make-up working day, "
                                                                        "false: a holiday"})
    note = fields.String(validate=validate.Length(max=100))


class Year(Schema):
    year = fields.Integer(required=True)
    source = fields.String(required=True, metadata={"description": "where the calendar of that year comes from"})
    days = fields.List(fields.Nested(Day), required=True)


@bp.get("/overdue")
@doc("Overdue records (超时记录)", keyset_page_of(OverdueRecord), query=OverdueFilters)
def list_overdue():
    return register_page(overdue.records, overdue.as_dict, ("month", "person", "unit"))


@bp.get("/calendar/<int:year>")
@doc("The working-day calendar of a year and where it comes from", Year,
     path={"year": {"minimum": 2000, "maximum": 2100}})
def calendar_year(year):
    return calendar.year(year)


@bp.put("/calendar/days/<day>")
@doc("Enter a holiday or make-up working day (admin)", Day, body=DayEntry, path={"day": DATE})
def set_calendar_day(day):
    body = json_body()
    entry = calendar.set_day(g.user, day, body.get("is_working"), body.get("note", ""))
    return {"day": entry.day.isoformat(), "is_working": entry.is_working, "note": entry.note}


@bp.delete("/calendar/days/<day>")
@doc("Remove a day entered by an admin: the day counts as the calendar says again (admin)", status=204,
     path={"day": DATE})
def remove_calendar_day(day):
    calendar.remove_day(g.user, day)
    return "", 204
