"""Workflow (de)serialization: the spec is stored once per deployed version, the state per instance."""
import json

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SERIALIZER_VERSION = _serializer.VERSION
REGISTRY = _serializer.registry  # turns specs into dicts: how two versions are compared
_SPEC_KEYS = ("spec", "subprocess_specs")


def dump_spec(spec, subprocess_specs) -> str:
    """The spec half of a serialized workflow, to be stored with a process version."""
    full = json.loads(_serializer.serialize_json(BpmnWorkflow(spec, subprocess_specs)))
    return json.dumps({key: full[key] for key in _SPEC_KEYS})


def dump_state(workflow: BpmnWorkflow) -> str:
    full = json.loads(_serializer.serialize_json(workflow))
    for key in _SPEC_KEYS:
        full.pop(key)
    return json.dumps(full)


def load_workflow(spec_json: str, state_json: str, script_engine) -> BpmnWorkflow:
    dct = json.loads(state_json, cls=_serializer.json_decoder_cls)
    dct.update(json.loads(spec_json, cls=_serializer.json_decoder_cls))
    _serializer.migrate(dct)
    workflow = _serializer.from_dict(dct)
    workflow.script_engine = script_engine  # not serialized: reattach on every load
    return workflow


def load_spec(spec_json: str):
    dct = json.loads(spec_json, cls=_serializer.json_decoder_cls)
    spec = _serializer.registry.restore(dct["spec"])
    subs = {name: _serializer.registry.restore(s) for name, s in dct["subprocess_specs"].items()}
    return spec, subs
