from flask import g, request

from ..services import returns
from . import bp, json_body, pagination


@bp.get("/return-authorizations")
def list_return_authorizations():
    page, per_page = pagination()
    rows, total = returns.register(g.user, status=request.args.get("status"), branch=request.args.get("branch"),
                                   q=request.args.get("q"), page=page, per_page=per_page)
    return {"items": [returns.as_dict(r) for r in rows], "total": total}


@bp.get("/return-authorizations/<number>")
def get_return_authorization(number):
    return returns.as_dict(returns.get(g.user, number))


@bp.post("/shipments")
def receive_shipment():
    """Goods at the door: taken in under an approved RMA number, or refused and recorded."""
    return returns.receive_shipment(g.user, json_body().get("data", {})), 201


@bp.get("/refused-shipments")
def list_refused_shipments():
    page, per_page = pagination()
    rows, total = returns.refusals(g.user, page=page, per_page=per_page)
    return {"items": [returns.refusal_dict(r) for r in rows], "total": total}
