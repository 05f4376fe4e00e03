"""An instance's state is stored without its spec and loaded against the version's spec kept
per process: the same workflow as loading it with the stored spec (what older code, the
migration and a restored backup do), and the same document the serializer writes, less the spec."""
import json

from app.engine import WorkflowRun
from app.engine.serialization import _serializer
from app.extensions import db
from app.models import ProcessInstance
from app.services import deployments
from procedures import Case


def test_a_state_loads_alike_against_the_kept_spec_and_the_stored_one(app, api):
    case = Case(api)
    case.classify(category="repair_quality", severity="general")
    with app.app_context():
        instance = db.session.get(ProcessInstance, case.id)
        kept = WorkflowRun.load(deployments.spec(instance.version), instance.state, None)
        stored = WorkflowRun.load(instance.version.spec, instance.state, None)
        assert kept.dump() == stored.dump() == instance.state
        assert [t.element_id for t in kept.ready_user_tasks()] == ["handle_workshop"]
        # Shared between requests: the same spec objects, restored once.
        assert kept.workflow.spec is deployments.spec(instance.version).spec
        assert kept.workflow.spec is not stored.workflow.spec
        # The serializer's own document, less the spec: what was always stored.
        whole = json.loads(_serializer.serialize_json(stored.workflow))
        assert {k: v for k, v in whole.items() if k not in ("spec", "subprocess_specs")} == json.loads(instance.state)
