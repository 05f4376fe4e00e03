"""KPIs (考核指标) and the monthly deliveries the complaint rate needs."""
from flask import g, request

from ..services import kpis
from . import bp, json_body


@bp.get("/kpis")
def month_kpis():
    return kpis.for_month(g.user, request.args.get("month"))


@bp.put("/deliveries/<month>")
def set_deliveries(month):
    body = json_body()
    return kpis.deliveries_dict(kpis.set_deliveries(g.user, month, body.get("deliveries")))

