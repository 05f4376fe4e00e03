from flask import g

from ..forms.jsonschema import form_schema
from ..i18n import current_language
from ..services import deployments, instances
from . import bp, json_body
from .instances import instance_summary


def _process(version) -> dict:
    return {"key": version.process_key, "name": version.name, "version": version.version,
            "deployed_at": version.deployed_at}


@bp.get("/processes")
def list_processes():
    return [_process(v) for v in deployments.latest_versions()]


@bp.get("/processes/<key>")
def get_process(key):
    version = deployments.latest_version(key)
    start_form = form_schema(version.start_form, current_language()) if version.start_form else None
    return {**_process(version), "start_form": start_form, "start_lane": version.start_lane}


@bp.get("/processes/<key>/versions")
def process_versions(key):
    return [{**_process(v), "deployed_by": v.deployed_by.username if v.deployed_by else None,
             "sha256": v.sha256, "running_instances": count}
            for v, count in deployments.versions_with_counts(key)]


@bp.post("/processes/<key>/instances")
def start_instance(key):
    body = json_body()
    instance = instances.start(g.user, key, body.get("data", {}))
    return instance_summary(instance), 201
