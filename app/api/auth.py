from marshmallow import Schema, fields

from ..errors import ValidationFailed
from ..i18n import N_
from ..services import accounts
from ..throttling import failed, sign_in_limits
from . import bp, json_body
from .openapi import doc


class Credentials(Schema):
    username = fields.String(required=True)
    password = fields.String(required=True)


class Token(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


@bp.post("/auth/token")
@doc("Exchange username and password for a bearer token; wrong ones: 401, repeated failures are slowed or locked",
     Token, body=Credentials, errors=(401, 429))
@sign_in_limits
def issue_token():
    body = json_body()
    missing = {name: [N_("required")] for name in ("username", "password") if not isinstance(body.get(name), str)}
    if missing:
        raise ValidationFailed(N_("username and password are required"), missing)
    try:
        user = accounts.authenticate(body["username"], body["password"])
    except (accounts.LoginRefused, accounts.TooManyAttempts):
        failed()
        raise
    token, row = accounts.issue_token(user)
    return {"token": token, "expires_at": row.expires_at}
