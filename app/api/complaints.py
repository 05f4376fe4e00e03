from flask import g, request

from ..services import complaints
from . import bp, pagination

FILTERS = ("status", "category", "severity", "channel", "month", "responsible", "q")


@bp.get("/complaints")
def list_complaints():
    page, per_page = pagination()
    rows, total = complaints.ledger(g.user, page=page, per_page=per_page,
                                    **{name: request.args.get(name) for name in FILTERS})
    return {"items": [complaints.as_dict(c) for c in rows], "total": total}


@bp.get("/complaints/<number>")
def get_complaint(number):
    return complaints.as_dict(complaints.get(g.user, number))
