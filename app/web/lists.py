"""What the list pages (the inbox, the ledger) share: the cursor of the page, the query string
a saved filter keeps, and saving and deleting a person's filters."""
from urllib.parse import urlencode

from flask import Blueprint, flash, g, redirect, request, url_for

from ..errors import ValidationFailed
from ..i18n import N_, current_language, gettext
from ..services import saved_filters, units

PAGE_SIZE = 50


def after() -> str | None:
    cursor = request.args.get("after") or None
    if cursor is not None and len(cursor) > 1000:
        raise ValidationFailed(N_("bad cursor"), {"after": [N_("must be at most 1000 characters")]})
    return cursor


def current_query() -> str:
    """The page's filters and order as a query string, without its cursor."""
    return urlencode([(k, v) for k, v in request.args.items(multi=True) if k not in ("after", "page")])


def unit_names(action: str) -> dict[str, str]:
    """The unit filter's choices of a register read with `action` (a unit's code -> its name in the
    reader's language): for the readers who see every unit (the department, the group); none for the
    others, whose lists hold their unit's records already."""
    lang = current_language()
    return {unit.code: unit.label(lang) for unit in units.choices(g.user, action)}


def page_context(list_name: str) -> dict:
    return {"saved": saved_filters.of(g.user, list_name), "list_name": list_name, "query": current_query()}


def add_saved_filter_routes(bp: Blueprint, list_name: str, index_endpoint: str) -> None:
    """POST <list page>/filters saves the posted query under a name; .../filters/<id>/delete
    deletes one of the person's own. Both return to the list."""
    def save_filter():
        try:
            saved = saved_filters.save(g.user, list_name, request.form.get("name", ""), request.form.get("query", ""))
        except ValidationFailed as err:
            flash(gettext("The filter was not saved: {reasons}").format(
                reasons="; ".join(f"{k}: {', '.join(v)}" for k, v in err.fields.items())))
            return redirect(url_for(index_endpoint))
        flash(gettext("Filter saved: {name}").format(name=saved.name))
        return redirect(url_for(index_endpoint) + ("?" + saved.query if saved.query else ""))

    def delete_filter(filter_id: int):
        saved_filters.delete(g.user, filter_id)
        flash(gettext("Filter deleted."))
        return redirect(url_for(index_endpoint))

    rule = {"inbox": "/inbox/filters", "complaints": "/complaints/filters"}[list_name]
    bp.add_url_rule(rule, "save_filter", save_filter, methods=["POST"])
    bp.add_url_rule(rule + "/<int:filter_id>/delete", "delete_filter", delete_filter, methods=["POST"])
