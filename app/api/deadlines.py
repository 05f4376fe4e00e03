from flask import g, request

from ..services import calendar, overdue
from . import bp, json_body, pagination


@bp.get("/overdue")
def list_overdue():
    page, per_page = pagination()
    rows, total = overdue.records(g.user, month=request.args.get("month"), person=request.args.get("person"),
                                  page=page, per_page=per_page)
    return {"items": [overdue.as_dict(r) for r in rows], "total": total}


@bp.get("/calendar/<int:year>")
def calendar_year(year):
    return calendar.year(year)


@bp.put("/calendar/days/<day>")
def set_calendar_day(day):
    body = json_body()
    entry = calendar.set_day(g.user, day, body.get("is_working"), body.get("note", ""))
    return {"day": entry.day.isoformat(), "is_working": entry.is_working, "note": entry.note}


@bp.delete("/calendar/days/<day>")
def remove_calendar_day(day):
    calendar.remove_day(g.user, day)
    return "", 204
