"""The JSON API under /api/v1 (see shared/api.md): bearer tokens, one error shape."""
from flask import Blueprint, g, request

from .. import permissions
from ..errors import BadRequest, Unauthorized, ValidationFailed
from ..i18n import N_, gettext
from ..services import accounts

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate():
    if permissions.is_public(request.endpoint):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = accounts.user_for_token(token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None:
        raise Unauthorized(N_("send a valid bearer token (POST /api/v1/auth/token)"))
    g.user = user
    permissions.check_endpoint(user, request.endpoint)  # the door: app/permissions.py


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(gettext("The body must be a JSON object (Content-Type: application/json)."),
                         {"body": [gettext("must be a JSON object")]})
    return body


def pagination() -> tuple[int, int]:
    problems = {}
    values = {}
    for name, default, maximum in (("page", 1, 2**31 - 1), ("per_page", 50, 500)):
        raw = request.args.get(name, default)
        try:
            value = int(raw)
            if value < 1 or (maximum and value > maximum):
                raise ValueError
            values[name] = value
        except (TypeError, ValueError):
            problems[name] = [N_("must be a whole number from 1 to %(max)s", max=maximum)]
    if problems:
        raise ValidationFailed(N_("bad paging parameters"), problems)
    return values["page"], values["per_page"]


def keyset() -> dict:
    """page, per_page and the cursor `after` of a list paged by app/services/paging.py."""
    page, per_page = pagination()
    after = request.args.get("after") or None
    if after is not None and len(after) > 1000:
        raise ValidationFailed(N_("bad paging parameters"), {"after": [N_("must be at most 1000 characters")]})
    return {"page": page, "per_page": per_page, "after": after}


def register_page(read, as_dict, filters: tuple[str, ...]) -> dict:
    """A keyset page of a register: `read(user, <the query's filters named>, page, per_page, after)`
    (a service's list reader, which checks the reader and the filters), each row through `as_dict`."""
    found = read(g.user, **{name: request.args.get(name) for name in filters}, **keyset())
    return found.as_json([as_dict(row) for row in found.items])


from . import auth, complaints, deadlines, instances, openapi, processes, tasks  # noqa: E402,F401
from . import callbacks, returns  # noqa: E402,F401  (procedures 2 and 3)
from . import deployments, drafts  # noqa: E402,F401  (proposing and deploying procedures)
from . import kpis, reports  # noqa: E402,F401  (KPIs and the monthly report)
from . import penalties  # noqa: E402,F401  (the penalty register)
from . import units  # noqa: E402,F401  (organisation units)
from . import quality_complaints  # noqa: E402,F401  (quality complaints, 8D)
from . import customer_visits  # noqa: E402,F401  (customer visit plans and the visit register)
from . import loaners  # noqa: E402,F401  (the loaner register: spare units lent during a late repair)
