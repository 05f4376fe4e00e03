from flask import g
from marshmallow import fields

from .. import forms
from ..forms.jsonschema import form_schema
from ..i18n import current_language
from ..services import deployments, instances
from . import bp, json_body
from .instances import InstanceSummary, instance_summary
from .openapi import Out, doc

START_FORMS = ("complaint.intake", "return_authorization.request", "callback.start", "quality_complaint.start")


class Process(Out):
    key, name = fields.String(required=True), fields.String(required=True)
    version = fields.Integer(required=True)
    deployed_at = fields.DateTime(required=True)


class ProcessWithForm(Process):
    start_form = fields.Dict(allow_none=True, metadata={"description": "JSON Schema of the data that starts it"})
    start_lane = fields.String(allow_none=True)


class Version(Process):
    deployed_by = fields.String(allow_none=True)
    sha256 = fields.String(required=True)
    running_instances = fields.Integer(required=True)


START = {"type": "object", "required": ["data"], "properties": {"data": {
    "description": "the procedure's start form (GET /processes/{key}): "
                   + ", ".join(key.replace(".", "_") for key in START_FORMS),
    "anyOf": [{"$ref": f"#/components/schemas/{key.replace('.', '_')}"} for key in START_FORMS]},
    "unit": {"type": "string", "description": "the code of the organisation unit the case is for: the starter's own "
                                              "(when left out) or one below it"}}}


def _process(version) -> dict:
    return {"key": version.process_key, "name": version.name, "version": version.version,
            "deployed_at": version.deployed_at}


@bp.get("/processes")
@doc("The deployed procedures, latest version of each", {"type": "array", "items": Process})
def list_processes():
    return [_process(v) for v in deployments.latest_versions()]


@bp.get("/processes/<key>")
@doc("The latest version of a procedure with its start form (JSON Schema)", ProcessWithForm)
def get_process(key):
    version = deployments.latest_version(key)
    start_form = form_schema(forms.of_version(version)[version.start_form], current_language()) \
        if version.start_form else None
    return {**_process(version), "start_form": start_form, "start_lane": version.start_lane}


@bp.get("/processes/<key>/versions")
@doc("Every deployed version with who deployed it and its running instances", {"type": "array", "items": Version})
def process_versions(key):
    return [{**_process(v), "deployed_by": v.deployed_by.username if v.deployed_by else None,
             "sha256": v.sha256, "running_instances": count}
            for v, count in deployments.versions_with_counts(key)]


@bp.post("/processes/<key>/instances")
@doc("Start an instance of the latest version with data validated by its start form", InstanceSummary,
     status=201, body=START)
def start_instance(key):
    body = json_body()
    instance = instances.start(g.user, key, body.get("data", {}), body.get("unit"))
    return instance_summary(instance), 201
