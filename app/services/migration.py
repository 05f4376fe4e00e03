"""Moving a running instance to another deployed version of its procedure (admins). The
engine judges whether the move is safe; this records who moved it, when, from and to."""
from sqlalchemy import select

from .. import permissions
from ..engine import MigrationRefused, MigrationResult, migrate
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import ProcessInstance, ProcessVersion, User
from ..models.types import ID_MAX
from . import runs


def move(user: User, instance_id: int, to_version) -> tuple[ProcessInstance, MigrationResult, int]:
    """(instance, what the engine kept, the version it came from)."""
    permissions.require(user, "instances.migrate")
    if isinstance(to_version, bool) or not isinstance(to_version, int) or not 1 <= to_version <= ID_MAX:
        raise ValidationFailed(N_("name the target version"), {"to_version": [N_("a version number from 1 to %(max)s", max=ID_MAX)]})
    if db.session.get(ProcessInstance, instance_id) is None:
        raise NotFound(N_("no instance %(id)s", id=instance_id))
    instance = runs.lock_instance(instance_id)
    if instance.status not in ("running", "waiting", *runs.HELD):
        raise Conflict(N_("the instance is %(status)s: only a running, waiting, suspended or failed instance moves", status=instance.status))
    target = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == instance.process_key,
                                                            ProcessVersion.version == to_version))
    if target is None:
        raise ValidationFailed(N_("'%(key)s' has no version %(version)s", key=instance.process_key, version=to_version),
                               {"to_version": [N_("no version %(version)s of '%(key)s' is deployed", version=to_version, key=instance.process_key)]})
    from_version = instance.version.version
    if target.id == instance.process_version_id:
        raise Conflict(N_("the instance already runs on version %(version)s", version=to_version))
    run = runs.load(instance, user.id)
    try:
        result = migrate(run, target.spec)
    except MigrationRefused as err:
        raise Conflict(N_("instance %(id)s cannot move from version %(from_version)s to %(to_version)s: %(reason)s",
                          id=instance.id, from_version=from_version, to_version=to_version, reason=str(err)),
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
