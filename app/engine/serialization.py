"""Workflow (de)serialization: the spec is stored once per deployed version, the state per instance.

A version's spec never changes, so each process restores it once (`restored_spec`, kept by the
version's digest) and a request deserializes only the instance's state against it; saving
converts only the workflow's own parts. The stored state is the serializer's document without
its `spec` and `subprocess_specs` keys, as it always was: backups and older rows read the same.
Specs are not changed by running a workflow (SpiffWorkflow keeps run-time facts on tasks), so
the workflows of several requests may share one restored spec."""
import json
from typing import Callable, NamedTuple

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from ..caching import Kept

_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SERIALIZER_VERSION = _serializer.VERSION
REGISTRY = _serializer.registry  # turns specs into dicts: how two versions are compared
_SPEC_KEYS = ("spec", "subprocess_specs")
# The converter the registry holds for BpmnWorkflow (registered as a partial of its to_dict).
_WORKFLOW = REGISTRY.convert_to_dict[REGISTRY.typenames[BpmnWorkflow]].args[1].__self__


class RestoredSpec(NamedTuple):
    """A version's spec and its subprocess specs, restored: shared, never changed."""
    spec: object
    subprocess_specs: dict


_SPECS: Kept[RestoredSpec] = Kept(128)  # versions in use (and drafts' dry runs): the least recently used go


def restored_spec(key: str, spec_json: Callable[[], str]) -> RestoredSpec:
    """The spec named by `key` (a version's digest), restored once per process; `spec_json` is
    called only the first time (it may load the stored spec)."""
    return _SPECS.get(key, lambda: load_spec(spec_json()))


def dump_spec(spec, subprocess_specs) -> str:
    """The spec half of a serialized workflow, to be stored with a process version."""
    full = json.loads(_serializer.serialize_json(BpmnWorkflow(spec, subprocess_specs)))
    return json.dumps({key: full[key] for key in _SPEC_KEYS})


def _state_dict(workflow: BpmnWorkflow) -> dict:
    """What BpmnWorkflowConverter.to_dict gives, in its order, without converting the specs."""
    dct = WorkflowConverter.to_dict(_WORKFLOW, workflow)
    dct["subprocesses"] = _WORKFLOW.mapping_to_dict(workflow.subprocesses)
    dct["bpmn_events"] = REGISTRY.convert(workflow.bpmn_events)
    dct["typename"] = _WORKFLOW.typename
    return dct


def dump_state(workflow: BpmnWorkflow) -> str:
    """The workflow's own parts (data, tasks, subprocesses, events) as JSON, with the serializer's
    version: the document serialize_json writes, less the spec keys."""
    REGISTRY._encoder_mode = True  # as serialize_json does: the JSON encoder converts nested values
    try:
        dct = _state_dict(workflow)
        dct[_serializer.VERSION_KEY] = SERIALIZER_VERSION
        return json.dumps(dct, cls=_serializer._encoder_cls)
    finally:
        REGISTRY._encoder_mode = False


def load_workflow(spec: "RestoredSpec | str", state_json: str, script_engine) -> BpmnWorkflow:
    """The workflow of a stored state. `spec` is a restored spec (the state must then be of this
    serializer version) or the stored spec's JSON (an older state is migrated with it)."""
    dct = json.loads(state_json, cls=_serializer.json_decoder_cls)
    if isinstance(spec, RestoredSpec):
        if dct.get(_serializer.VERSION_KEY) != SERIALIZER_VERSION:
            raise ValueError(f"a state of serializer {dct.get(_serializer.VERSION_KEY)} needs migrating first")
        dct.pop(_serializer.VERSION_KEY)
        # Already restored: the converter's restore() hands objects that are not dicts back as they are.
        dct.update(spec=spec.spec, subprocess_specs=dict(spec.subprocess_specs))
    else:
        dct.update(json.loads(spec, cls=_serializer.json_decoder_cls))
        _serializer.migrate(dct)
    workflow = _serializer.from_dict(dct)
    workflow.script_engine = script_engine  # not serialized: reattach on every load
    return workflow


def load_spec(spec_json: str) -> RestoredSpec:
    dct = json.loads(spec_json, cls=_serializer.json_decoder_cls)
    spec = _serializer.registry.restore(dct["spec"])
    subs = {name: _serializer.registry.restore(s) for name, s in dct["subprocess_specs"].items()}
    return RestoredSpec(spec, subs)
