"""Moving a running instance to another deployed version of its procedure (admins). The
engine judges whether the move is safe; this records who moved it, when, from and to."""
from sqlalchemy import select

from .. import permissions
from ..engine import MigrationRefused, MigrationResult, migrate
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import ProcessInstance, ProcessVersion, User
from ..models.types import ID_MAX
from . import runs


def move(user: User, instance_id: int, to_version) -> tuple[ProcessInstance, MigrationResult, int]:
    """(instance, what the engine kept, the version it came from)."""
    permissions.require(user, "instances.migrate")
    if isinstance(to_version, bool) or not isinstance(to_version, int) or not 1 <= to_version <= ID_MAX:
        raise ValidationFailed("name the target version", {"to_version": [f"a version number from 1 to {ID_MAX}"]})
    if db.session.get(ProcessInstance, instance_id) is None:
        raise NotFound(f"no instance {instance_id}")
    instance = runs.lock_instance(instance_id)
    if instance.status not in ("running", "waiting", *runs.HELD):
        raise Conflict(f"the instance is {instance.status}: only a running, waiting, suspended or failed instance moves")
    target = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == instance.process_key,
                                                            ProcessVersion.version == to_version))
    if target is None:
        raise ValidationFailed(f"'{instance.process_key}' has no version {to_version}",
                               {"to_version": [f"no version {to_version} of '{instance.process_key}' is deployed"]})
    from_version = instance.version.version
    if target.id == instance.process_version_id:
        raise Conflict(f"the instance already runs on version {to_version}")
    run = runs.load(instance, user.id)
    try:
        result = migrate(run, target.spec)
    except MigrationRefused as err:
        raise Conflict(f"instance {instance.id} cannot move from version {from_version} to {to_version}: {err}",
                       {element: [why] for element, why in err.reasons.items()}) from None
    instance.version = target
    if instance.status not in runs.HELD:
        # A new step reachable at once (an automatic task now first in line) runs as it would have;
        # a held instance runs on only when retried or resumed.
        runs.engine_step(result.run.run)
    runs.record_completion(instance, "", "migrate", "", "", user.id,
                           {"from_version": from_version, "to_version": to_version})
    runs.save(instance, result.run)
    return instance, result, from_version
