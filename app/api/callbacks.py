from flask import g, request

from ..services import callbacks
from . import bp, pagination


@bp.get("/callbacks")
def list_callbacks():
    page, per_page = pagination()
    rows, total = callbacks.log(g.user, status=request.args.get("status"), due=request.args.get("due"),
                                page=page, per_page=per_page)
    return {"items": [callbacks.as_dict(c) for c in rows], "total": total}


@bp.get("/callbacks/<int:callback_id>")
def get_callback(callback_id):
    return callbacks.as_dict(callbacks.get(g.user, callback_id), attempts=True)
