"""Procedure drafts: process owners propose a procedure's files (multipart `files` parts or
JSON {"files": [{"name", "content"}]}) and read back the verdict, element by element."""
from flask import g, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import PayloadTooLarge, ValidationFailed
from ..forms.fields import Length
from ..i18n import N_, problem_text
from ..request_guards import upload_limit
from ..services import drafts
from . import bp, json_body, keyset
from .openapi import Keyset, Out, doc, keyset_page_of


class ProcedureFile(Schema):
    name = fields.String(required=True, validate=Length(min=1, max=200))
    content = fields.String(required=True)


class ProcedureFiles(Schema):
    files = fields.List(fields.Nested(ProcedureFile), required=True)


# Multipart: one or more `files` parts, each a BPMN or DMN file.
FILE_PARTS = {"type": "object", "required": ["files"],
              "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}
UPLOAD = {"application/json": ProcedureFiles, "multipart/form-data": FILE_PARTS}
LIMITS = f"at most {drafts.MAX_FILES} files of {drafts.MAX_FILE_BYTES // 2**20} MiB"


class Problem(Schema):
    file = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    message = fields.String(required=True)


class Draft(Out):
    id = fields.Integer(required=True)
    process_key = fields.String(allow_none=True)
    valid = fields.Boolean(required=True)
    problems = fields.List(fields.Nested(Problem), required=True)
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    deployed_version = fields.Integer(allow_none=True)


class DraftWithFiles(Draft):
    files = fields.List(fields.Nested(ProcedureFile), required=True)


class DraftFilters(Keyset):
    process_key = fields.String(metadata={"description": "procedure key"})


def upload() -> tuple[list[tuple[str, bytes | str]] | None, dict]:
    """(files as (name, content) pairs or None, the JSON body): read no further than the limits
    (the calling view is marked @upload_limit(drafts.MAX_REQUEST_BYTES); a larger body is refused unread)."""
    try:
        if request.mimetype == "multipart/form-data":
            return [(part.filename or "", part.stream.read(drafts.MAX_FILE_BYTES + 1))
                    for part in request.files.getlist("files")], {}
        body = json_body()
    except RequestEntityTooLarge:
        raise PayloadTooLarge(N_("the upload is larger than %(size)s MiB: send at most %(count)s files of %(file_size)s MiB",
                                 size=drafts.MAX_REQUEST_BYTES // 2**20, count=drafts.MAX_FILES,
                                 file_size=drafts.MAX_FILE_BYTES // 2**20)) from None
    if "files" not in body:
        return None, body
    try:
        loaded = ProcedureFiles().load(body, unknown="exclude")
    except ValidationError as err:
        raise ValidationFailed(N_("send {\"files\": [{\"name\", \"content\"}]} or multipart 'files' parts"),
                               _flatten(err.normalized_messages())) from None
    return [(item["name"], item["content"]) for item in loaded["files"]], body


def _flatten(messages: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in messages.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = list(value) if isinstance(value, list) else [value]  # kept for translation
    return flat


def draft_item(draft) -> dict:
    # Without the files: they are deferred and may be megabytes; GET /drafts/{id} has them.
    problems = [{"file": p.get("file"), "element_id": p.get("element_id"), "message": problem_text(p)}
                for p in draft.problems or []]
    return {"id": draft.id, "process_key": draft.process_key, "valid": draft.valid, "problems": problems,
            "created_by": draft.created_by.username if draft.created_by else None,
            "created_at": draft.created_at,
            "deployed_version": draft.deployed_version.version if draft.deployed_version else None}


@bp.post("/drafts")
@doc(f"Propose a procedure's files (process owner), {LIMITS}: checked element by element; 422 when the "
     "files cannot be read as BPMN/DMN", Draft, status=201, body=UPLOAD)
@upload_limit(drafts.MAX_REQUEST_BYTES)
def propose_draft():
    files, _ = upload()
    draft = drafts.propose(g.user, files or [])
    return draft_item(draft), 201


@bp.get("/drafts")
@doc("Proposed drafts, newest first", keyset_page_of(Draft), query=DraftFilters)
def list_drafts():
    found = drafts.list_drafts(g.user, process_key=request.args.get("process_key"), **keyset())
    return found.as_json([draft_item(d) for d in found.items])


@bp.get("/drafts/<int:draft_id>")
@doc("A draft with its problems and its files", DraftWithFiles)
def get_draft(draft_id):
    draft = drafts.get(g.user, draft_id)
    files = [{"name": name, "content": text} for name, text in sorted(draft.files.items())]
    return {**draft_item(draft), "files": files}
