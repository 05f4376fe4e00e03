"""Deployments (admins): a valid draft, {"draft_id"}, or uploaded files become the next
version of their procedure; an invalid one is refused with its problems."""
from flask import g
from marshmallow import Schema, fields, validate

from ..errors import ValidationFailed
from ..i18n import N_
from ..models.types import ID_MAX
from ..request_guards import upload_limit
from ..services import drafts
from . import bp
from .drafts import FILE_PARTS, LIMITS, ProcedureFiles, upload
from .openapi import Out, doc


class DraftToDeploy(Schema):
    draft_id = fields.Integer(required=True, validate=validate.Range(min=1, max=ID_MAX),
                              metadata={"description": "a valid draft"})


class Deployed(Out):
    key, name = fields.String(required=True), fields.String(required=True)
    version = fields.Integer(required=True)
    deployed_at = fields.DateTime(required=True)
    deployed_by = fields.String(allow_none=True)
    unchanged = fields.Boolean(required=True, metadata={"description": "the files are that version already"})


@bp.post("/deployments")
@doc(f"Deploy a valid draft or uploaded files ({LIMITS}) as the next version of their procedure (admin); 422 with "
     "the problems when invalid, 200 naming the version the files already are", Deployed, status=(200, 201),
     body={"application/json": {"oneOf": [DraftToDeploy, ProcedureFiles]}, "multipart/form-data": FILE_PARTS})
@upload_limit(drafts.MAX_REQUEST_BYTES)
def deploy():
    files, body = upload()
    if files is None:
        draft_id = body.get("draft_id")
        if isinstance(draft_id, bool) or not isinstance(draft_id, int) or not 1 <= draft_id <= ID_MAX:
            raise ValidationFailed(N_("send {\"draft_id\"} or the procedure's files"),
                                   {"draft_id": [N_("the id of a valid draft")]})
        version, created = drafts.deploy(g.user, draft_id=draft_id)
    else:
        version, created = drafts.deploy(g.user, items=files)
    answer = {"key": version.process_key, "name": version.name, "version": version.version,
              "deployed_at": version.deployed_at,
              "deployed_by": version.deployed_by.username if version.deployed_by else None,
              "unchanged": not created}
    # Identical files are not deployed twice: the answer names the version they already are.
    return answer, 201 if created else 200
