"""The records' pages: the complaint ledger and a case's history."""
from flask import Blueprint, g, render_template, request

from ..services import complaints, instances
from . import login_required

bp = Blueprint("records", __name__)
FILTERS = ("status", "category", "severity", "channel", "month", "q")


@bp.get("/complaints")
@login_required
def ledger():
    chosen = {name: request.args.get(name) or None for name in FILTERS}
    rows, total = complaints.ledger(g.user, per_page=200, **chosen)
    return render_template("complaints.html", complaints=rows, total=total, chosen=chosen)


@bp.get("/complaints/<number>")
@login_required
def complaint(number):
    record = complaints.get(g.user, number)
    instance = instances.get(g.user, record.instance_id) if record.instance_id else None
    return render_template("complaint.html", complaint=record, instance=instance,
                           history=instances.history(instance) if instance else [],
                           open_tasks=instances.open_tasks(instance) if instance else [])


@bp.get("/instances/<int:instance_id>")
@login_required
def instance(instance_id):
    found = instances.get(g.user, instance_id)
    return render_template("instance.html", instance=found, history=instances.history(found),
                           open_tasks=instances.open_tasks(found))
